import Synchronization
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

/// A clock that moves only when told to. Sleepers wake when `advance` passes their deadline.
public final class ManualClock: WallClock {
    private struct Sleeper { let deadline: Double; let id: Int; let continuation: CheckedContinuation<Void, any Error> }
    private struct State { var now: Double; var sleepers: [Sleeper] = []; var nextID = 0 }
    private let state: Mutex<State>

    public init(now: Double = 1_780_000_000) { state = Mutex(State(now: now)) }

    public func now() -> Double { state.withLock { $0.now } }

    /// How many tasks are sleeping on this clock: lets a test wait until a loop is parked.
    public var sleeperCount: Int { state.withLock { $0.sleepers.count } }

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
        let id = state.withLock { s -> Int in s.nextID += 1; return s.nextID }
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (c: CheckedContinuation<Void, any Error>) in
                let resumeNow = state.withLock { s -> Bool in
                    if deadline <= s.now || Task.isCancelled { return true }
                    s.sleepers.append(Sleeper(deadline: deadline, id: id, continuation: c))
                    return false
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
