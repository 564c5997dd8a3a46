import Dispatch
import Synchronization

/// Bounds how long a service takes to stop once asked to: the steps of its stop run one after
/// another, each named; if they have not all finished `limit` seconds after `arm()`, `expired`
/// is told the step still waited for (the service logs it and exits non-zero rather than hang
/// until systemd kills it without a word).
///
/// The clock runs on a thread of its own, so a stop stuck anywhere, even with every executor
/// thread blocked, is still noticed.
public final class StopDeadline: Sendable {
    private struct State {
        var armed = false
        var finished = false
        var waitingFor: String
    }

    public let limit: Double
    private let state: Mutex<State>
    private let expired: @Sendable (_ waitingFor: String) -> Void
    private let done = DispatchSemaphore(value: 0)

    /// - first: what the stop waits for before any step has begun (the work in flight).
    public init(limit: Double, first: String, expired: @escaping @Sendable (_ waitingFor: String) -> Void) {
        self.limit = limit
        self.expired = expired
        state = Mutex(State(waitingFor: first))
    }

    /// Starts the clock; later calls do nothing. Safe from any thread (a signal's handler).
    public func arm() {
        let first = state.withLock { s in
            defer { s.armed = true }
            return !s.armed && !s.finished
        }
        guard first else { return }
        DedicatedThread.run { [self] in
            guard done.wait(timeout: .now() + limit) == .timedOut else { return }
            let (late, what) = state.withLock { s in (!s.finished, s.waitingFor) }
            if late { expired(what) }
        }
    }

    /// Runs one step of the stop, named for the report should it be the one that does not end.
    public func step(_ name: String, _ body: @Sendable () async -> Void) async {
        state.withLock { $0.waitingFor = name }
        await body()
    }

    /// Every step has ended: the clock stops without telling anyone.
    public func finish() {
        state.withLock { $0.finished = true }
        done.signal()
    }
}
