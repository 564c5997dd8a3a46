/// Runs a poller on an interval. "Poll now" is single-flight: a request while a cycle runs is
/// folded into it; a request between cycles starts one at once (the poller itself still waits
/// for the rate budget and says how long).
public actor Scheduler {
    public enum PollRequest: Sendable, Equatable {
        case started, alreadyRunning
        /// No cycle is started; the refusal is also published as `EngineEvent.pollRefused`.
        case refused(ManualPoll.Refusal)
    }

    let poller: Poller
    let clock: any WallClock
    private var policy: any PollingPolicy
    /// How long a scheduled or manual cycle may wait for the rate budget before giving up.
    let maxBudgetWait: Double
    private var nextDue: Double
    private var manualRequested = false
    private var running = false
    private var sleeper: Task<Void, Never>?
    private var onCycle: (@Sendable (CycleReport) async -> Void)?

    public init(
        poller: Poller, clock: any WallClock, policy: any PollingPolicy, firstPollAt: Double? = nil,
        maxBudgetWait: Double = 900
    ) {
        self.poller = poller
        self.clock = clock
        self.policy = policy
        self.maxBudgetWait = maxBudgetWait
        scheduleDescription = policy.description
        nextDue = firstPollAt ?? clock.now()
    }

    public init(poller: Poller, clock: any WallClock, interval: Double, firstPollAt: Double? = nil, maxBudgetWait: Double = 900) {
        self.init(poller: poller, clock: clock, policy: FixedInterval(interval), firstPollAt: firstPollAt, maxBudgetWait: maxBudgetWait)
    }

    /// The policy as said to people: "every 30 min", "adaptive, every 1 min to 1 h".
    public nonisolated let scheduleDescription: String

    public var nextPollAt: Double { nextDue }
    public var isRunningCycle: Bool { running }

    /// Runs until the calling task is cancelled; `onCycle` sees every report.
    public func run(onCycle: (@Sendable (CycleReport) async -> Void)? = nil) async {
        self.onCycle = onCycle
        let stopWatch = Task { [poller] in await Self.watchStopClearedElsewhere(poller) }
        defer { stopWatch.cancel() }
        await poller.emit(.scheduled(nextPollAt: nextDue))
        while !Task.isCancelled {
            if !manualRequested && clock.now() < nextDue {
                let due = nextDue
                let clock = self.clock
                let task = Task { _ = try? await clock.sleep(until: due) }
                sleeper = task
                await withTaskCancellationHandler {
                    await task.value
                } onCancel: {
                    task.cancel()
                }
                sleeper = nil
                continue  // re-check: woken by the deadline, "poll now", or cancellation
            }
            let trigger: CycleReport.Trigger = manualRequested ? .manual : .schedule
            manualRequested = false
            running = true
            let start = clock.now()
            let report = await poller.runCycle(trigger: trigger, maxBudgetWait: maxBudgetWait)
            running = false
            nextDue = start + policy.nextDelay(after: report)
            if report.outcome == .skipped, await poller.stop == nil {
                // The budget allowed no call: come back when one can be made within the wait a
                // cycle has, not every interval (one skipped cycle, one log line, per wait).
                nextDue = max(nextDue, await poller.budget().nextAllowedAt - maxBudgetWait)
            }
            await poller.emit(.scheduled(nextPollAt: nextDue))
            await onCycle?(report)
        }
    }

    /// Between cycles a `reset-404` in another process is noticed within seconds, not at the next
    /// cycle (up to an interval away). The file changes in real time, so this polls it on real
    /// time, not on the injected clock.
    static func watchStopClearedElsewhere(_ poller: Poller, every seconds: Double = 1) async {
        while !Task.isCancelled {
            try? await Task.sleep(nanoseconds: UInt64(seconds * 1e9))
            await poller.noticeStopClearedElsewhere()
        }
    }

    /// "Poll now" for every caller (the dashboard's key, the control socket): refused by
    /// `ManualPoll`'s rule without running a cycle, so a refusal never becomes a report nor moves
    /// the scheduled poll.
    @discardableResult
    public func pollNow() async -> PollRequest {
        if running { return .alreadyRunning }
        if manualRequested { return .alreadyRunning }
        await poller.resumeIfStopClearedElsewhere()  // a `reset-404` beside this process counts
        let stop = await poller.stop?.message
        let budget = await poller.budget()
        if let refusal = ManualPoll.refusal(stop: stop, budget: budget, now: clock.now(), maxWait: maxBudgetWait) {
            await poller.emit(.pollRefused(refusal))
            return .refused(refusal)
        }
        // Asked again while this one awaited the poller: one request.
        if running || manualRequested { return .alreadyRunning }
        manualRequested = true
        sleeper?.cancel()
        return .started
    }
}
