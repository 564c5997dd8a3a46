import Logging

/// The process, save and update stages for the journal's events (the response fetched now,
/// merged with what earlier cycles fetched and could not store), and the end of every cycle.
extension Poller {
    /// `scan`: what to store; `observed`: when each id's content was observed; `response`: this
    /// cycle's own response, for its counts and flags (nil when none was fetched).
    func storeScan(
        _ scan: ScanResult, observed: [Int: Double], response: ScanResult?, book: CycleBook, started: Stopwatch,
        base meta: Metadata
    ) async -> CycleReport {
        var book = book
        book.report.fetched = (response ?? scan).events.count
        book.report.skipped = response?.skipped ?? 0
        book.report.filtered = response.map(Deduplicator.looksFiltered) ?? false
        if book.report.filtered {
            logger.warning(
                "cycle \(book.report.cycle): the response looks like a cached filtered one (\(book.report.fetched) events of at most 3 types); nothing is read as deleted"
            )
        }
        // process → save → update; repeated against fresh metadata when another poller
        // committed meanwhile (a shared store's conditional write failed).
        var base = meta
        var conflicts = 0
        // A number under which another poller holds uncommitted parts (it is writing them, or
        // was killed first) is skipped, and committed as skipped: those parts are then strays
        // (`Metadata.isStray`), which nobody can commit, and are swept. So a dead poller's
        // leftovers never stall the others.
        var lowest = 0
        var held: [PartRef] = []
        while true {
            var attempt = book
            var collided: [LocalDate] = []
            let cycle = max(base.lastCycle + 1, lowest)
            let stored: [StoredEvent]
            do {
                stored = try await processAndSave(
                    scan, observed: observed, base: base, cycle: cycle, book: &attempt, collided: &collided)
            } catch {
                return await finish(attempt, started: started, stored: [])
            }
            guard store.isShared else { return await finish(attempt, started: started, stored: stored) }
            do {
                if !collided.isEmpty {
                    held += collided.map { PartRef(date: $0, cycle: cycle) }
                    throw StoreError.conflict("another poller holds cycle \(cycle)'s part(s) of \(collided.map(\.description).joined(separator: ", "))")
                }
                if attempt.storeFailed {
                    // A part write failed, and on an object store it may land all the same (a
                    // timeout the server carried out): not committed; the next cycle settles
                    // this one's writes first.
                    settleBeforeNextCycle()
                    return await finish(attempt, started: started, stored: [], persist: false)
                }
                let commitMs = try await commit(attempt, skippingFrom: base.lastCycle + 1, started: started)
                let report = await finish(attempt, started: started, stored: stored, persist: false, committedInMs: commitMs)
                if !held.isEmpty, let metadata {
                    do { _ = try await sweepStrays(held, against: metadata) } catch {
                        logger.warning("could not remove another poller's uncommitted part(s) \(held.map(\.key)): \(error)")
                    }
                }
                await sweepStraysIfDue()
                return report
            } catch StoreError.conflict(let what) {
                dropSentParts()  // withdrawn below, or another poller's now: not to be sent again
                // Lost: this attempt's parts are withdrawn against the new metadata (its events
                // stay in the journal), then it is redone under the next number.
                let reloaded: Metadata
                do {
                    reloaded = try await loadMetadataStage()
                } catch {
                    attempt.failCycle(.updateMetadata, "update_metadata: reloading after a conflict", error)
                    settleBeforeNextCycle()
                    return await finish(attempt, started: started, stored: [], persist: false)
                }
                await withdrawParts(of: attempt.report, against: reloaded)
                base = reloaded
                metadata = base
                if !collided.isEmpty { lowest = cycle + 1 }
                guard conflicts < 5 else {
                    attempt.failCycle(.updateMetadata, "update_metadata", StoreError.conflict(what))
                    return await finish(attempt, started: started, stored: [], persist: false)
                }
                conflicts += 1
                logger.notice("cycle \(cycle): \(what); redoing process and save against the new metadata")
                book.report.cycle = max(base.lastCycle + 1, lowest)
            } catch {
                // The write may have landed or not: the next cycle finds out, as a start does.
                attempt.failCycle(.updateMetadata, "update_metadata", error)
                settleBeforeNextCycle()
                return await finish(attempt, started: started, stored: [], persist: false)
            }
        }
    }

    /// The process and save stages against `base`; leaves the next metadata in `metadata`.
    /// Throws only when the archive could not be asked (the book says why).
    private func processAndSave(
        _ scan: ScanResult, observed: [Int: Double], base meta: Metadata, cycle: Int, book: inout CycleBook,
        collided: inout [LocalDate]
    ) async throws -> [StoredEvent] {
        emit(.phase(.processing))
        let processTimer = stopwatch()
        book.report.cycle = cycle
        let hadHistory = !meta.seen.entries.isEmpty || meta.lastCycle > 0
        var c = Deduplicator.classify(scan, seen: meta.seen, completeAfter: meta.completeAfter, observed: observed)
        if !c.unknown.isEmpty {
            let dates = Set(c.unknown.map(\.localDate))
            book.report.archiveLookups = dates.count
            do {
                Deduplicator.resolve(&c, archive: try await archiveHashes(for: dates))
            } catch {
                book.report.stages.processMs = processTimer.elapsedMs
                book.failCycle(.process, "archive lookup", error)
                throw error
            }
        }
        let toStore = c.new + c.updated
        let partitions = Deduplicator.partition(toStore, lines: scan.lines)
        book.report.new = c.new.count
        book.report.updated = c.updated.count
        book.report.unchanged = c.unchanged
        book.report.gap = hadHistory && !book.report.filtered && book.report.fetched >= config.fullWindow && c.known == 0
        book.finish(.process, ms: processTimer.elapsedMs)
        if c.superseded > 0 {
            logger.notice("cycle \(book.report.cycle): \(c.superseded) event(s) not stored: the archive holds a version observed later")
        }
        if book.report.gap {
            logger.warning(
                "cycle \(book.report.cycle): none of the \(book.report.fetched) events was seen before: events may have been missed (possible gap)"
            )
        }

        // save_events: the partition writes alongside each other
        emit(.phase(.saving))
        let saveTimer = stopwatch()
        do {
            try recordSent(cycle: cycle, partitions, newIDs: Set(c.new.map(\.id)))
        } catch {
            book.report.stages.saveEventsMs = saveTimer.elapsedMs
            book.failCycle(.saveEvents, "save_events: recording the part writes in \(journal.sentParts.path)", error)
            throw error
        }
        let store = self.store
        let outcomes: [(LocalDate, (any Error)?)] = await withTaskGroup(of: (LocalDate, (any Error)?).self) { group in
            for (date, bytes) in partitions {
                group.addTask {
                    do {
                        try await store.writePart(PartRef(date: date, cycle: cycle), bytes)
                        return (date, nil)
                    } catch { return (date, error) }
                }
            }
            var all: [(LocalDate, (any Error)?)] = []
            for await r in group { all.append(r) }
            return all
        }
        book.finish(.saveEvents, ms: saveTimer.elapsedMs)
        let written = Set(outcomes.filter { $0.1 == nil }.map(\.0))
        book.report.partitions = written.count
        book.report.partitionDates = written.sorted().map(\.description)
        collided =
            store.isShared
            ? outcomes.filter { if case .alreadyExists? = $0.1 as? StoreError { return true } else { return false } }.map(\.0).sorted()
            : []
        if !collided.isEmpty {
            // Not a failure yet: the caller reloads and redoes the cycle under a new number.
        } else if let (date, error) = outcomes.first(where: { $0.1 != nil }) {
            book.failCycle(.saveEvents, "save_events \(date.partitionPath)", error!)
        }

        // The next metadata: strictly after every acknowledged write.
        emit(.phase(.updatingMetadata))
        var next = meta
        let now = Int64(clock.now())
        for e in scan.events {
            next.seen.touch(id: e.id, at: now)
            if let t = observed[e.id], next.seen[e.id]?.hash == e.hash { next.seen.confirm(id: e.id, observedAt: t) }
        }
        for e in toStore where written.contains(e.localDate) {
            next.seen.record(id: e.id, hash: e.hash, date: e.localDate, at: now, observedAt: observed[e.id])
        }
        next.storedEvents? += c.new.filter { written.contains($0.localDate) }.count
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
    /// `skippingFrom`: the numbers from there up to this cycle's are committed as skipped.
    private func commit(_ book: CycleBook, skippingFrom: Int, started: Stopwatch) async throws -> Double {
        guard var meta = metadata else { return 0 }
        var r = book.report
        r.totalMs = started.elapsedMs - r.waitedMs
        for number in skippingFrom..<max(skippingFrom, r.cycle) {
            var skipped = CycleReport(cycle: number, trigger: r.trigger, startedAt: r.startedAt, outcome: .skipped)
            skipped.error = "cycle number held by another poller's uncommitted part(s); skipped"
            meta.append(report: skipped)
        }
        meta.append(report: r)
        let outside = sink.outside.waiting
        meta.append(failures: book.failures, outside: outside)
        meta.updatedAt = clock.now()
        let t = stopwatch()
        try await store.writeMetadata(meta.encoded(), expecting: metadataVersion)
        metadataLanded(meta)
        metadata = meta
        sink.outside.taken(outside.count)
        return t.elapsedMs
    }

    /// Records the report and failures in metadata, persists it (the update_metadata stage),
    /// and publishes the result. `committedInMs`: a shared store's conditional commit already did
    /// the update, in that time.
    func finish(
        _ book: CycleBook, started: Stopwatch, stored: [StoredEvent], persist: Bool = true,
        committedInMs: Double? = nil
    ) async -> CycleReport {
        var book = book
        if let committedInMs { book.finish(.updateMetadata, ms: committedInMs) }
        if persist, var meta = metadata {
            let t = stopwatch()
            book.report.totalMs = started.elapsedMs - book.report.waitedMs
            meta.append(report: book.report)
            // The outside failures are in the metadata kept here from now on, written also when
            // this write fails (with the next one).
            let outside = sink.outside.waiting
            meta.append(failures: book.failures, outside: outside)
            sink.outside.taken(outside.count)
            // A cycle number is used once, also by a cycle that failed.
            meta.lastCycle = max(meta.lastCycle, book.report.cycle)
            meta.updatedAt = clock.now()
            metadata = meta
            do {
                try await persistMetadata()
            } catch {
                book.failCycle(.updateMetadata, "update_metadata", error)
                if let entry = book.failures.last { metadata?.append(failures: [entry]) }
            }
            book.finish(.updateMetadata, ms: t.elapsedMs)
        }
        var report = book.report
        report.totalMs = started.elapsedMs - report.waitedMs
        if book.carriesJournal && !book.storeFailed {
            // Committed: what the journal held is in the store now.
            pending = [:]
            journal.clear()
        }
        report.journalPending = pending.count
        if var meta = metadata, meta.reports.last?.cycle == report.cycle {
            // Keep the finished timings for the history (written with the next update).
            meta.reports[meta.reports.count - 1] = report
            metadata = meta
        }
        // Events of an earlier cycle whose writes a later one settled (committed since).
        emit(.cycleFinished(report, stored: settledEvents + stored))
        settledEvents = []
        MemoryRelease.afterCycle()
        emit(.budget(budget()))
        emit(.phase(apiState.stopped.map { .stopped(reason: $0.message) } ?? .idle))
        return report
    }
}
