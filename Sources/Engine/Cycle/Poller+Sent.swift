import Logging

/// Part writes sent to an object store that a killed process may still have in flight (see
/// `SentParts`): recorded before they are sent, settled by the next start before it decides
/// anything, forgotten once the metadata of their cycle has landed.
extension Poller {
    /// Records a cycle's part writes before they are sent (object stores only: a local write
    /// is done, or not, when the process dies).
    /// `newIDs`: the events among them stored for the first time.
    func recordSent(cycle: Int, _ partitions: [(LocalDate, [UInt8])], newIDs: Set<Int>) throws {
        guard store.isShared, !partitions.isEmpty else { return }
        let record = SentParts(cycle: cycle, parts: partitions.map { SentParts.Part(date: $0.0, bytes: $0.1) })
        try journal.sentParts.save(record)
        sent = record
        sentNewIDs = newIDs
    }

    /// Metadata naming `meta.lastCycle` has landed: writes of that cycle or before are settled,
    /// and the number is remembered.
    func metadataLanded(_ meta: Metadata) {
        rememberLastCycle(meta.lastCycle)
        guard let record = sent, meta.lastCycle >= record.cycle else { return }
        dropSentParts()
    }

    func dropSentParts() {
        guard sent != nil else { return }
        sent = nil
        sentNewIDs = nil
        journal.sentParts.clear()
    }

    /// A cycle on an object store failed after sending part writes (one failed, or the commit
    /// did): which of them landed, and whether the commit did, is unknown, and a write given up
    /// on may still land. So the next cycle first does what a start does (`openStore`): the
    /// writes are settled (sent again under the same names, counted as stored), leftovers
    /// adopted or swept, and the metadata read again. Without it, the next cycle would store
    /// the same events again under a new name, or collide with its own parts.
    func settleBeforeNextCycle() {
        guard store.isShared else { return }
        opened = false
    }

    /// At start (or after a failed cycle, `settleBeforeNextCycle`): the part writes of a cycle
    /// that never committed are sent
    /// again under the same names with the same bytes. Parts are written only if absent, so
    /// whichever of the two copies comes first lands and the other finds the name taken; then
    /// they are counted as stored, so that no later cycle stores their events again.
    /// `committedCycle`: the last cycle the store's metadata committed (0 when rebuilt).
    /// Returns whether `meta` changed.
    func settleSentParts(into meta: inout Metadata, committedCycle: Int, _ report: inout OpenReport) async throws -> Bool {
        guard let record = sent else { return false }
        guard committedCycle < record.cycle else {
            // Committed: by that process (all its writes were acknowledged first), or by
            // another poller that took the number (its cycle, not this one's to complete).
            // Committed by that process but not known to be (a commit that timed out at the
            // client and landed, or a kill right after it): its events are announced now, as
            // the next cycle would otherwise find them unchanged and never announce them.
            try await announceCommitted(record, meta: meta, &report)
            dropSentParts()
            return false
        }
        var completed = 0
        var present = 0
        for part in record.parts {
            let ref = PartRef(date: part.date, cycle: record.cycle)
            do {
                try await store.writePart(ref, part.bytes)
                completed += 1
            } catch StoreError.alreadyExists {
                guard try await store.readPart(ref) == part.bytes else {
                    // Another poller's part under that name: its events stay in the journal.
                    logger.notice("\(ref.key) holds other lines than cycle \(record.cycle) had sent; its events are stored by a later cycle")
                    continue
                }
                present += 1
            }
            settled(part.bytes, into: &report) { meta.seen[$0] == nil }
            fold(part.bytes, part: ref, into: &meta, at: clock.now())
        }
        meta.lastCycle = max(meta.lastCycle, record.cycle)
        report.notices.append(
            "settled the \(record.parts.count) part write(s) an interrupted cycle \(record.cycle) had sent: \(present) had landed, \(completed) written now")
        return true
    }

    /// The parts of a committed record that hold its bytes under its names are this process's
    /// (or a killed one's) cycle: their events are settled. Parts holding other bytes, or gone
    /// (another poller's cycle under that number, or compacted since), are not.
    private func announceCommitted(_ record: SentParts, meta: Metadata, _ report: inout OpenReport) async throws {
        // Whether each event was new: known to the process that sent the writes; after a
        // restart, read from the committed report of that cycle (new when it updated nothing).
        let newIDs = sentNewIDs
        let allNew = meta.reports.last(where: { $0.cycle == record.cycle }).map { $0.updated == 0 } ?? false
        for part in record.parts {
            let ref = PartRef(date: part.date, cycle: record.cycle)
            let bytes: [UInt8]
            do { bytes = try await store.readPart(ref) } catch StoreError.notFound { continue }
            guard bytes == part.bytes else { continue }
            settled(part.bytes, into: &report) { newIDs?.contains($0) ?? allNew }
        }
    }

    /// The one rule for the events of settled part writes: each reaches the event stream once,
    /// with the next cycle's `.cycleFinished` (see `finish`).
    private func settled(_ bytes: [UInt8], into report: inout OpenReport, isNew: (Int) -> Bool) {
        let scan = EventScanner.scanLines(bytes)
        report.settledEvents += scan.events.map {
            StoredEvent(id: $0.id, line: String(decoding: scan.lineBytes($0), as: UTF8.self), isNew: isNew($0.id))
        }
    }
}
