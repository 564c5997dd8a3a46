import Logging

/// Recovery at start: what an earlier crash or a lost file left behind is repaired before the
/// first call, so that nothing is lost and nothing stored twice.
extension Poller {
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
        let book = CycleBook(report: CycleReport(cycle: (metadata?.lastCycle ?? 0) + 1, trigger: .recovery, startedAt: clock.now()),
                             sink: sink, clock: clock)
        let result = await storeScan(scan, book: book, started: stopwatch(), base: metadata ?? Metadata())
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
}
