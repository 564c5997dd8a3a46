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

    /// A question the next key answers (y or n).
    public enum Confirmation: Sendable, Equatable { case reset404 }

    /// A one-line answer to a key, shown in the status line until it expires.
    public struct Flash: Sendable, Equatable {
        public enum Tone: Sendable, Equatable { case info, warn, alert }
        public var text: String
        public var tone: Tone
        public var until: Double
        /// A shorter wording for a narrow status line.
        public var short: String? = nil
    }

    public var width: Int
    public var height: Int
    public var now: Double
    public var storeLocation: String
    public var apiURL: String
    public var demo = false
    /// The pid of the service this dashboard is attached to (nil: it polls itself).
    public var attachedTo: Int32?
    /// The attached service has gone: the title bar offers to take over or quit.
    public var serviceStopped = false
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
    /// When the last successful cycle ended, as the engine knew it at start (the kept reports
    /// may not reach back that far).
    public var lastSuccessAt: Double?
    /// Watch rules: matching events are marked in the list; bell rules ring on arrival.
    public var watches: [WatchRule] = []

    public var selected = 0
    /// Events that arrived above the selection while it was away from the top ("↑ N new").
    public var newAbove = 0
    public var focus: Pane = .events
    public var filter = ""
    public var prompt: Prompt?
    public var promptText = ""
    public var confirmation: Confirmation?
    public var flash: Flash?
    public var detailOpen = false
    public var failureDetailOpen = false
    public var helpOpen = false
    public var countsOpen = false
    public var matchesOnly = false
    /// A URL shown whole because no browser could be started for it.
    public var shownURL: String?
    public var replay: Replay?
    /// The last seven stored days, for the counts view (loaded on demand).
    public var week: [PoliceEvent]?
    public var quitting = false
    /// The selected failure, counted from the newest.
    public var failureScroll = 0

    public static let keptEvents = 1000
    public static let keptReports = 50
    public static let keptFailures = 100
    /// How long a key's answer stays in the status line.
    public static let flashSeconds = 8.0

    public init(width: Int, height: Int, now: Double, storeLocation: String, apiURL: String) {
        self.width = width
        self.height = height
        self.now = now
        self.storeLocation = storeLocation
        self.apiURL = apiURL
    }

    /// The events the list shows: live or the replayed day, through the filter and, when
    /// asked, only the watch rules' matches.
    public var visibleEvents: [PoliceEvent] {
        var list = replay.map { $0.day?.events ?? [] } ?? events
        if !filter.isEmpty {
            let query = EventQuery(filter)
            list = list.filter(query.matches)
        }
        if matchesOnly { list = list.filter { watchMatch($0) != nil } }
        return list
    }

    public var selectedEvent: PoliceEvent? {
        let list = visibleEvents
        return list.indices.contains(selected) ? list[selected] : nil
    }

    /// The selected failure (the pane lists them newest first).
    public var selectedFailure: FailureEntry? {
        let i = failures.count - 1 - failureScroll
        return failures.indices.contains(i) ? failures[i] : nil
    }

    public var lastReport: CycleReport? { reports.last }

    /// The first watch rule an event matches.
    public func watchMatch(_ e: PoliceEvent) -> WatchRule? { watches.first { $0.matches(e) } }
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
    /// The last seven stored days, for the counts view.
    case week([PoliceEvent])
    /// The 404 stop was cleared (nil), or could not be (the reason).
    case resetDone(error: String?)
    /// No browser could be started: the URL is shown instead.
    case cannotOpen(url: String)
    /// From the service an attached dashboard watches.
    case attach(AttachMessage)
}

/// What the runtime must do for the dashboard (the reducer never does I/O itself).
public enum DashboardEffect: Sendable, Equatable {
    case pollNow
    case loadReplayDates
    case loadReplayDay(LocalDate)
    case loadWeek
    case reset404
    /// Open a page in a browser (never blocking the loop).
    case openURL(String)
    /// Put text on the terminal's clipboard (OSC 52).
    case copy(String)
    case bell
    case quit
    /// The attached service stopped: poll in this process instead.
    case takeOver
}
