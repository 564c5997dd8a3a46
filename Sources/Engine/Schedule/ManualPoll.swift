/// Whether a "poll now" can be made at all, and if not why and until when: one rule for the
/// dashboard's key and the control socket's `poll_now` (both go through `Scheduler.pollNow`,
/// which publishes a refusal as `EngineEvent.pollRefused`). A poll that must only wait for the
/// spacing between calls is allowed (the cycle waits, with a countdown).
public enum ManualPoll {
    public struct Refusal: Codable, Sendable, Equatable {
        public enum Kind: String, Codable, Sendable { case stopped, hourBudget, dayBudget, notBefore }
        public var kind: Kind
        public var reason: String
        /// When it becomes possible (nil: not by waiting, e.g. a 404 stop).
        public var until: Double?

        public init(kind: Kind, reason: String, until: Double?) {
            self.kind = kind
            self.reason = reason
            self.until = until
        }
    }

    /// `maxWait`: how long a cycle may wait for its first call; a poll the API's own wait
    /// (Retry-After) pushes beyond it would only be skipped, so it is refused here instead.
    public static func refusal(stop: String?, budget: BudgetSnapshot?, now: Double, maxWait: Double = .infinity) -> Refusal? {
        if let stop { return Refusal(kind: .stopped, reason: "polling is stopped (\(stop)); reset the 404 stop first", until: nil) }
        guard let b = budget, b.nextAllowedAt > now else { return nil }
        let until = b.nextAllowedAt.isFinite ? b.nextAllowedAt : nil
        if b.dayUsed >= b.dayLimit {
            return Refusal(kind: .dayBudget, reason: "the daily budget (\(b.dayUsed)/\(b.dayLimit)) is used up", until: until)
        }
        if b.hourUsed >= b.hourLimit {
            return Refusal(kind: .hourBudget, reason: "the hourly budget (\(b.hourUsed)/\(b.hourLimit)) is used up", until: until)
        }
        if b.nextAllowedAt - now > maxWait {
            return Refusal(kind: .notBefore, reason: "the API asked to wait before the next call", until: until)
        }
        return nil
    }
}
