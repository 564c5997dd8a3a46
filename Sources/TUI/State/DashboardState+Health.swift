import Engine

/// The archive's health as the screen states it: the last success, a failed last cycle, the
/// next try. Derived from the reports and the engine's phase, in one place.
extension DashboardState {
    /// When the last successful cycle ended.
    public var lastSuccess: Double? {
        let fromReports = reports.last(where: { $0.outcome == .ok }).map { $0.startedAt + ($0.totalMs + $0.waitedMs) / 1000 }
        switch (fromReports, lastSuccessAt) {
        case (let a?, let b?): return max(a, b)
        case (let a, let b): return a ?? b
        }
    }

    /// The last cycle, when it failed.
    public var failedLastCycle: CycleReport? {
        guard let last = reports.last, last.outcome == .failed else { return nil }
        return last
    }

    /// When the engine will next call the API: the end of a backoff or budget wait, else
    /// the scheduled poll (never before the rate budget allows it).
    public var nextTryAt: Double? {
        switch phase {
        case .backingOff(let until), .waitingForBudget(let until): return until
        case .stopped: return nil
        default:
            guard let next = nextPollAt else { return nil }
            return max(next, budget?.nextAllowedAt ?? next)
        }
    }

    /// Fetched events the local journal holds because the store has not taken them yet (a store
    /// outage in progress); nil when none wait.
    public var journalPending: Int? {
        guard let n = reports.last?.journalPending, n > 0 else { return nil }
        return n
    }

    /// "last success 3 min ago" or "no success yet".
    public var lastSuccessText: String {
        lastSuccess.map { "last success \(relativeTime($0, now: now))" } ?? "no success yet"
    }

    /// A failed last cycle's reason, short: the first clause of its error.
    public static func shortReason(_ error: String?) -> String {
        let e = TerminalText.sanitize(error ?? "unknown error")
        if let cut = e.firstRange(of: ": the ") ?? e.firstRange(of: "; ") { return String(e[..<cut.lowerBound]) }
        return e
    }
}
