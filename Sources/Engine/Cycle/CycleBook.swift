/// The engine's stream and its metrics, fed together: whatever is published is also counted.
struct EventSink: Sendable {
    let broadcaster: EventBroadcaster
    let metrics: CycleMetrics
    /// Failures outside a cycle, waiting for the next metadata write.
    let outside = OutsideFailures()

    func emit(_ e: EngineEvent) {
        metrics.observe(e)
        broadcaster.publish(e)
    }
}

/// One cycle's bookkeeping with one owner: its report, its failures, and their publication.
/// Recording a failure or a stage's time here also publishes it (dashboard, `tail`, metrics),
/// so nothing is persisted in metadata that was not shown, nor shown that is not persisted.
struct CycleBook: Sendable {
    var report: CycleReport
    private(set) var failures: [FailureEntry] = []
    /// A store stage failed: nothing this cycle processed may leave the journal.
    private(set) var storeFailed = false
    /// This cycle processed the journal (so a commit empties it).
    var carriesJournal = false
    let sink: EventSink
    let clock: any WallClock

    init(report: CycleReport, sink: EventSink, clock: any WallClock) {
        self.report = report
        self.sink = sink
        self.clock = clock
    }

    /// Records one failure line and publishes it.
    mutating func fail(
        _ stage: Stage, _ kind: FailureKind, _ message: String, attempt: Int = 1, backoff: Double? = nil,
        outcome: FailureEntry.Outcome = .gaveUp
    ) {
        let entry = FailureEntry(
            at: clock.now(), cycle: report.cycle, stage: stage, error: message, attempt: attempt,
            backoff: backoff, outcome: outcome, kind: kind)
        failures.append(entry)
        sink.emit(.failure(entry))
    }

    /// Fails the cycle in a store stage: the outcome, the report's error line (`what: error`),
    /// and the failure line.
    mutating func failCycle(_ stage: Stage, _ what: String, _ error: any Error, kind: FailureKind = .store) {
        report.outcome = .failed
        if stage != .fetch { storeFailed = true }
        let line = "\(what): \(error)"
        report.error = report.error.map { $0 + "; " + line } ?? line
        fail(stage, kind, line)
    }

    /// A stage's time, set and published.
    mutating func finish(_ stage: Stage, ms: Double) {
        report.stages[stage] = ms
        sink.emit(.stageFinished(stage, ms: ms))
    }

    func emit(_ e: EngineEvent) { sink.emit(e) }
}
