import Logging

/// Recovery at start: what an earlier crash or a lost file left behind is repaired before the
/// first call, so that nothing is lost and nothing stored twice.
extension Poller {
    public struct OpenReport: Sendable {
        public var notices: [String] = []
        public var adoptedParts = 0
        public var rebuilt = false
        public var temporariesRemoved = 0
        /// The events of part writes settled (see `settleSentParts`).
        public var settledEvents: [StoredEvent] = []
    }

    /// Loads metadata and repairs what an earlier crash left: temp files, parts of a cycle whose
    /// metadata never landed (adopted, so neither lost nor stored twice), missing or corrupt
    /// metadata (kept aside and rebuilt from the partitions, never silently reset); then stores
    /// the journal's events, before any new call.
    @discardableResult
    public func open() async throws -> OpenReport {
        var report = loadJournal()
        try await openStore(&report)
        if !pending.isEmpty { await storeJournal(&report) }
        publish(report)
        return report
    }

    /// `open` for a service, which must keep polling while the store is down (a restart during
    /// an outage included, or the events leave the API's window unfetched): when the store
    /// cannot be reached, its part is left to the first cycle that reaches it (that cycle's
    /// get_metadata stage, as after `openInBackground`), and the journal keeps what is fetched
    /// meanwhile. Returns the store's error, nil when the store was opened.
    public func openOrDefer() async -> (any Error)? {
        var report = loadJournal()
        do {
            try await openStore(&report)
        } catch {
            publish(report)
            return error
        }
        if !pending.isEmpty { await storeJournal(&report) }
        publish(report)
        return nil
    }

    /// The same as `open`, with the store's part overlapping the first cycle's fetch (that
    /// cycle's get_metadata stage waits for it): a one-shot poll then takes about one cycle. The
    /// journal is read now; what it holds is stored by the first cycle, merged with what that
    /// cycle fetches (the newest observed content wins, so nothing rolls back).
    public func openInBackground() {
        publish(loadJournal())
        opening = Task { try await self.openStoreTask() }
    }

    private func openStoreTask() async throws -> OpenReport {
        var report = OpenReport()
        try await openStore(&report)
        publish(report)
        return report
    }

    /// Waits for `openInBackground`'s work, or opens the store now when it failed before (the
    /// store was down at start): a cycle's get_metadata stage.
    func ensureOpen() async throws {
        if opened { return }
        let task = opening ?? Task { try await self.openStoreTask() }
        opening = task
        defer { opening = nil }
        _ = try await task.value
    }

    private func publish(_ report: OpenReport) {
        for n in report.notices {
            logger.warning("\(n)")
            emit(.notice(n))
        }
    }

    /// The journal and its leftovers: temp files of an interrupted write removed, unreadable
    /// files kept aside and reported, every readable event kept.
    private func loadJournal() -> OpenReport {
        var report = OpenReport()
        let removed = journal.removeTemporaries(alsoFor: [apiStateFile.path])
        if removed > 0 {
            report.temporariesRemoved += removed
            report.notices.append("removed \(removed) unfinished temp file(s) of the state folder")
        }
        let loaded = journal.load(now: clock.now())
        for (id, e) in loaded.entries { ResponseJournal.merge(e, id: id, into: &pending) }
        report.notices += loaded.problems
        let (record, problem) = journal.sentParts.load(now: clock.now())
        sent = record
        sentNewIDs = nil
        if let problem { report.notices.append(problem) }
        if loaded.needsSave {
            // What was read from a kept-aside or legacy file is made durable under the journal's name.
            do {
                try journal.save(pending)
                if loaded.readLegacy { journal.removeLegacy() }
            } catch {
                report.notices.append("the journal could not be rewritten: \(error)")
            }
        }
        if !pending.isEmpty { report.notices.append("\(pending.count) fetched event(s) wait in the journal to be stored") }
        return report
    }

    private func openStore(_ report: inout OpenReport, attempt: Int = 1) async throws {
        let before = report
        let removed = try await store.removeTemporaries()
        if removed > 0 {
            report.temporariesRemoved += removed
            report.notices.append("removed \(removed) unfinished temp file(s) of an interrupted write")
        }
        var meta: Metadata
        var changed = false
        // The last cycle the store's own metadata committed (0 when rebuilt).
        var committedCycle = 0
        let parts = try await finishCutShortCompaction(try await store.listParts(date: nil), &report)
        if let blob = try await store.readMetadata() {
            do {
                meta = try Metadata.decode(blob.bytes)
                metadataVersion = blob.version
                committedCycle = meta.lastCycle
            } catch {
                let aside = try await store.setAsideMetadata(suffix: "bad-\(Int(clock.now()))")
                report.notices.append("\(error); kept as \(aside); rebuilding from the stored partitions")
                meta = try await rebuild(&report, parts: parts)
                metadataVersion = nil
                changed = true
            }
        } else {
            metadataVersion = nil
            meta = try await rebuild(&report, parts: parts)
            changed = report.rebuilt
        }
        if try await settleSentParts(into: &meta, committedCycle: committedCycle, &report) { changed = true }
        if store.isShared {
            let swept = try await sweepStrays(parts, against: meta)
            if swept > 0 { report.notices.append("removed \(swept) part file(s) of a cycle another poller committed first") }
            sweptAtCycle = meta.lastCycle
        }
        // Parts newer than the metadata: a cycle that crashed between its writes and its update.
        let adopted = try await adoptOrphans(into: &meta, parts: parts)
        if adopted > 0 {
            report.adoptedParts = adopted
            report.notices.append("adopted \(adopted) part file(s) of an interrupted cycle")
            changed = true
        }
        metadata = meta
        if changed {
            do { try await persistMetadata() } catch StoreError.conflict where store.isShared && attempt < 5 {
                // Another poller committed meanwhile: the repair is redone against what it wrote.
                report = before
                return try await openStore(&report, attempt: attempt + 1)
            }
        }
        metadataFromOpen = true
        opened = true
        rememberLastCycle(meta.lastCycle)
        settledEvents += report.settledEvents
    }

    /// A compaction killed between writing its merged part and deleting the parts it holds
    /// leaves those parts behind. Readers skip them, but tools reading the files directly (cat,
    /// jq, DuckDB) would see each of their lines twice, and `run` compacts again only after a
    /// good cycle: so they go now. Safe beside a running compaction: a part is deleted only
    /// while a merged part holding all of its lines exists. Returns the parts that remain.
    private func finishCutShortCompaction(_ parts: [PartRef], _ report: inout OpenReport) async throws -> [PartRef] {
        let remaining = parts.withoutCovered()
        guard remaining.count < parts.count else { return parts }
        let kept = Set(remaining)
        let covered = parts.filter { !kept.contains($0) }
        for part in covered { try await store.deletePart(part) }
        report.notices.append("removed \(covered.count) part file(s) an interrupted compaction had already merged")
        return remaining
    }

    /// Events fetched by cycles that never committed are stored now, before any new call.
    private func storeJournal(_ report: inout OpenReport) async {
        var book = CycleBook(
            report: CycleReport(cycle: (metadata?.lastCycle ?? 0) + 1, trigger: .recovery, startedAt: clock.now()),
            sink: sink, clock: clock)
        book.carriesJournal = true
        let result = await storeScan(
            ResponseJournal.scan(pending), observed: pending.mapValues(\.observedAt), response: nil,
            book: book, started: stopwatch(), base: metadata ?? Metadata())
        report.notices.append(
            "stored the events interrupted cycles had fetched: \(result.new) new, \(result.updated) updated (\(result.outcome.rawValue))")
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
        // Older parts are read only to count what the archive holds (`status`).
        var older = Set<Int>()
        for part in parts {
            let bytes = try await store.readPart(part)
            if part.date > horizon {
                fold(bytes, part: part, into: &meta, at: now)
            } else {
                for e in EventScanner.scanLines(bytes).events { older.insert(e.id) }
            }
        }
        meta.storedEvents = older.union(meta.seen.entries.keys).count
        return meta
    }

    /// Adopts parts written by a cycle whose metadata never landed. Such a cycle may have
    /// written any date (old events get bumped), so every part is listed, once, at start-up.
    private func adoptOrphans(into meta: inout Metadata, parts: [PartRef]) async throws -> Int {
        let orphans = parts.filter { ($0.cycle ?? 0) > meta.lastCycle }
        let now = clock.now()
        for part in orphans.sorted() {
            let read = try await store.readPartStamped(part)
            let observedAt = Deduplicator.observationBound(writtenAt: read.writtenAt, readAt: clock.now())
            fold(read.bytes, part: part, into: &meta, at: now, observedAt: observedAt)
        }
        if let top = orphans.compactMap(\.cycle).max() { meta.lastCycle = max(meta.lastCycle, top) }
        return orphans.count
    }

    /// Records a part's events as stored. `observedAt`: when their content was observed, when
    /// known (see `Deduplicator.observationBound`).
    func fold(_ bytes: [UInt8], part: PartRef, into meta: inout Metadata, at now: Double, observedAt: Double? = nil) {
        let scan = EventScanner.scanLines(bytes)
        if scan.skipped > 0 {
            logger.warning("\(part.key): \(scan.skipped) unreadable line(s) skipped (\(scan.skipReasons.joined(separator: "; ")))")
        }
        for e in scan.events {
            if meta.seen[e.id] == nil, meta.completeAfter.map({ e.localDate > $0 }) ?? true { meta.storedEvents? += 1 }
            meta.seen.record(id: e.id, hash: e.hash, date: e.localDate, at: Int64(now), observedAt: observedAt)
        }
    }
}
