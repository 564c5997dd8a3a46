/// The API's call rules (polisen.se): at least 10 s between calls, at most 60 an hour and
/// 1440 a day. Configurable for other endpoints.
public struct RateRules: Codable, Sendable, Equatable {
    public var minSpacing: Double
    public var maxPerHour: Int
    public var maxPerDay: Int

    public init(minSpacing: Double = 10, maxPerHour: Int = 60, maxPerDay: Int = 1440) {
        self.minSpacing = minSpacing
        self.maxPerHour = maxPerHour
        self.maxPerDay = maxPerDay
    }

    public static let polisen = RateRules()
}

/// Every call made in the last 24 hours (Unix seconds, ascending). Retries and manual polls
/// count like any other call; the ledger is persisted so restarts cannot reset it.
public struct CallLedger: Codable, Sendable, Equatable {
    public private(set) var calls: [Double]

    public init(calls: [Double] = []) { self.calls = calls.sorted() }

    public mutating func record(at t: Double) {
        calls.append(t)
        if calls.count > 1, calls[calls.count - 2] > t { calls.sort() }
        prune(now: t)
    }

    /// Moves the last call to when it finished: the server counts a call when it arrives,
    /// which can be later than when it was sent, so spacing is measured from the end.
    public mutating func completeLast(at t: Double) {
        guard let last = calls.last, t > last else { return }
        calls[calls.count - 1] = t
    }

    public mutating func prune(now: Double) {
        if let firstKept = calls.firstIndex(where: { $0 > now - 86_400 }) {
            if firstKept > 0 { calls.removeFirst(firstKept) }
        } else {
            calls.removeAll()
        }
    }

    public func used(inLast seconds: Double, now: Double) -> Int {
        calls.reduce(0) { $0 + ($1 > now - seconds && $1 <= now ? 1 : 0) }
    }

    public var lastCall: Double? { calls.last }

    /// The earliest instant at which one more call keeps every rule.
    public func earliestAllowed(rules: RateRules, now: Double) -> Double {
        var t = now
        if let last = calls.last { t = max(t, last + rules.minSpacing) }
        t = max(t, windowOpens(seconds: 3600, limit: rules.maxPerHour, at: t))
        t = max(t, windowOpens(seconds: 86_400, limit: rules.maxPerDay, at: t))
        return t
    }

    /// When a rolling window of `seconds` next holds fewer than `limit` calls, from `t` on.
    private func windowOpens(seconds: Double, limit: Int, at t: Double) -> Double {
        guard limit > 0 else { return .infinity }
        let inWindow = calls.filter { $0 > t - seconds }
        guard inWindow.count >= limit else { return t }
        // The call that must leave the window: the (count - limit + 1)-th oldest within it.
        return inWindow[inWindow.count - limit] + seconds
    }
}

/// What the dashboard and status show of the budget.
public struct BudgetSnapshot: Codable, Sendable, Equatable {
    public var hourUsed: Int
    public var hourLimit: Int
    public var dayUsed: Int
    public var dayLimit: Int
    public var nextAllowedAt: Double

    public init(ledger: CallLedger, rules: RateRules, now: Double) {
        hourUsed = ledger.used(inLast: 3600, now: now)
        dayUsed = ledger.used(inLast: 86_400, now: now)
        hourLimit = rules.maxPerHour
        dayLimit = rules.maxPerDay
        nextAllowedAt = ledger.earliestAllowed(rules: rules, now: now)
    }
}
