/// Everything a service (`run`, or a dashboard that polls) knows of itself, for a client that
/// has just connected to its control socket: then the events after it complete the picture.
public struct ServiceSnapshot: Codable, Sendable {
    public var pid: Int32
    public var version: String
    /// The store, as messages name it (a folder, or an s3:// address).
    public var store: String
    /// The API address, with any password redacted.
    public var apiURL: String
    /// "every 30 min", or "adaptive, every 1 min to 1 h".
    public var schedule: String
    public var phase: EnginePhase = .idle
    public var runningCycle: Int?
    public var nextPollAt: Double?
    public var budget: BudgetSnapshot?
    /// The last reports and failures, oldest first.
    public var reports: [CycleReport] = []
    public var failures: [FailureEntry] = []
    public var notices: [String] = []
    /// The newest stored events (at most `ServiceState.keptEvents`), newest publication first.
    public var events: [PoliceEvent] = []
    /// The sequence number of the last event folded in: a client applies only later ones.
    public var seq = 0

    public init(pid: Int32, version: String, store: String, apiURL: String, schedule: String) {
        self.pid = pid
        self.version = version
        self.store = store
        self.apiURL = apiURL
        self.schedule = schedule
    }

    enum CodingKeys: String, CodingKey {
        case pid, version, store
        case apiURL = "api_url"
        case schedule, phase
        case runningCycle = "running_cycle"
        case nextPollAt = "next_poll_at"
        case budget, reports, failures, notices, events, seq
    }
}
