import Logging

/// The cycle: fetch ∥ get_metadata, then the process, save and update stages (`+Commit`).
extension Poller {
    func loadMetadataStage() async throws -> Metadata {
        try await ensureOpen()
        // The copy `open` just read is as fresh as a read now (a shared store's commit is
        // conditional anyway): not read twice.
        if let metadata, !store.isShared || metadataFromOpen {
            metadataFromOpen = false
            return metadata
        }
        guard let blob = try await store.readMetadata() else {
            metadataVersion = nil
            // Nothing committed on a shared store: not this process's own uncommitted state
            // (after a lost cycle it holds events whose parts were withdrawn).
            return store.isShared ? Metadata() : metadata ?? Metadata()
        }
        metadataVersion = blob.version
        return try Metadata.decode(blob.bytes)
    }

    func persistMetadata() async throws {
        guard let metadata else { return }
        try await store.writeMetadata(metadata.encoded(), expecting: metadataVersion)
        metadataLanded(metadata)
    }

    /// Writes the failures outside a cycle that wait (see `publishOutsideCycle`) into the failure
    /// log now, for a process about to exit (`poll --once` after its watch commands). A local
    /// store only: a shared store's metadata is written by cycles alone (with a conditional
    /// write on what they read), so there they wait for the next cycle of this process.
    public func persistOutsideFailures() async throws {
        let outside = sink.outside.waiting
        guard !outside.isEmpty, !store.isShared, var meta = metadata else { return }
        meta.append(failures: [], outside: outside)
        meta.updatedAt = clock.now()
        try await store.writeMetadata(meta.encoded(), expecting: metadataVersion)
        metadata = meta
        sink.outside.taken(outside.count)
    }

    /// One cycle. `maxBudgetWait`: how long the first call may wait for the rate budget before
    /// the cycle gives up and says how long is left.
    public func runCycle(trigger: CycleReport.Trigger, maxBudgetWait: Double = 300) async -> CycleReport {
        let started = stopwatch()
        // Until the store is read, the number the last known metadata gives (see `knownLastCycle`).
        let provisional = knownLastCycle + 1
        emit(.cycleStarted(cycle: provisional, trigger: trigger))
        var book = CycleBook(report: CycleReport(cycle: provisional, trigger: trigger, startedAt: clock.now()), sink: sink, clock: clock)

        resumeIfStopClearedElsewhere()
        if let stop = apiState.stopped {
            book.report.outcome = .skipped
            book.report.error = "stopped: \(stop.message) (since \(Int(stop.at))); clear with `polisen-dash reset-404`"
            emit(.phase(.stopped(reason: stop.message)))
            return await finish(book, started: started, stored: [])
        }

        // fetch ∥ get_metadata
        async let metaStage: (Result<Metadata, any Error>, Double) = {
            let t = self.stopwatch()
            do { return (.success(try await self.loadMetadataStage()), t.elapsedMs) } catch { return (.failure(error), t.elapsedMs) }
        }()
        let fetchTimer = stopwatch()
        let fetch = await fetchWithRetries(book: &book, maxBudgetWait: maxBudgetWait)
        var input = pending
        if let scan = fetch.scan { input = keep(scan, observedAt: clock.now(), &book) }
        book.report.waitedMs = fetch.waitedMs
        book.finish(.fetch, ms: max(0, fetchTimer.elapsedMs - fetch.waitedMs))
        let (metaResult, metaMs) = await metaStage
        book.finish(.getMetadata, ms: metaMs)
        book.report.retries = fetch.retries
        book.report.http = fetch.response.map(CycleReport.HTTPFacts.init)
        let budgetNow = budget()
        book.report.hourUsed = budgetNow.hourUsed
        book.report.dayUsed = budgetNow.dayUsed

        let meta: Metadata
        switch metaResult {
        case .success(let m): meta = m
        case .failure(let error):
            book.failCycle(.getMetadata, "get_metadata", error)
            return await finish(book, started: started, stored: [], persist: false)
        }
        metadata = meta
        book.report.cycle = meta.lastCycle + 1

        if fetch.scan == nil {
            // Waiting for the budget is not a failure: the cycle is skipped and says until when.
            book.report.outcome = fetch.stopped != nil || fetch.budgetRefused ? .skipped : .failed
            book.report.error = fetch.error ?? "no response"
            if fetch.stopped != nil { emit(.phase(.stopped(reason: book.report.error!))) }
            // Without a response, events earlier cycles fetched are still stored now the store answers.
            guard !input.isEmpty else { return await finish(book, started: started, stored: []) }
        }
        book.carriesJournal = true
        return await storeScan(
            ResponseJournal.scan(input), observed: input.mapValues(\.observedAt), response: fetch.scan,
            book: book, started: started, base: meta)
    }

    /// Write-ahead: a fetched response's events go to the journal before anything else, and
    /// stay there until a cycle commits them, so neither a crash nor a store outage of any length
    /// the disk holds can lose events that then leave the API's window.
    /// Returns what this cycle stores: the journal with the response merged in.
    private func keep(_ scan: ScanResult, observedAt: Double, _ book: inout CycleBook) -> [Int: JournalEntry] {
        var next = pending
        for e in scan.events {
            ResponseJournal.merge(JournalEntry(line: Array(scan.lineBytes(e)), hash: e.hash, observedAt: observedAt), id: e.id, into: &next)
        }
        do {
            try journal.save(next)
            pending = next
        } catch let full as JournalFull {
            // The events already waiting stay kept; this response is stored only if the store answers now.
            book.fail(.fetch, .journalFull, full.description)
            book.report.error = full.description
            logger.error("\(full)")
        } catch {
            book.fail(.fetch, .other, "could not keep the response in the journal \(journal.path): \(error)")
            pending = next
        }
        return next
    }
}
