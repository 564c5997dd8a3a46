#if canImport(Glibc)
    import Glibc
#endif

/// Wall-clock time as Unix seconds, and sleeping. Injected everywhere time matters so that
/// budgets, backoff and schedules are tested by moving a manual clock instead of sleeping.
public protocol WallClock: Sendable {
    func now() -> Double
    /// Sleeps until `deadline` (Unix seconds); throws CancellationError when the task is cancelled.
    func sleep(until deadline: Double) async throws
}

extension WallClock {
    public func sleep(seconds: Double) async throws { try await sleep(until: now() + seconds) }
}

public struct SystemClock: WallClock {
    public init() {}

    public func now() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
    }

    public func sleep(until deadline: Double) async throws {
        let delta = deadline - now()
        if delta > 0 { try await Task.sleep(nanoseconds: UInt64(delta * 1e9)) }
        try Task.checkCancellation()
    }
}

/// Elapsed time for the stage timers: seconds on a clock that never jumps (unlike the wall
/// clock). Injected like `WallClock`, so a test can assert a stage's milliseconds.
public protocol MonotonicClock: Sendable {
    func uptime() -> Double
}

extension SystemClock: MonotonicClock {
    public func uptime() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
    }
}

/// A running stage timer on a monotonic clock.
public struct Stopwatch: Sendable {
    let clock: any MonotonicClock
    let start: Double

    public init(_ clock: any MonotonicClock) {
        self.clock = clock
        start = clock.uptime()
    }

    public var elapsedMs: Double { (clock.uptime() - start) * 1000 }
}
