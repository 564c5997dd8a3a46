import Engine
import Synchronization

/// A clock that moves only when told to, as wall clock and as the stage timers' monotonic clock
/// alike. Sleepers wake when `advance` passes their deadline.
public final class ManualClock: WallClock, MonotonicClock {
    private struct Sleeper {
        let deadline: Double
        let id: Int
        let continuation: CheckedContinuation<Void, any Error>
    }
    private struct State {
        var now: Double
        var sleepers: [Sleeper] = []
        var nextID = 0
        /// Bumped whenever a task starts sleeping, or on `notify()`: what `waitForChange` waits on.
        var generation = 0
        var watchers: [(after: Int, continuation: CheckedContinuation<Void, Never>)] = []
    }
    private let state: Mutex<State>

    public init(now: Double = 1_780_000_000) { state = Mutex(State(now: now)) }

    public func now() -> Double { state.withLock { $0.now } }
    public func uptime() -> Double { now() }

    /// How many tasks are sleeping on this clock: lets a test wait until a loop is parked.
    public var sleeperCount: Int { state.withLock { $0.sleepers.count } }
    /// The earliest deadline a task sleeps until.
    public var nextDeadline: Double? { state.withLock { $0.sleepers.map(\.deadline).min() } }

    public var generation: Int { state.withLock { $0.generation } }

    /// Suspends until a task starts sleeping on this clock, or `notify()` is called, after the
    /// moment `generation` was read — never spinning.
    public func waitForChange(after generation: Int) async {
        await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in
            let now = state.withLock { s -> Bool in
                if s.generation != generation { return true }
                s.watchers.append((generation, c))
                return false
            }
            if now { c.resume() }
        }
    }

    /// Wakes whoever waits in `waitForChange` (a test's own event, such as a task finishing).
    public func notify() { bump { _ in } }

    private func bump(_ change: (inout State) -> Void) {
        let woken = state.withLock { s -> [CheckedContinuation<Void, Never>] in
            change(&s)
            s.generation += 1
            let w = s.watchers.map(\.continuation)
            s.watchers.removeAll()
            return w
        }
        for c in woken { c.resume() }
    }

    public func advance(by seconds: Double) { set(now() + seconds) }

    public func set(_ t: Double) {
        let due = state.withLock { s -> [Sleeper] in
            s.now = max(s.now, t)
            let now = s.now
            let due = s.sleepers.filter { $0.deadline <= now }
            s.sleepers.removeAll { $0.deadline <= now }
            return due
        }
        for s in due { s.continuation.resume() }
    }

    public func sleep(until deadline: Double) async throws {
        let id = state.withLock { s -> Int in
            s.nextID += 1
            return s.nextID
        }
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (c: CheckedContinuation<Void, any Error>) in
                var resumeNow = false
                bump { s in
                    if deadline <= s.now || Task.isCancelled {
                        resumeNow = true
                    } else {
                        s.sleepers.append(Sleeper(deadline: deadline, id: id, continuation: c))
                    }
                }
                if resumeNow { c.resume() }
            }
        } onCancel: {
            let sleeper = state.withLock { s -> Sleeper? in
                guard let i = s.sleepers.firstIndex(where: { $0.id == id }) else { return nil }
                return s.sleepers.remove(at: i)
            }
            sleeper?.continuation.resume(throwing: CancellationError())
        }
        try Task.checkCancellation()
    }
}
