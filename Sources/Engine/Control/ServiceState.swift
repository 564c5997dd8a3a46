import Synchronization

/// A service's picture of itself, kept current by folding in its engine events as they are
/// published; `snapshot()` is what a newly connected client starts from.
public final class ServiceState: Sendable {
    public static let keptReports = 50
    public static let keptFailures = 100
    public static let keptEvents = 500
    public static let keptNotices = 5

    private let state: Mutex<ServiceSnapshot>

    public init(_ initial: ServiceSnapshot) {
        var s = initial
        s.reports = Array(s.reports.suffix(Self.keptReports))
        s.failures = Array(s.failures.suffix(Self.keptFailures))
        s.events = Array(s.events.sortedNewestFirst().prefix(Self.keptEvents))
        state = Mutex(s)
    }

    public func snapshot() -> ServiceSnapshot { state.withLock { $0 } }

    /// Folds one event in; returns its sequence number.
    @discardableResult
    public func fold(_ event: EngineEvent) -> Int {
        state.withLock { s in
            s.seq += 1
            switch event {
            case .phase(let p): s.phase = p
            case .cycleStarted(let cycle, _): s.runningCycle = cycle
            case .stageFinished: break
            case .failure(let f): s.failures = Array((s.failures + [f]).suffix(Self.keptFailures))
            case .cycleFinished(let report, let stored):
                s.runningCycle = nil
                s.reports = Array((s.reports + [report]).suffix(Self.keptReports))
                s.events = s.events.merging(newer: stored.compactMap { $0.decoded() }, limit: Self.keptEvents)
            case .budget(let b): s.budget = b
            case .notice(let n): s.notices = Array((s.notices + [n]).suffix(Self.keptNotices))
            case .scheduled(let next): s.nextPollAt = next
            case .pollRefused: break  // an answer to whoever asked, not state
            }
            return s.seq
        }
    }
}

extension Array where Element == PoliceEvent {
    /// This list with `newer` versions replacing the ones of the same id, newest publication
    /// first, at most `limit`.
    public func merging(newer: [PoliceEvent], limit: Int) -> [PoliceEvent] {
        guard !newer.isEmpty else { return self }
        let replaced = Set(newer.map(\.id))
        return Array((newer + filter { !replaced.contains($0.id) }).sortedNewestFirst().prefix(limit))
    }
}
