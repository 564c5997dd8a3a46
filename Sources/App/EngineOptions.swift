import ArgumentParser
import Engine
import Foundation
import Logging

/// The options every engine-running command shares (`poll`, `run`, the dashboard).
struct EngineOptions: ParsableArguments {
    @Option(name: .long, help: "The events API address.")
    var apiURL: String = EngineConfig.defaultAPIURL

    @Option(name: .long, help: "Where events are stored (a folder). Default: $XDG_DATA_HOME/polisen-dash.")
    var store: String?

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
    }

    var storePath: String {
        if let store { return store }
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
        var logger = Logger(label: "polisen-dash") { StreamLogHandler.standardError(label: $0) }
        logger.logLevel = logLevel
        return logger
    }

    /// The poller over the chosen store, opened (crash recovery done).
    func openPoller(logger: Logger) async throws -> Poller {
        let root = storePath
        let poller = try Poller(config: engineConfig, store: LocalStore(root: root),
                                apiStateFile: APIStateFile(path: "\(root)/api-state.json"),
                                transport: CurlTransport(userAgent: userAgent), logger: logger)
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
