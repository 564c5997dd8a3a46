import Logging

/// The engine: runs the fetch → dedupe → partition → store cycle against one store, keeping the
/// API's rules. One cycle at a time (an actor); progress is published on `events`.
public actor Poller {
    public let config: EngineConfig
    public nonisolated let store: any EventStore
    let apiStateFile: APIStateFile
    let transport: any HTTPTransport
    let clock: any WallClock
    let logger: Logger
    let random: @Sendable () -> Double

    var apiState: APIState
    /// The store's metadata as this process last read or wrote it. Authoritative for a local
    /// store (one writer); re-read every cycle for a shared one.
    private var metadata: Metadata?
    private var metadataVersion: String?
    /// Where a fetched response waits until its cycle has committed.
    let pendingResponse: String
    /// Held for as long as this poller lives: one poller per local store.
    let lock: StoreLock?
    /// Progress as it happens, for every view that subscribes (see `subscribe`).
    public nonisolated let broadcaster = EventBroadcaster()

    public init(config: EngineConfig, store: any EventStore, apiStateFile: APIStateFile, transport: any HTTPTransport,
                clock: any WallClock = SystemClock(), logger: Logger = Logger(label: "polisen-dash"),
                random: @escaping @Sendable () -> Double = { Double.random(in: 0..<1) }, lock: StoreLock? = nil) throws {
        self.config = config; self.store = store; self.apiStateFile = apiStateFile; self.lock = lock
        pendingResponse = FileIO.dirname(of: apiStateFile.path) + "/" + FileIO.basename(of: apiStateFile.path)
            .replacing("api-state", with: "pending-response")
        self.transport = transport; self.clock = clock; self.logger = logger; self.random = random
        apiState = try apiStateFile.load()
    }

    /// The engine's events from now on, on a stream of this subscriber's own.
    public nonisolated func subscribe(bufferingNewest limit: Int = 4096) -> AsyncStream<EngineEvent> {
        broadcaster.subscribe(bufferingNewest: limit)
    }

    private let metrics = CycleMetrics()

    func emit(_ e: EngineEvent) {
        metrics.observe(e)
        broadcaster.publish(e)
    }

    /// Ends every subscriber's stream.
    public func finishEvents() { broadcaster.finish() }

    // MARK: the budget

    func earliestAllowedCall(now: Double) -> Double {
        max(apiState.ledger.earliestAllowed(rules: config.rules, now: now), apiState.notBefore ?? 0)
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

    /// Clears a 404 stop (the operator's decision, after checking the URL).
    public func clearStop() throws {
        apiState.stopped = nil
        try apiStateFile.save(apiState)
    }

    public func currentMetadata() -> Metadata? { metadata }

    /// Refreshes the gauges that change with time alone (the budget's windows slide).
    public func publishGauges() {
        metrics.observe(.budget(budget()))
        if let lastSuccessAt { metrics.recordLastSuccess(lastSuccessAt) }
        metrics.recordStopped(apiState.stopped != nil)
    }

    /// When the last successful cycle ended, from this run or the store's history.
    public var lastSuccessAt: Double? {
        metadata?.reports.last { $0.outcome == .ok }.map { $0.startedAt + $0.totalMs / 1000 }
    }

    // MARK: opening a store

    public struct OpenReport: Sendable {
        public var notices: [String] = []
        public var adoptedParts = 0
        public var rebuilt = false
        public var temporariesRemoved = 0
    }

    /// Loads metadata and repairs what an earlier crash left: temp files, parts of a cycle whose
    /// metadata never landed (adopted, so neither lost nor stored twice), missing or corrupt
    /// metadata (kept aside and rebuilt from the partitions, never silently reset).
    @discardableResult
    public func open() async throws -> OpenReport {
        var report = OpenReport()
        report.temporariesRemoved = try await store.removeTemporaries()
        if report.temporariesRemoved > 0 {
            report.notices.append("removed \(report.temporariesRemoved) unfinished temp file(s) of an interrupted write")
        }
        var meta: Metadata
        var changed = false
        let parts = try await store.listParts(date: nil)
        if let blob = try await store.readMetadata() {
            do {
                meta = try Metadata.decode(blob.bytes)
                metadataVersion = blob.version
            } catch {
                let aside = try await store.setAsideMetadata(suffix: "bad-\(Int(clock.now()))")
                report.notices.append("\(error); kept as \(aside); rebuilding from the stored partitions")
                meta = try await rebuild(&report, parts: parts)
                metadataVersion = nil
                changed = true
            }
        } else {
            meta = try await rebuild(&report, parts: parts)
            changed = report.rebuilt
        }
        // Parts newer than the metadata: a cycle that crashed between its writes and its update.
        let adopted = try await adoptOrphans(into: &meta, parts: parts)
        if adopted > 0 {
            report.adoptedParts = adopted
            report.notices.append("adopted \(adopted) part file(s) of an interrupted cycle")
            changed = true
        }
        metadata = meta
        if changed { try await persistMetadata() }
        try await storePendingResponse(&report)
        for n in report.notices { logger.warning("\(n)"); emit(.notice(n)) }
        return report
    }

    /// A response kept aside by a cycle that never committed is stored now, before any new call.
    private func storePendingResponse(_ report: inout OpenReport) async throws {
        guard let body = try? FileIO.readIfExists(pendingResponse) else { return }
        guard let scan = try? EventScanner.scan(body) else { FileIO.remove(pendingResponse); return }
        let started = ContinuousClock.now
        let cycle = CycleReport(cycle: (metadata?.lastCycle ?? 0) + 1, trigger: .recovery, startedAt: clock.now())
        let result = await storeScan(scan, report: cycle, failures: [], started: started, base: metadata ?? Metadata())
        report.notices.append("stored the response an interrupted cycle had fetched: \(result.new) new, \(result.updated) updated (\(result.outcome.rawValue))")
    }

    /// Seen state from the stored partitions, when metadata is missing or unreadable.
    private func rebuild(_ report: inout OpenReport, parts: [PartRef]) async throws -> Metadata {
        guard !parts.isEmpty else { return Metadata() }
        if !report.rebuilt && report.notices.isEmpty {
            report.notices.append("metadata.json is missing; rebuilding it from \(parts.count) stored part file(s)")
        }
        report.rebuilt = true
        let now = clock.now()
        let horizon = StockholmCalendar.date(at: Int64(now) - config.seenBounds.retentionSeconds)
        var meta = Metadata()
        meta.lastCycle = parts.compactMap(\.cycle).max() ?? 0
        if parts.contains(where: { $0.date <= horizon }) { meta.completeAfter = horizon }
        for part in parts where part.date > horizon {
            fold(try await store.readPart(part), part: part, into: &meta, at: now)
        }
        return meta
    }

    /// Adopts parts written by a cycle whose metadata never landed. Such a cycle may have
    /// written any date (old events get bumped), so every part is listed, once, at start-up.
    private func adoptOrphans(into meta: inout Metadata, parts: [PartRef]) async throws -> Int {
        let orphans = parts.filter { ($0.cycle ?? 0) > meta.lastCycle }
        let now = clock.now()
        for part in orphans.sorted() {
            fold(try await store.readPart(part), part: part, into: &meta, at: now)
        }
        if let top = orphans.compactMap(\.cycle).max() { meta.lastCycle = max(meta.lastCycle, top) }
        return orphans.count
    }

    private func fold(_ bytes: [UInt8], part: PartRef, into meta: inout Metadata, at now: Double) {
        let scan = EventScanner.scanLines(bytes)
        if scan.skipped > 0 {
            logger.warning("\(part.key): \(scan.skipped) unreadable line(s) skipped (\(scan.skipReasons.joined(separator: "; ")))")
        }
        for e in scan.events { meta.seen.record(id: e.id, hash: e.hash, date: e.localDate, at: Int64(now)) }
    }

    // MARK: the cycle

    private func loadMetadataStage() async throws -> Metadata {
        if let metadata, !store.isShared { return metadata }
        guard let blob = try await store.readMetadata() else {
            metadataVersion = nil
            return metadata ?? Metadata()
        }
        metadataVersion = blob.version
        return try Metadata.decode(blob.bytes)
    }

    private func persistMetadata() async throws {
        guard let metadata else { return }
        try await store.writeMetadata(metadata.encoded(), expecting: metadataVersion)
    }

    /// One cycle. `maxBudgetWait`: how long the first call may wait for the rate budget before
    /// the cycle gives up and says how long is left.
    public func runCycle(trigger: CycleReport.Trigger, maxBudgetWait: Double = 300) async -> CycleReport {
        let startedAt = clock.now()
        let started = ContinuousClock.now
        let provisional = (metadata?.lastCycle ?? 0) + 1
        emit(.cycleStarted(cycle: provisional, trigger: trigger))
        var report = CycleReport(cycle: provisional, trigger: trigger, startedAt: startedAt)
        var failures: [FailureEntry] = []

        if let stop = apiState.stopped {
            report.outcome = .skipped
            report.error = "stopped: \(stop.message) (since \(Int(stop.at))); clear with `polisen-dash reset-404`"
            emit(.phase(.stopped(reason: stop.message)))
            return await finish(report, failures: failures, started: started, stored: [])
        }

        // fetch ∥ get_metadata
        async let metaStage: (Result<Metadata, any Error>, Double) = {
            let t = ContinuousClock.now
            do { return (.success(try await self.loadMetadataStage()), t.elapsedMs) } catch { return (.failure(error), t.elapsedMs) }
        }()
        let fetchStart = ContinuousClock.now
        let fetch = await fetchWithRetries(cycle: provisional, maxBudgetWait: maxBudgetWait)
        report.stages.fetchMs = max(0, fetchStart.elapsedMs - fetch.waitedMs)
        report.waitedMs = fetch.waitedMs
        emit(.stageFinished(.fetch, ms: report.stages.fetchMs))
        let (metaResult, metaMs) = await metaStage
        report.stages.getMetadataMs = metaMs
        emit(.stageFinished(.getMetadata, ms: metaMs))
        report.retries = fetch.retries
        report.http = fetch.response.map(CycleReport.HTTPFacts.init)
        failures += fetch.failures
        let budgetNow = budget()
        report.hourUsed = budgetNow.hourUsed
        report.dayUsed = budgetNow.dayUsed

        let meta: Metadata
        switch metaResult {
        case .success(let m): meta = m
        case .failure(let error):
            report.outcome = .failed
            report.error = "get_metadata: \(error)"
            failures.append(FailureEntry(at: clock.now(), cycle: provisional, stage: .getMetadata, error: "\(error)", attempt: 1, backoff: nil, outcome: .gaveUp))
            emit(.failure(failures.last!))
            return await finish(report, failures: failures, started: started, stored: [], persist: false)
        }
        metadata = meta
        report.cycle = meta.lastCycle + 1

        guard let scan = fetch.scan else {
            report.outcome = fetch.stopped != nil ? .skipped : .failed
            report.error = fetch.error ?? "no response"
            if fetch.stopped != nil { emit(.phase(.stopped(reason: report.error!))) }
            return await finish(report, failures: failures, started: started, stored: [])
        }
        // Write-ahead: the response is kept until this cycle commits, so a crash between here
        // and the metadata update cannot lose events that then leave the API's window.
        if let body = fetch.response?.body {
            do { try FileIO.makeDirectories(FileIO.dirname(of: pendingResponse)); try FileIO.atomicWrite(pendingResponse, body) } catch {
                logger.warning("could not keep the response aside before storing it: \(error)")
            }
        }
        return await storeScan(scan, report: report, failures: failures, started: started, base: meta)
    }

    /// The process, save and update stages for one response (fetched now, or kept aside by a
    /// cycle that was interrupted).
    private func storeScan(_ scan: ScanResult, report: CycleReport, failures: [FailureEntry],
                           started: ContinuousClock.Instant, base meta: Metadata) async -> CycleReport {
        var report = report
        report.fetched = scan.events.count
        report.skipped = scan.skipped
        report.filtered = Deduplicator.looksFiltered(scan)
        if report.filtered {
            logger.warning("cycle \(report.cycle): the response looks like a cached filtered one (\(scan.events.count) events of at most 3 types); nothing is read as deleted")
        }
        // process → save → update; repeated against fresh metadata when another poller
        // committed meanwhile (a shared store's conditional write failed).
        var base = meta
        var conflicts = 0
        while true {
            let stored: [StoredEvent]
            var attemptFailures = failures
            var attemptReport = report
            var collided = false
            do {
                stored = try await processAndSave(scan, base: base, report: &attemptReport, failures: &attemptFailures, collided: &collided)
            } catch {
                return await finish(attemptReport, failures: attemptFailures, started: started, stored: [])
            }
            guard attemptReport.outcome == .ok || collided, store.isShared else {
                return await finish(attemptReport, failures: attemptFailures, started: started, stored: stored)
            }
            do {
                // Another poller wrote a part under this cycle number: it committed or will.
                if collided { throw StoreError.conflict("another poller wrote cycle \(attemptReport.cycle)'s parts") }
                let commitMs = try await commit(attemptReport, failures: attemptFailures, started: started)
                return await finish(attemptReport, failures: attemptFailures, started: started, stored: stored, persist: false,
                                    committedInMs: commitMs)
            } catch StoreError.conflict(let what) where conflicts < 5 {
                conflicts += 1
                logger.notice("cycle \(attemptReport.cycle): \(what); redoing process and save against the new metadata")
                for date in attemptReport.partitionDates.compactMap(LocalDate.init(iso:)) {
                    try? await store.deletePart(PartRef(date: date, cycle: attemptReport.cycle))
                }
                do {
                    base = try await loadMetadataStage()
                } catch {
                    attemptReport.outcome = .failed
                    attemptReport.error = "update_metadata: reloading after a conflict: \(error)"
                    return await finish(attemptReport, failures: attemptFailures, started: started, stored: [], persist: false)
                }
                metadata = base
                report.cycle = base.lastCycle + 1
            } catch {
                attemptReport.outcome = .failed
                attemptReport.error = "update_metadata: \(error)"
                attemptFailures.append(FailureEntry(at: clock.now(), cycle: attemptReport.cycle, stage: .updateMetadata, error: "\(error)", attempt: conflicts + 1, backoff: nil, outcome: .gaveUp))
                emit(.failure(attemptFailures.last!))
                return await finish(attemptReport, failures: attemptFailures, started: started, stored: [], persist: false)
            }
        }
    }

    /// The process and save stages against `base`; leaves the next metadata in `metadata`.
    /// Throws only when the archive could not be asked (the report says why).
    private func processAndSave(_ scan: ScanResult, base meta: Metadata, report: inout CycleReport,
                                failures: inout [FailureEntry], collided: inout Bool) async throws -> [StoredEvent] {
        emit(.phase(.processing))
        let processStart = ContinuousClock.now
        report.cycle = meta.lastCycle + 1
        let hadHistory = !meta.seen.entries.isEmpty || meta.lastCycle > 0
        var c = Deduplicator.classify(scan, seen: meta.seen, completeAfter: meta.completeAfter)
        if !c.unknown.isEmpty {
            let dates = Set(c.unknown.map(\.localDate))
            report.archiveLookups = dates.count
            do {
                Deduplicator.resolve(&c, archive: try await archiveHashes(for: dates))
            } catch {
                report.stages.processMs = processStart.elapsedMs
                report.outcome = .failed
                report.error = "archive lookup: \(error)"
                failures.append(FailureEntry(at: clock.now(), cycle: report.cycle, stage: .process, error: report.error!, attempt: 1, backoff: nil, outcome: .gaveUp))
                throw error
            }
        }
        let toStore = c.new + c.updated
        let partitions = Deduplicator.partition(toStore, lines: scan.lines)
        report.new = c.new.count
        report.updated = c.updated.count
        report.unchanged = c.unchanged
        report.gap = hadHistory && !report.filtered && scan.events.count >= config.fullWindow && c.known == 0
        report.stages.processMs = processStart.elapsedMs
        emit(.stageFinished(.process, ms: report.stages.processMs))
        if report.gap {
            logger.warning("cycle \(report.cycle): none of the \(scan.events.count) events was seen before: events may have been missed (possible gap)")
        }

        // save_events: the partition writes alongside each other
        emit(.phase(.saving))
        let saveStart = ContinuousClock.now
        let cycle = report.cycle
        let store = self.store
        let outcomes: [(LocalDate, (any Error)?)] = await withTaskGroup(of: (LocalDate, (any Error)?).self) { group in
            for (date, bytes) in partitions {
                group.addTask {
                    do { try await store.writePart(PartRef(date: date, cycle: cycle), bytes); return (date, nil) } catch { return (date, error) }
                }
            }
            var all: [(LocalDate, (any Error)?)] = []
            for await r in group { all.append(r) }
            return all
        }
        report.stages.saveEventsMs = saveStart.elapsedMs
        emit(.stageFinished(.saveEvents, ms: report.stages.saveEventsMs))
        let written = Set(outcomes.filter { $0.1 == nil }.map(\.0))
        report.partitions = written.count
        report.partitionDates = written.sorted().map(\.description)
        collided = store.isShared && outcomes.contains { if case .alreadyExists? = $0.1 as? StoreError { return true } else { return false } }
        if collided {
            // Not a failure yet: the caller reloads and redoes the cycle under a new number.
        } else if let (date, error) = outcomes.first(where: { $0.1 != nil }) {
            report.outcome = .failed
            report.error = "save_events \(date.partitionPath): \(error!)"
            failures.append(FailureEntry(at: clock.now(), cycle: cycle, stage: .saveEvents, error: "\(error!)", attempt: 1, backoff: nil, outcome: .gaveUp))
            emit(.failure(failures.last!))
        }

        // The next metadata: strictly after every acknowledged write.
        emit(.phase(.updatingMetadata))
        var next = meta
        let now = Int64(clock.now())
        for e in scan.events { next.seen.touch(id: e.id, at: now) }
        for e in toStore where written.contains(e.localDate) {
            next.seen.record(id: e.id, hash: e.hash, date: e.localDate, at: now)
        }
        next.prune(now: clock.now(), bounds: config.seenBounds)
        next.lastCycle = cycle
        metadata = next
        let newIDs = Set(c.new.map(\.id))
        return toStore.filter { written.contains($0.localDate) }.map {
            StoredEvent(id: $0.id, line: String(decoding: scan.lineBytes($0), as: UTF8.self), isNew: newIDs.contains($0.id))
        }
    }

    /// Writes metadata with this cycle's report, conditionally: throws `StoreError.conflict`
    /// when another writer replaced it since it was read. Returns how long the write took.
    private func commit(_ report: CycleReport, failures: [FailureEntry], started: ContinuousClock.Instant) async throws -> Double {
        guard var meta = metadata else { return 0 }
        var r = report
        r.totalMs = started.elapsedMs - r.waitedMs
        meta.append(report: r)
        meta.append(failures: failures)
        meta.updatedAt = clock.now()
        let t = ContinuousClock.now
        try await store.writeMetadata(meta.encoded(), expecting: metadataVersion)
        metadata = meta
        return t.elapsedMs
    }

    /// Records the report and failures in metadata, persists it (the update_metadata stage),
    /// and publishes the result. `committedInMs`: a shared store's conditional commit already did
    /// the update, in that time.
    private func finish(_ report: CycleReport, failures: [FailureEntry], started: ContinuousClock.Instant,
                        stored: [StoredEvent], persist: Bool = true, committedInMs: Double? = nil) async -> CycleReport {
        var report = report
        if let committedInMs {
            report.stages.updateMetadataMs = committedInMs
            emit(.stageFinished(.updateMetadata, ms: committedInMs))
        }
        if persist, var meta = metadata {
            let t = ContinuousClock.now
            report.totalMs = started.elapsedMs - report.waitedMs
            meta.append(report: report)
            meta.append(failures: failures)
            meta.updatedAt = clock.now()
            metadata = meta
            do {
                try await persistMetadata()
            } catch {
                let entry = FailureEntry(at: clock.now(), cycle: report.cycle, stage: .updateMetadata, error: "\(error)", attempt: 1, backoff: nil, outcome: .gaveUp)
                report.outcome = .failed
                report.error = (report.error.map { $0 + "; " } ?? "") + "update_metadata: \(error)"
                metadata?.append(failures: [entry])
                emit(.failure(entry))
            }
            report.stages.updateMetadataMs = t.elapsedMs
            emit(.stageFinished(.updateMetadata, ms: report.stages.updateMetadataMs))
        }
        report.totalMs = started.elapsedMs - report.waitedMs
        if report.outcome == .ok { FileIO.remove(pendingResponse) }
        if var meta = metadata, meta.reports.last?.cycle == report.cycle {
            // Keep the finished timings for the history (written with the next update).
            meta.reports[meta.reports.count - 1] = report
            metadata = meta
        }
        emit(.cycleFinished(report, stored: stored))
        MemoryRelease.afterCycle()
        emit(.budget(budget()))
        emit(.phase(apiState.stopped.map { .stopped(reason: $0.message) } ?? .idle))
        return report
    }

    /// Newest stored content hash per id in the partitions of `dates`: the version in the
    /// latest part wins, across dates too (an edit can move an event to another day).
    /// The stored content hash of the newest version of each id stored under `dates`.
    private func archiveHashes(for dates: Set<LocalDate>) async throws -> [Int: UInt64] {
        let store = self.store
        return try await withThrowingTaskGroup(of: NewestVersions<UInt64>.self) { group in
            for date in dates {
                group.addTask { try await store.newestVersions(on: date) { _, e in e.hash } }
            }
            var all = NewestVersions<UInt64>()
            for try await versions in group { all.merge(versions) }
            return all.byID.mapValues(\.value)
        }
    }
}


extension ContinuousClock.Instant {
    var elapsedMs: Double {
        let d = ContinuousClock.now - self
        return Double(d.components.seconds) * 1000 + Double(d.components.attoseconds) / 1e15
    }
}
