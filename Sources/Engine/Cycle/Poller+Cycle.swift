import Logging

/// The cycle: fetch ∥ get_metadata, then the process, save and update stages (`+Commit`).
extension Poller {
    func loadMetadataStage() async throws -> Metadata {
        if let metadata, !store.isShared { return metadata }
        guard let blob = try await store.readMetadata() else {
            metadataVersion = nil
            return metadata ?? Metadata()
        }
        metadataVersion = blob.version
        return try Metadata.decode(blob.bytes)
    }

    func persistMetadata() async throws {
        guard let metadata else { return }
        try await store.writeMetadata(metadata.encoded(), expecting: metadataVersion)
    }

    /// One cycle. `maxBudgetWait`: how long the first call may wait for the rate budget before
    /// the cycle gives up and says how long is left.
    public func runCycle(trigger: CycleReport.Trigger, maxBudgetWait: Double = 300) async -> CycleReport {
        let started = stopwatch()
        let provisional = (metadata?.lastCycle ?? 0) + 1
        emit(.cycleStarted(cycle: provisional, trigger: trigger))
        var book = CycleBook(report: CycleReport(cycle: provisional, trigger: trigger, startedAt: clock.now()), sink: sink, clock: clock)

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
        if let body = fetch.scan != nil ? fetch.response?.body : nil { keepAside(body) }
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

        guard let scan = fetch.scan else {
            // Waiting for the budget is not a failure: the cycle is skipped and says until when.
            book.report.outcome = fetch.stopped != nil || fetch.budgetRefused ? .skipped : .failed
            book.report.error = fetch.error ?? "no response"
            if fetch.stopped != nil { emit(.phase(.stopped(reason: book.report.error!))) }
            return await finish(book, started: started, stored: [])
        }
        return await storeScan(scan, book: book, started: started, base: meta)
    }

    /// Write-ahead: the response is kept until its cycle commits, so a crash between the fetch
    /// and the metadata update cannot lose events that then leave the API's window.
    private func keepAside(_ body: [UInt8]) {
        do { try FileIO.makeDirectories(FileIO.dirname(of: pendingResponse)); try FileIO.atomicWrite(pendingResponse, body) } catch {
            logger.warning("could not keep the response aside before storing it: \(error)")
        }
    }
}
