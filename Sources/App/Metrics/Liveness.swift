import Engine
import Synchronization

/// When the process started (touched first thing in `main`, so it is that moment).
let processStartTime: Double = SystemClock().now()

/// Is the engine alive? Its actor must answer a trivial call within a deadline. The actor is
/// free while a cycle awaits the network or the disk, so a slow API is not death; a wedged
/// actor or a starved runtime is. Used by /livez and by the systemd watchdog.
enum Liveness {
    static let deadline: Double = 10

    static func probe(_ poller: Poller, deadline: Double = Liveness.deadline) async -> Bool {
        // Not a task group: a group would wait for the unanswered call before returning.
        let once = Mutex<CheckedContinuation<Bool, Never>?>(nil)
        return await withCheckedContinuation { continuation in
            once.withLock { $0 = continuation }
            let answer: @Sendable (Bool) -> Void = { value in once.withLock { $0.take() }?.resume(returning: value) }
            Task {
                _ = await poller.stop
                answer(true)
            }
            Task {
                try? await Task.sleep(for: .seconds(deadline))
                answer(false)
            }
        }
    }
}
