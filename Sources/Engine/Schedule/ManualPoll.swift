/// Whether a "poll now" can be made at all, and if not why and until when: one rule for the
/// dashboard's key and the control socket's `poll_now`. A poll that must only wait for the
/// spacing between calls is allowed (the cycle waits, with a countdown).
public enum ManualPoll {
    public struct Refusal: Sendable, Equatable {
        public var reason: String
        /// When it becomes possible (nil: not by waiting, e.g. a 404 stop).
        public var until: Double?
    }

    public static func refusal(stop: String?, budget: BudgetSnapshot?, now: Double) -> Refusal? {
        if let stop { return Refusal(reason: "polling is stopped (\(stop)); reset the 404 stop first", until: nil) }
        guard let b = budget, b.nextAllowedAt > now, b.hourUsed >= b.hourLimit || b.dayUsed >= b.dayLimit else { return nil }
        let which = b.dayUsed >= b.dayLimit ? "daily budget (\(b.dayUsed)/\(b.dayLimit))" : "hourly budget (\(b.hourUsed)/\(b.hourLimit))"
        return Refusal(reason: "the \(which) is used up", until: b.nextAllowedAt.isFinite ? b.nextAllowedAt : nil)
    }
}
