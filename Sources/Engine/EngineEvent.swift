/// What the engine is doing, published as it happens on an async stream. The dashboard
/// reduces these into its state; nothing else couples the two.
public enum EnginePhase: Sendable, Equatable {
    case idle
    case waitingForBudget(until: Double)
    case fetching(attempt: Int)
    case backingOff(until: Double)
    case processing
    case saving
    case updatingMetadata
    case stopped(reason: String)
}

public enum EngineEvent: Sendable {
    case phase(EnginePhase)
    case cycleStarted(cycle: Int, trigger: CycleReport.Trigger)
    case stageFinished(Stage, ms: Double)
    case failure(FailureEntry)
    /// A finished cycle and the events it stored (new and edited), decoded for display.
    case cycleFinished(CycleReport, stored: [PoliceEvent])
    case budget(BudgetSnapshot)
    case notice(String)
}

public struct EngineConfig: Sendable {
    public static let defaultAPIURL = "https://polisen.se/api/events"
    public static let version = "0.1.0"
    public static let defaultUserAgent = "polisen-dash/\(version) (+https://github.com/polisen-dash/polisen-dash)"

    public var apiURL: String
    public var userAgent: String
    public var rules: RateRules
    public var retry: RetryPolicy
    public var seenBounds: SeenBounds
    public var connectTimeout: Double
    public var totalTimeout: Double
    public var maxBodyBytes: Int
    /// The API's window: a response this size is "full" (gap detection).
    public var fullWindow: Int

    public init(apiURL: String = EngineConfig.defaultAPIURL, userAgent: String = EngineConfig.defaultUserAgent,
                rules: RateRules = .polisen, retry: RetryPolicy = RetryPolicy(), seenBounds: SeenBounds = SeenBounds(),
                connectTimeout: Double = 10, totalTimeout: Double = 30, maxBodyBytes: Int = 8 << 20, fullWindow: Int = 500) {
        self.apiURL = apiURL; self.userAgent = userAgent; self.rules = rules; self.retry = retry
        self.seenBounds = seenBounds; self.connectTimeout = connectTimeout; self.totalTimeout = totalTimeout
        self.maxBodyBytes = maxBodyBytes; self.fullWindow = fullWindow
    }
}
