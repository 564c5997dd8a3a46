import Engine
import Synchronization

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
