import Engine
import Synchronization

/// Runs the dashboard: one thread owns the terminal (keys, drawing); the engine runs in tasks
/// and reaches the screen only as messages. Nothing in the input loop waits on the network or
/// the disk.
public final class DashboardRuntime: Sendable {
    private let inbox = Mutex<[DashboardMessage]>([])
    private let stopRequested = Atomic<Bool>(false)

    public init() {}

    public func post(_ message: DashboardMessage) { inbox.withLock { $0.append(message) } }

    /// Ends the loop from any thread (SIGTERM); the terminal is restored.
    public func requestStop() { stopRequested.store(true, ordering: .relaxed) }

    /// Runs the terminal loop on its own thread until `q` or `requestStop()`.
    public func run(
        state initial: DashboardState, clock: any WallClock,
        effects: @escaping @Sendable (DashboardEffect) -> Void
    ) async {
        await withCheckedContinuation { (done: CheckedContinuation<Void, Never>) in
            DedicatedThread.run { [self] in
                self.loop(initial, clock: clock, effects: effects)
                done.resume()
            }
        }
    }

    private func loop(_ initial: DashboardState, clock: any WallClock, effects: @Sendable (DashboardEffect) -> Void) {
        let terminal = NcursesTerminal(noColor: initial.noColor)
        defer { terminal.stop() }
        var state = initial
        let size = terminal.size
        state.width = size.width
        state.height = size.height
        state.now = clock.now()
        var dirty = true
        var lastSecond = Int(state.now)
        while !stopRequested.load(ordering: .relaxed) {
            if dirty {
                terminal.draw(render(state))
                dirty = false
            }
            var messages: [DashboardMessage] = []
            let (key, resized) = terminal.readKey()
            if resized {
                let s = terminal.size
                messages.append(.resize(width: s.width, height: s.height))
            }
            if let key { messages.append(.key(key)) }
            messages += inbox.withLock { m in
                defer { m.removeAll() }
                return m
            }
            let now = clock.now()
            if Int(now) != lastSecond {
                lastSecond = Int(now)
                messages.append(.tick(now: now))
            }
            for m in messages {
                for effect in state.reduce(m) {
                    switch effect {
                    case .quit: return
                    // The terminal's own effects stay on this thread, which owns the terminal.
                    case .bell: terminal.bell()
                    case .copy(let text): terminal.writeRaw(OSC52.sequence(for: text))
                    default: effects(effect)
                    }
                }
                dirty = true
            }
        }
    }
}
