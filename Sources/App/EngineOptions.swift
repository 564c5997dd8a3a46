import ArgumentParser
import Engine
import Foundation
import Logging

/// The options every engine-running command shares (`poll`, `run`, the dashboard).
struct EngineOptions: ParsableArguments {
    @Option(name: .long, help: "The events API address.")
    var apiURL: String = EngineConfig.defaultAPIURL

    @Option(name: .long, help: "Where events are stored: a folder, or s3://BUCKET/PREFIX. Default: $XDG_DATA_HOME/polisen-dash.")
    var store: String?

    @Option(name: .long, help: "The S3-compatible endpoint for an s3:// store, e.g. https://NAMESPACE.compat.objectstorage.REGION.oraclecloud.com.")
    var s3Endpoint: String?

    @Option(name: .long, help: "The region for SigV4 signing of an s3:// store.")
    var s3Region: String = "us-east-1"

    @Option(name: .long, help: "Minimum seconds between API calls (the API's rule is 10).")
    var minSpacing: Double = RateRules.polisen.minSpacing

    @Option(name: .long, help: "Maximum API calls in any hour (the API's rule is 60).")
    var maxPerHour: Int = RateRules.polisen.maxPerHour

    @Option(name: .long, help: "Maximum API calls in any 24 hours (the API's rule is 1440).")
    var maxPerDay: Int = RateRules.polisen.maxPerDay

    @Option(name: .long, help: "The User-Agent sent to the API; it must name the application.")
    var userAgent: String = EngineConfig.defaultUserAgent

    @Option(name: .long, help: "Seconds before a request is abandoned.")
    var timeout: Double = 30

    @Option(name: .long, help: "Attempts per cycle, the first included.")
    var maxAttempts: Int = RetryPolicy().maxAttempts

    @Option(name: .long, help: "Log level: trace, debug, info, notice, warning, error, critical.")
    var logLevel: Logger.Level = .info

    @Option(name: .long, help: "Log lines as text (readable) or json (one object per line).")
    var logFormat: LogFormat = .text

    enum LogFormat: String, ExpressibleByArgument, CaseIterable { case text, json }

    func validate() throws {
        guard minSpacing >= 0 else { throw ValidationError("--min-spacing must be 0 or more") }
        guard maxPerHour >= 1 else { throw ValidationError("--max-per-hour must be at least 1") }
        guard maxPerDay >= 1 else { throw ValidationError("--max-per-day must be at least 1") }
        guard timeout > 0 else { throw ValidationError("--timeout must be positive") }
        guard maxAttempts >= 1 else { throw ValidationError("--max-attempts must be at least 1") }
        guard apiURL.hasPrefix("http://") || apiURL.hasPrefix("https://") else {
            throw ValidationError("--api-url must be an http(s) address")
        }
        guard !userAgent.trimmingCharacters(in: .whitespaces).isEmpty else {
            throw ValidationError("--user-agent must not be empty: the API answers 403 without one")
        }
        if let store, store.hasPrefix("s3://") {
            guard s3Location != nil else { throw ValidationError("--store \(store): expected s3://BUCKET or s3://BUCKET/PREFIX") }
            guard let e = s3Endpoint, e.hasPrefix("http://") || e.hasPrefix("https://") else {
                throw ValidationError("an s3:// store needs --s3-endpoint https://… (for AWS: https://s3.REGION.amazonaws.com)")
            }
        }
    }

    /// (bucket, prefix) of an s3:// store.
    var s3Location: (bucket: String, prefix: String)? {
        guard let store, store.hasPrefix("s3://") else { return nil }
        let rest = store.dropFirst(5)
        let bucket = rest.prefix { $0 != "/" }
        guard !bucket.isEmpty else { return nil }
        return (String(bucket), String(rest.dropFirst(bucket.count).drop { $0 == "/" }))
    }

    /// The chosen store: a local folder or an S3 bucket, slowed down when fault testing asks.
    func makeStore() throws -> any EventStore {
        let store = try makeBaseStore()
        guard let ms = ProcessInfo.processInfo.environment["POLISEN_DASH_FAULT_WRITE_DELAY_MS"].flatMap(Double.init), ms > 0 else { return store }
        return LatencyInjectingStore(store, writeDelaySeconds: ms / 1000)
    }

    private func makeBaseStore() throws -> any EventStore {
        guard let (bucket, prefix) = s3Location, let endpoint = s3Endpoint else { return LocalStore(root: storePath) }
        let credentials: S3Credentials
        do { credentials = try S3CredentialsLoader.load(environment: ProcessInfo.processInfo.environment) } catch {
            throw CommandFailure(description: "\(error)")
        }
        let client = S3Client(endpoint: endpoint, bucket: bucket, region: s3Region, credentials: credentials,
                              transport: CurlTransport(userAgent: userAgent))
        return S3Store(client: client, prefix: prefix)
    }

    /// The call ledger and 404 stop belong to this machine's use of the API: in the store's
    /// folder when local, else in the state folder ($XDG_STATE_HOME/polisen-dash).
    var apiStatePath: String {
        guard let (bucket, prefix) = s3Location else { return "\(storePath)/api-state.json" }
        let env = ProcessInfo.processInfo.environment
        let state = env["XDG_STATE_HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? "\(env["HOME"] ?? ".")/.local/state"
        let name = (bucket + "-" + prefix).map { $0.isLetter || $0.isNumber || $0 == "-" ? $0 : "_" }
        return "\(state)/polisen-dash/api-state-\(String(name)).json"
    }

    var storePath: String {
        if let store, !store.hasPrefix("s3://") { return store }
        let env = ProcessInfo.processInfo.environment
        if let xdg = env["XDG_DATA_HOME"], !xdg.isEmpty { return "\(xdg)/polisen-dash" }
        return "\(env["HOME"] ?? ".")/.local/share/polisen-dash"
    }

    var engineConfig: EngineConfig {
        EngineConfig(apiURL: apiURL, userAgent: userAgent,
                     rules: RateRules(minSpacing: minSpacing, maxPerHour: maxPerHour, maxPerDay: maxPerDay),
                     retry: RetryPolicy(maxAttempts: maxAttempts), totalTimeout: timeout)
    }

    func makeLogger() -> Logger {
        let format = logFormat
        var logger = Logger(label: "polisen-dash") { label -> any LogHandler in
            format == .json ? JSONLogHandler(label: label) : StreamLogHandler.standardError(label: label)
        }
        logger.logLevel = logLevel
        return logger
    }

    /// The poller over the chosen store, opened (crash recovery done). A local store is
    /// locked first: a second poller on it is refused, not raced.
    func openPoller(logger: Logger) async throws -> Poller {
        var lock: StoreLock?
        if s3Location == nil {
            do { lock = try StoreLock(storeRoot: storePath) } catch { throw CommandFailure(description: "\(error)") }
        }
        let poller = try Poller(config: engineConfig, store: try makeStore(),
                                apiStateFile: APIStateFile(path: apiStatePath),
                                transport: CurlTransport(userAgent: userAgent), logger: logger, lock: lock)
        try await poller.open()
        return poller
    }
}

extension Logger.Level: @retroactive ExpressibleByArgument {}

/// Fails a command with a one-line reason and a non-zero exit.
struct CommandFailure: Error, CustomStringConvertible {
    var description: String
    var exitCode: Int32 = 1
}
