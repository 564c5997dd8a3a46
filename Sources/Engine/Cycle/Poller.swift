import Logging

/// The engine: runs the fetch → dedupe → partition → store cycle against one store, keeping the
/// API's rules. One cycle at a time (an actor); progress is published on `events`.
///
/// By job: this file holds the state, the budget and the stream; `+Open` the recovery at start,
/// `+Cycle` the cycle, `+Commit` the process, save and update stages, `+Fetch` the fetch stage.
public actor Poller {
    public let config: EngineConfig
    public nonisolated let store: any EventStore
    let apiStateFile: APIStateFile
    let transport: any HTTPTransport
    let clock: any WallClock
    /// The stage timers' clock.
    let monotonic: any MonotonicClock
    let logger: Logger
    let random: @Sendable () -> Double

    var apiState: APIState
    /// The store's metadata as this process last read or wrote it. Authoritative for a local
    /// store (one writer); re-read every cycle for a shared one.
    var metadata: Metadata?
    var metadataVersion: String?
    /// Where fetched events wait until a cycle has committed them.
    let journal: ResponseJournal
    /// The journal's entries, as on disk (or newer, when the disk refused them).
    var pending: [Int: JournalEntry] = [:]
    /// Part writes sent to an object store and not yet settled, as on disk (see `SentParts`).
    var sent: SentParts?
    /// Which events of `sent` were new (nil when the record was read back at start).
    var sentNewIDs: Set<Int>?
    /// `open` has finished (metadata loaded, crash leftovers repaired). Cleared again after a
    /// cycle on an object store failed between its part writes and its commit
    /// (`settleBeforeNextCycle`).
    var opened = false
    /// Events of part writes a recovery settled (see `SentParts`), announced with the next
    /// cycle's stored events.
    var settledEvents: [StoredEvent] = []
    /// The store's last cycle at the last sweep of strays (see `sweepStraysIfDue`).
    var sweptAtCycle = 0
    var opening: Task<OpenReport, any Error>?
    /// The metadata `open` read: the first cycle uses it instead of reading it again.
    var metadataFromOpen = false
    /// Held for as long as this poller lives: one poller per local store.
    let lock: StoreLock?
    let sink: EventSink
    /// The API state file's `FileIO.changeStamp` when the stop watch last read it.
    var stateFileStamp: [Int]?

    /// `monotonic`: the stage timers' clock; by default `clock` when it is one, else the system's.
    /// `journal`: by default `journal.jsonl` beside the call ledger.
    public init(
        config: EngineConfig, store: any EventStore, apiStateFile: APIStateFile, transport: any HTTPTransport,
        journal: ResponseJournal? = nil, clock: any WallClock = SystemClock(), monotonic: (any MonotonicClock)? = nil,
        logger: Logger = Logger(label: "polisen-dash"),
        random: @escaping @Sendable () -> Double = { Double.random(in: 0..<1) }, lock: StoreLock? = nil
    ) throws {
        self.config = config
        self.store = store
        self.apiStateFile = apiStateFile
        self.lock = lock
        self.journal =
            journal
            ?? ResponseJournal(
                path: FileIO.dirname(of: apiStateFile.path) + "/journal.jsonl",
                limitBytes: config.journalLimitBytes,
                legacyPath: ResponseJournal.legacyPath(besideLedger: apiStateFile.path))
        self.transport = transport
        self.clock = clock
        self.logger = logger
        self.random = random
        self.monotonic = monotonic ?? (clock as? any MonotonicClock) ?? SystemClock()
        apiState = try apiStateFile.load()
        sink = EventSink(broadcaster: EventBroadcaster(), metrics: CycleMetrics())
    }

    /// Progress as it happens, for every view that subscribes (see `subscribe`).
    public nonisolated var broadcaster: EventBroadcaster { sink.broadcaster }

    /// The engine's events from now on, on a stream of this subscriber's own.
    public nonisolated func subscribe(bufferingNewest limit: Int = 4096) -> AsyncStream<EngineEvent> {
        broadcaster.subscribe(bufferingNewest: limit)
    }

    func emit(_ e: EngineEvent) { sink.emit(e) }

    /// Publishes what happened outside a cycle (a watch rule's command failing), from any
    /// thread: shown and counted (`polisen_failures_total`) like a cycle's own, and a failure is
    /// also written into the failure log with the next metadata write (the next cycle's, or
    /// `persistOutsideFailures`).
    public nonisolated func publishOutsideCycle(_ e: EngineEvent) {
        if case .failure(let entry) = e { sink.outside.add(entry) }
        sink.emit(e)
    }

    /// Ends every subscriber's stream.
    public func finishEvents() { broadcaster.finish() }

    /// A stage timer on the injected monotonic clock.
    nonisolated func stopwatch() -> Stopwatch { Stopwatch(monotonic) }

    // MARK: the budget

    func earliestAllowedCall(now: Double) -> Double {
        max(apiState.ledger.earliestAllowed(rules: config.rules, now: now), apiState.notBefore ?? 0)
    }

    /// `polisen-dash reset-404` is another process: it clears the stop in the API state file.
    /// A stopped poller reads the file again before each cycle and each "poll now", and the
    /// scheduler watches it between cycles (`watchStopClearedElsewhere`), so polling resumes
    /// without a restart and every view hears it at once (the phase leaves `.stopped`).
    func resumeIfStopClearedElsewhere() {
        guard apiState.stopped != nil, let onDisk = try? apiStateFile.load(), onDisk.stopped == nil else { return }
        apiState.stopped = nil
        logger.notice("the 404 stop was cleared (reset-404); polling resumes")
        emit(.phase(.idle))
    }

    /// The between-cycles check: while stopped, one `stat` of the state file; it is read only
    /// when the file has changed (replaced, resized or touched: a clock tick too coarse to
    /// move the modification time still gives a renamed-in file a new inode).
    public func noticeStopClearedElsewhere() {
        guard apiState.stopped != nil else { return }
        let stamp = FileIO.changeStamp(apiStateFile.path)
        guard stamp != stateFileStamp else { return }
        stateFileStamp = stamp
        resumeIfStopClearedElsewhere()
    }

    /// Records a call in the ledger and persists it before the call is sent.
    func recordCall() throws {
        apiState.ledger.record(at: clock.now())
        try apiStateFile.save(apiState)
        emit(.budget(budget()))
    }

    /// The call has finished: spacing counts from now.
    func completeCall() {
        apiState.ledger.completeLast(at: clock.now())
        try? apiStateFile.save(apiState)
    }

    public func budget() -> BudgetSnapshot {
        let now = clock.now()
        var b = BudgetSnapshot(ledger: apiState.ledger, rules: config.rules, now: now)
        b.nextAllowedAt = earliestAllowedCall(now: now)
        return b
    }

    public var stop: APIState.Stop? { apiState.stopped }

    /// The store's last cycle number: its metadata's once read; before that (a store down
    /// since the start), the one kept in the API state file, so that failed attempts during an
    /// outage are not all "cycle 1".
    var knownLastCycle: Int { metadata?.lastCycle ?? apiState.lastCycle ?? 0 }

    /// Keeps a committed cycle number (metadata that landed, or was read at open) in the API
    /// state file when it moved (one small local write per cycle). Never the number `metadata`
    /// holds after a failed commit: that one was not committed.
    func rememberLastCycle(_ n: Int) {
        // Not while stopped: `reset-404` may have just cleared the stop in the file.
        guard n != apiState.lastCycle, apiState.stopped == nil else { return }
        apiState.lastCycle = n
        try? apiStateFile.save(apiState)
    }

    /// Clears a 404 stop (the operator's decision, after checking the URL).
    public func clearStop() throws {
        apiState.stopped = nil
        try apiStateFile.save(apiState)
        emit(.phase(.idle))  // every view (also an attached one) sees polling resume
    }

    public func currentMetadata() -> Metadata? { metadata }

    /// Refreshes the gauges that change with time alone (the budget's windows slide).
    public func publishGauges() {
        sink.metrics.observe(.budget(budget()))
        if let lastSuccessAt { sink.metrics.recordLastSuccess(lastSuccessAt) }
        sink.metrics.recordStopped(apiState.stopped != nil)
    }

    /// When the last successful cycle ended, from this run or the store's history.
    public var lastSuccessAt: Double? {
        metadata?.reports.last { $0.outcome == .ok }.map { $0.startedAt + $0.totalMs / 1000 }
    }
}
