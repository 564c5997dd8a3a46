import Config
import Engine
import FoundationEssentials
import Logging

/// The resolved settings turned into the engine's parts: store, API state path, engine
/// config, logger, poller.
struct Setup {
    let settings: Settings
    let environment: [String: String]

    init(settings: Settings, environment: [String: String]) throws {
        self.settings = settings
        self.environment = environment
        if let store = settings.string(.store), store.hasPrefix("s3://") {
            guard s3Location != nil else { throw SettingError("store: expected s3://BUCKET or s3://BUCKET/PREFIX, got \"\(store)\"") }
            guard settings.string(.s3Endpoint) != nil else {
                throw SettingError("an s3:// store needs s3_endpoint https://… (for AWS: https://s3.REGION.amazonaws.com)")
            }
        }
        if (settings.string(.userAgent) ?? "").allSatisfy(\.isWhitespace) {
            throw SettingError("user_agent must not be empty: the API answers 403 without one")
        }
    }

    var apiURL: String { settings.string(.apiURL)! }
    var interval: Double { settings.number(.interval) }
    var adaptive: Bool { settings.boolean(.adaptive) }
    var metricsAddress: String? { settings.string(.metricsAddr) }

    /// (bucket, prefix) of an s3:// store.
    var s3Location: (bucket: String, prefix: String)? {
        guard let store = settings.string(.store), store.hasPrefix("s3://") else { return nil }
        let rest = store.dropFirst(5)
        let bucket = rest.prefix { $0 != "/" }
        guard !bucket.isEmpty else { return nil }
        return (String(bucket), String(rest.dropFirst(bucket.count).drop { $0 == "/" }))
    }

    /// What the store is called in messages: the folder, or the s3:// address.
    var storeDescription: String { s3Location == nil ? storePath : settings.string(.store)! }

    var storePath: String {
        if let store = settings.string(.store), !store.hasPrefix("s3://") { return store }
        if let xdg = environment["XDG_DATA_HOME"], !xdg.isEmpty { return "\(xdg)/polisen-dash" }
        return "\(environment["HOME"] ?? ".")/.local/share/polisen-dash"
    }

    /// For the commands that only read a store (`status`, `replay`, `compact`): a local store
    /// that does not exist, or is a file, is a mistake to say, not an empty archive to show.
    func requireExistingStore() throws {
        guard s3Location == nil else { return }
        let source = settings.entry(.store).source
        if FileIO.isDirectory(storePath) { return }
        throw CommandFailure(
            description: FileIO.exists(storePath)
                ? "store \(storePath) (\(source)) is a file, not a store folder"
                : "no store at \(storePath) (\(source)): nothing has been stored there; give --store or set store in the config file",
            status: .noStore)
    }

    /// The chosen store: a local folder or an S3 bucket, slowed down when fault testing asks.
    func makeStore() throws -> any EventStore {
        let store = try makeBaseStore()
        let delay = { (name: String) in (self.environment[name].flatMap(Double.init) ?? 0) / 1000 }
        let read = delay("POLISEN_DASH_FAULT_READ_DELAY_MS")
        let write = delay("POLISEN_DASH_FAULT_WRITE_DELAY_MS")
        let metadataWrite = delay("POLISEN_DASH_FAULT_METADATA_WRITE_DELAY_MS")
        guard read > 0 || write > 0 || metadataWrite > 0 else { return store }
        return LatencyInjectingStore(
            store, writeDelaySeconds: write, readDelaySeconds: read,
            metadataWriteDelaySeconds: metadataWrite > 0 ? metadataWrite : write)
    }

    private func makeBaseStore() throws -> any EventStore {
        guard let (bucket, prefix) = s3Location, let endpoint = settings.string(.s3Endpoint) else { return LocalStore(root: storePath) }
        let credentials: S3Credentials
        do { credentials = try S3CredentialsLoader.load(environment: environment) } catch {
            throw CommandFailure(description: "\(error)", status: .configError)
        }
        let client = S3Client(
            endpoint: endpoint, bucket: bucket, region: settings.string(.s3Region)!, credentials: credentials,
            transport: CurlTransport(userAgent: settings.string(.userAgent)!), timeout: settings.number(.storeTimeout))
        return S3Store(client: client, prefix: prefix)
    }

    /// The call ledger and 404 stop belong to this machine's use of the API: in the store's
    /// folder when local, else in the state folder ($XDG_STATE_HOME/polisen-dash).
    var apiStatePath: String { stateFile("api-state", "json") }

    /// A file of this machine's own for the store: `STORE/NAME.EXT` when local, else
    /// `$XDG_STATE_HOME/polisen-dash/NAME-BUCKET-PREFIX.EXT`.
    private func stateFile(_ name: String, _ ext: String) -> String {
        guard let (bucket, prefix) = s3Location else { return "\(storePath)/\(name).\(ext)" }
        let state = environment["XDG_STATE_HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? "\(environment["HOME"] ?? ".")/.local/state"
        let store = (bucket + "-" + prefix).map { $0.isLetter || $0.isNumber || $0 == "-" ? $0 : "_" }
        return "\(state)/polisen-dash/\(name)-\(String(store)).\(ext)"
    }

    /// The journal of fetched events not yet stored: beside the call ledger, on this machine.
    var journal: ResponseJournal {
        ResponseJournal(path: stateFile("journal", "jsonl"), legacyPath: stateFile("pending-response", "json"))
    }

    var engineConfig: EngineConfig {
        EngineConfig(
            apiURL: apiURL,
            rules: RateRules(
                minSpacing: settings.number(.minSpacing), maxPerHour: settings.integer(.maxPerHour),
                maxPerDay: settings.integer(.maxPerDay)),
            retry: RetryPolicy(maxAttempts: settings.integer(.maxAttempts)), totalTimeout: settings.number(.timeout))
    }

    /// The fixed interval, or --adaptive's policy over it.
    var pollingPolicy: any PollingPolicy {
        adaptive ? AdaptivePolicy(rules: engineConfig.rules, interval: interval) : FixedInterval(interval)
    }

    func makeScheduler(poller: Poller) -> Scheduler {
        Scheduler(poller: poller, clock: SystemClock(), policy: pollingPolicy)
    }

    /// The process's logger: text (with journald priorities when systemd reads stderr) or
    /// JSON lines. `level` is shared by every copy, so a reload can change it.
    func makeLogger(level: LogLevelSetting = LogLevelSetting(.info)) -> Logger {
        let json = settings.string(.logFormat) == "json"
        let journald = !(environment["JOURNAL_STREAM"] ?? "").isEmpty
        level.value = logLevel
        return Logger(label: "polisen-dash") { label -> any LogHandler in
            json ? JSONLogHandler(label: label, level: level) : TextLogHandler(label: label, level: level, journald: journald)
        }
    }

    var logLevel: Logger.Level { Logger.Level(rawValue: settings.string(.logLevel)!) ?? .info }

    /// The poller over the chosen store, opened (crash recovery done). A local store is
    /// locked first: a second poller on it is refused, not raced; so is a second poller of an
    /// S3 store from the same state folder (see `StoreLock`).
    /// `overlapped`: the store's part of the opening overlaps the first cycle's fetch (a
    /// one-shot poll then takes about one cycle).
    /// `keepPollingIfStoreIsDown` (a service): an object store that cannot be reached now does
    /// not stop the start; the API is polled into the journal and the store opened by a later
    /// cycle. (A local folder that cannot be opened is a mistake to say at once.)
    func openPoller(logger: Logger, overlapped: Bool = false, keepPollingIfStoreIsDown: Bool = false) async throws -> Poller {
        let lock: StoreLock
        do {
            lock =
                try s3Location == nil
                ? StoreLock(storeRoot: storePath) : StoreLock(path: stateFile("poller", "lock"), store: storeDescription)
        } catch {
            throw CommandFailure(description: "\(error)", status: error is StoreLock.Held ? .storeLocked : .failed)
        }
        let poller = try Poller(
            config: engineConfig, store: try makeStore(),
            apiStateFile: APIStateFile(path: apiStatePath),
            transport: CurlTransport(userAgent: settings.string(.userAgent)!), journal: journal,
            logger: logger, lock: lock)
        if overlapped {
            await poller.openInBackground()
        } else if keepPollingIfStoreIsDown && s3Location != nil {
            if let error = await poller.openOrDefer() {
                logger.warning(
                    "the store cannot be opened now (\(error)); polling the API meanwhile, fetched events wait in the journal until a cycle reaches the store"
                )
            }
        } else {
            try await poller.open()
        }
        return poller
    }
}
