import Logging
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// Runs the watch rules over what the engine stores: for every event a finished cycle stored
/// (new, or a new version) each rule whose query matches that version counts a match, and a
/// rule with a `command` gets it run with the stored line on standard input (see `WatchRule`).
///
/// It consumes the engine's stream, after the cycle has finished, and never blocks it: commands
/// run on threads of their own, at most `concurrency` at once; the rest wait in a queue of at
/// most `queueLimit`, past which a command is dropped with a logged failure. A command that
/// fails, is killed at its time limit or is dropped is logged, counted
/// (`polisen_watch_command_failures_total`) and published as a failure of stage `watch`, which
/// the failures pane shows. Nothing a rule does can delay or fail a cycle.
public final class WatchRunner: Sendable {
    public struct Limits: Sendable {
        public var timeout: Double = 10
        public var concurrency = 4
        public var queueLimit = 256
        public init(timeout: Double = 10, concurrency: Int = 4, queueLimit: Int = 256) {
            self.timeout = timeout
            self.concurrency = concurrency
            self.queueLimit = queueLimit
        }
    }

    struct Job: Sendable {
        var rule: WatchRule
        var command: String
        var event: StoredEvent
        var cycle: Int
    }

    private struct State {
        var queue: [Job] = []
        var running = 0
        /// Process groups of the commands running now.
        var groups: Set<Int32> = []
        var stopped = false
        var idle: [CheckedContinuation<Void, Never>] = []
    }

    public let rules: [WatchRule]
    let limits: Limits
    let logger: Logger
    let publish: @Sendable (EngineEvent) -> Void
    let now: @Sendable () -> Double
    private let state = Mutex(State())

    /// - publish: where failures go (the engine's broadcaster, so every view sees them).
    public init(
        rules: [WatchRule], limits: Limits = Limits(), logger: Logger,
        now: @escaping @Sendable () -> Double = { SystemClock().now() },
        publish: @escaping @Sendable (EngineEvent) -> Void
    ) {
        self.rules = rules
        self.limits = limits
        self.logger = logger
        self.now = now
        self.publish = publish
        WatchMetrics.register(rules)
    }

    /// Consumes the engine's events until the stream ends.
    public func run(_ events: AsyncStream<EngineEvent>) async {
        for await event in events { consume(event) }
    }

    /// Looks at one event of the engine's stream; returns at once.
    public func consume(_ event: EngineEvent) {
        guard case .cycleFinished(let report, let stored) = event, !stored.isEmpty, !rules.isEmpty else { return }
        for item in stored {
            guard let decoded = item.decoded() else { continue }
            for rule in rules where rule.matches(decoded) {
                WatchMetrics.matched(rule)
                if let command = rule.command { enqueue(Job(rule: rule, command: command, event: item, cycle: report.cycle)) }
            }
        }
    }

    private func enqueue(_ job: Job) {
        enum Next { case start, queued, dropped, stopped }
        let next: Next = state.withLock { s in
            if s.stopped { return .stopped }
            if s.running < limits.concurrency {
                s.running += 1
                return .start
            }
            if s.queue.count < limits.queueLimit {
                s.queue.append(job)
                return .queued
            }
            return .dropped
        }
        switch next {
        case .start: DedicatedThread.run { [self] in work(job) }
        case .queued, .stopped: break
        case .dropped:
            fail(job, "not run: \(limits.queueLimit) commands were already waiting", kind: .command)
        }
    }

    /// Runs `job`, then whatever waits, on this thread until the queue is empty.
    private func work(_ first: Job) {
        var job: Job? = first
        while let current = job {
            execute(current)
            job = state.withLock { s -> Job? in
                if !s.stopped, !s.queue.isEmpty { return s.queue.removeFirst() }
                s.running -= 1
                return nil
            }
        }
        let waiting = state.withLock { s -> [CheckedContinuation<Void, Never>] in
            guard s.running == 0, s.queue.isEmpty else { return [] }
            defer { s.idle.removeAll() }
            return s.idle
        }
        for c in waiting { c.resume() }
    }

    private func execute(_ job: Job) {
        let env = [
            "POLISEN_WATCH_NAME": job.rule.name, "POLISEN_WATCH_EVENT_ID": String(job.event.id),
            "POLISEN_WATCH_CHANGE": job.event.isNew ? "new" : "edited",
        ]
        var group: Int32 = 0
        let timeout = job.rule.timeout ?? limits.timeout
        let result = ShellCommand.run(
            job.command, stdin: Array((job.event.line + "\n").utf8), environment: env,
            timeout: timeout
        ) { pid in
            group = pid
            state.withLock { _ = $0.groups.insert(pid) }
        }
        state.withLock { _ = $0.groups.remove(group) }
        if state.withLock({ $0.stopped }) { return }  // ended by stop(): nothing to report
        let detail = result.stderrTail.isEmpty ? "" : ": " + TerminalText.sanitize(result.stderrTail)
        switch result.outcome {
        case .exited(0):
            logger.debug("watch \"\(job.rule.name)\": command done for event \(job.event.id)")
        case .exited(let code): fail(job, "command exited with status \(code)\(detail)", kind: .command)
        case .killedBySignal(let signal): fail(job, "command killed by signal \(signal)\(detail)", kind: .command)
        case .timedOut: fail(job, "command killed at its time limit of \(formatDuration(timeout))\(detail)", kind: .timeout)
        case .couldNotStart(let why): fail(job, "command could not start: \(why)", kind: .command)
        }
    }

    private func fail(_ job: Job, _ message: String, kind: FailureKind) {
        let text = "watch \"\(TerminalText.sanitize(job.rule.name))\", event \(job.event.id): \(message)"
        logger.error("\(text)")
        WatchMetrics.commandFailed(job.rule)
        publish(
            .failure(
                FailureEntry(
                    at: now(), cycle: job.cycle, stage: .watch, error: text, attempt: 1, backoff: nil,
                    outcome: .gaveUp, kind: kind)))
    }

    /// Returns once no command runs or waits (at most the time limit per queued command).
    public func drain() async {
        await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in
            let now = state.withLock { s -> Bool in
                if s.running == 0 && s.queue.isEmpty { return true }
                s.idle.append(c)
                return false
            }
            if now { c.resume() }
        }
    }

    /// No more commands start; those waiting are dropped (and logged); running ones get
    /// SIGTERM (their whole process group), so none outlives the program.
    public func stop() {
        let (dropped, groups) = state.withLock { s -> (Int, Set<Int32>) in
            s.stopped = true
            defer { s.queue.removeAll() }
            return (s.queue.count, s.groups)
        }
        for g in groups { kill(-g, SIGTERM) }
        if dropped + groups.count > 0 {
            logger.warning("watch: stopping; \(groups.count) running command(s) ended, \(dropped) waiting not run")
        }
    }
}
