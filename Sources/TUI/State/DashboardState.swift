import Engine

/// Everything the dashboard shows, as one value. `reduce` is the only way it changes;
/// the views are pure functions of it.
public struct DashboardState: Sendable {
    public enum Pane: Int, CaseIterable, Sendable { case events, latency, headroom, failures }

    public struct Replay: Sendable {
        public var dates: [LocalDate] = []
        public var index: Int?
        public var day: StoreReader.Day?
        public var loading = false
        public var error: String?
        public var date: LocalDate? { index.flatMap { dates.indices.contains($0) ? dates[$0] : nil } }
    }

    public enum Prompt: Sendable, Equatable { case filter, date }

    public var width: Int
    public var height: Int
    public var now: Double
    public var storeLocation: String
    public var apiURL: String
    public var demo = false
    public var noColor = false

    public var phase: EnginePhase = .idle
    public var events: [PoliceEvent] = []
    public var newIDs: Set<Int> = []
    public var reports: [CycleReport] = []
    public var failures: [FailureEntry] = []
    public var budget: BudgetSnapshot?
    public var nextPollAt: Double?
    /// "every 30 min", or "adaptive, every 1 min to 1 h".
    public var schedule: String?
    public var manualRequested = false
    public var notices: [String] = []
    public var runningCycle: Int?

    public var selected = 0
    public var focus: Pane = .events
    public var filter = ""
    public var prompt: Prompt?
    public var promptText = ""
    public var detailOpen = false
    public var helpOpen = false
    public var replay: Replay?
    public var quitting = false
    public var failureScroll = 0

    public static let keptEvents = 1000
    public static let keptReports = 50
    public static let keptFailures = 100

    public init(width: Int, height: Int, now: Double, storeLocation: String, apiURL: String) {
        self.width = width; self.height = height; self.now = now
        self.storeLocation = storeLocation; self.apiURL = apiURL
    }

    /// The events the list shows: live or the replayed day, through the filter.
    public var visibleEvents: [PoliceEvent] {
        let source = replay.map { $0.day?.events ?? [] } ?? events
        guard !filter.isEmpty else { return source }
        let query = EventQuery(filter)
        return source.filter(query.matches)
    }

    public var selectedEvent: PoliceEvent? {
        let list = visibleEvents
        return list.indices.contains(selected) ? list[selected] : nil
    }

    public var lastReport: CycleReport? { reports.last }
}

/// A message to the dashboard: input, engine progress, time, or loaded data.
public enum DashboardMessage: Sendable {
    case key(Key)
    case resize(width: Int, height: Int)
    case tick(now: Double)
    case engine(EngineEvent)
    case schedule(nextPollAt: Double?)
    case history(reports: [CycleReport], failures: [FailureEntry])
    case initialEvents([PoliceEvent])
    case replayDates([LocalDate])
    case replayDay(StoreReader.Day)
    case replayFailed(String)
}

/// What the runtime must do for the dashboard (the reducer never does I/O itself).
public enum DashboardEffect: Sendable, Equatable {
    case pollNow
    case loadReplayDates
    case loadReplayDay(LocalDate)
    case quit
}
