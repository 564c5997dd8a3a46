import Engine

#if canImport(Glibc)
    import Glibc
#endif

/// A week of the API's window, simulated without I/O, to compare polling policies: events
/// arrive as a Poisson process with a daily rhythm; each call sees the newest `window` of them;
/// an event that leaves the window before any call saw it is lost.
public struct PolicySimulation: Sendable {
    public struct Outcome: Sendable, Equatable {
        public var published = 0
        public var stored = 0
        public var lost = 0
        public var calls = 0
        /// The most calls in any rolling hour and day: the budget must hold them.
        public var peakHour = 0
        public var peakDay = 0
    }

    /// Today's rate: the window of 500 typically spans 6.9 days (fixture history).
    public static let todaysEventsPerDay = 500 / 6.9

    public let eventsPerDay: Double
    public let duration: Double
    public let window: Int
    public let seed: UInt64

    public init(eventsPerDay: Double, duration: Double = 7 * 86_400, window: Int = 500, seed: UInt64 = 1) {
        self.eventsPerDay = eventsPerDay
        self.duration = duration
        self.window = window
        self.seed = seed
    }

    /// Publication times: a Poisson process whose rate swings ±70 % over the day (quiet
    /// at night, busy in the evening), thinned from its peak rate.
    public func arrivals() -> [Double] {
        var rng = SplitMix64(seed: seed)
        let mean = eventsPerDay / 86_400
        let peak = mean * 1.7
        var t = 0.0
        var out: [Double] = []
        out.reserveCapacity(Int(eventsPerDay * duration / 86_400 * 1.1))
        while true {
            t += -log(1 - rng.nextUnit()) / peak
            if t >= duration { return out }
            let rate = mean * (1 + 0.7 * sin(2 * Double.pi * (t / 86_400 - 0.4)))
            if rng.nextUnit() < rate / peak { out.append(t) }
        }
    }

    public func run(_ policy: some PollingPolicy) -> Outcome {
        var policy = policy
        let times = arrivals()
        var outcome = Outcome()
        outcome.published = times.count
        var seenUpTo = 0  // events [0, seenUpTo) have been fetched or lost
        var t = 0.0
        var cycle = 0
        var calls: [Double] = []
        var published = 0
        while t < duration {
            while published < times.count && times[published] <= t { published += 1 }
            let oldestInWindow = max(0, published - window)
            let lost = max(0, oldestInWindow - seenUpTo)
            let new = published - max(oldestInWindow, seenUpTo)
            outcome.lost += lost
            outcome.stored += new
            cycle += 1
            var report = CycleReport(cycle: cycle, trigger: .schedule, startedAt: t)
            report.fetched = published - oldestInWindow
            report.new = new
            report.gap = seenUpTo > 0 && lost > 0
            seenUpTo = published
            calls.append(t)
            t += policy.nextDelay(after: report)
        }
        outcome.calls = calls.count
        outcome.peakHour = peakCount(calls, within: 3600)
        outcome.peakDay = peakCount(calls, within: 86_400)
        return outcome
    }

    private func peakCount(_ times: [Double], within span: Double) -> Int {
        var lo = 0
        var best = 0
        for hi in times.indices {
            while times[hi] - times[lo] >= span { lo += 1 }
            best = max(best, hi - lo + 1)
        }
        return best
    }
}
