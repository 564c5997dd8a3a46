public struct EngineConfig: Sendable {
    public static let defaultAPIURL = "https://polisen.se/api/events"
    public static let version = "0.1.0"
    public static let defaultUserAgent = "polisen-dash/\(version) (+https://github.com/polisen-dash/polisen-dash)"

    public var apiURL: String
    public var rules: RateRules
    public var retry: RetryPolicy
    public var seenBounds: SeenBounds
    public var connectTimeout: Double
    public var totalTimeout: Double
    public var maxBodyBytes: Int
    /// The API's window: a response this size is "full" (gap detection).
    public var fullWindow: Int
    /// The most the journal of fetched, not yet stored events may hold.
    public var journalLimitBytes: Int

    public init(
        apiURL: String = EngineConfig.defaultAPIURL, rules: RateRules = .polisen, retry: RetryPolicy = RetryPolicy(),
        seenBounds: SeenBounds = SeenBounds(),
        connectTimeout: Double = 10, totalTimeout: Double = 30, maxBodyBytes: Int = 8 << 20, fullWindow: Int = 500,
        journalLimitBytes: Int = ResponseJournal.defaultLimitBytes
    ) {
        self.apiURL = apiURL
        self.rules = rules
        self.retry = retry
        self.seenBounds = seenBounds
        self.connectTimeout = connectTimeout
        self.totalTimeout = totalTimeout
        self.maxBodyBytes = maxBodyBytes
        self.fullWindow = fullWindow
        self.journalLimitBytes = journalLimitBytes
    }
}
