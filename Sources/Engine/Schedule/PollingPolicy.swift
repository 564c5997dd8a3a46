/// Decides how long after a cycle's start the next one is due.
public protocol PollingPolicy: Sendable {
    /// The delay, in seconds from `report.startedAt`, before the next scheduled cycle.
    mutating func nextDelay(after report: CycleReport) -> Double
    /// Said once at start-up: "every 30 min", "adaptive, 1 min to 30 min".
    var description: String { get }
    /// The longest delay it schedules (health allows two of them between successes).
    var longestDelay: Double { get }
}

/// The original schedule: the same interval after every cycle.
public struct FixedInterval: PollingPolicy {
    public let interval: Double
    public init(_ interval: Double) { self.interval = interval }
    public mutating func nextDelay(after report: CycleReport) -> Double { interval }
    public var longestDelay: Double { interval }
    public var description: String { "every \(formatDuration(interval))" }
}

/// Polls sooner when the API's window is filling and slower when it is quiet, so that the
/// window never overflows between two calls while the rate budget lasts.
///
/// - The first successful cycle is followed soon (`minimum`): two cycles give a rate.
/// - A detected gap, or new events filling more than `targetFill` of the window: the next call
///   comes as soon as the budget can sustain (`minimum`), since events may soon be lost.
/// - New events: the arrival rate seen since the previous cycle says when the window would be
///   `targetFill` full; the next call comes then, at least `minimum` and at most `maximum`.
/// - Nothing new: the delay doubles, up to `maximum` (twice the configured interval).
/// - A failed cycle (already retried inside): the delay stays, at most the interval.
/// A delay grows at most twofold per cycle, so a burst after a lull is not missed.
public struct AdaptivePolicy: PollingPolicy {
    public let minimum: Double
    public let interval: Double
    public let maximum: Double
    public let window: Int
    public let targetFill: Double
    private var current: Double
    private var previousStart: Double?

    /// `minimum` is the shortest spacing the budget sustains indefinitely (with the API's
    /// rules, 60 calls an hour: one a minute); `maximum` is twice `interval`.
    public init(rules: RateRules, interval: Double, window: Int = 500, targetFill: Double = 0.5) {
        let sustainable = max(rules.minSpacing, 3600 / Double(rules.maxPerHour), 86_400 / Double(rules.maxPerDay))
        minimum = min(sustainable, interval)
        self.interval = interval
        maximum = 2 * interval
        self.window = window
        self.targetFill = targetFill
        current = interval
    }

    public mutating func nextDelay(after report: CycleReport) -> Double {
        guard report.outcome == .ok else {
            current = min(current, interval)
            return current
        }
        defer { previousStart = report.startedAt }
        // The API always answers with its newest `window` events: fullness is how many were new.
        guard let previousStart, report.startedAt > previousStart else {
            current = minimum
            return current
        }
        if report.gap || Double(report.new) > targetFill * Double(window) {
            current = minimum
            return current
        }
        let proposed =
            report.new > 0
            ? targetFill * Double(window) / (Double(report.new) / (report.startedAt - previousStart))
            : current * 2
        current = min(max(min(proposed, current * 2), minimum), maximum)
        return current
    }

    public var description: String { "adaptive, every \(formatDuration(minimum)) to \(formatDuration(maximum))" }
    public var longestDelay: Double { maximum }
}
