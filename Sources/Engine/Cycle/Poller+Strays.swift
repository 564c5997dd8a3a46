import Logging

/// Parts a poller wrote but could not commit on a shared store (see `Metadata.isStray` for the
/// rule): withdrawn by the loser right away, or, when it was killed first, swept at the next
/// start — after what they hold that the archive may lack is kept in the journal.
extension Poller {
    /// Deletes the parts `report`'s attempt wrote, unless `metadata` (read after the lost
    /// commit) has committed or adopted them. Their events are still in the journal.
    func withdrawParts(of report: CycleReport, against metadata: Metadata) async {
        for date in report.partitionDates.compactMap(LocalDate.init(iso:)) {
            let part = PartRef(date: date, cycle: report.cycle)
            guard metadata.mayWithdraw(part) else { continue }
            do { try await store.deletePart(part) } catch {
                // Left for the next start's sweep (it is a stray now, or adopted later).
                logger.warning("could not withdraw the uncommitted part \(part.key): \(error)")
            }
        }
    }

    /// At start, on a shared store: the strays among `parts` (listed before `meta` was read) are
    /// deleted. Events of theirs the seen state does not know are first merged into the journal
    /// (as observed before anything else), so the next store of the journal keeps them unless
    /// the archive has them. Returns how many strays were deleted.
    func sweepStrays(_ parts: [PartRef], against meta: Metadata) async throws -> Int {
        let strays = parts.filter(meta.isStray)
        guard !strays.isEmpty else { return 0 }
        var next = pending
        for part in strays {
            let bytes: [UInt8]
            do { bytes = try await store.readPart(part) } catch StoreError.notFound { continue }
            let scan = EventScanner.scanLines(bytes)
            for e in scan.events where meta.seen[e.id] == nil {
                ResponseJournal.merge(JournalEntry(line: Array(scan.lineBytes(e)), hash: e.hash, observedAt: 0), id: e.id, into: &next)
            }
        }
        if next.count != pending.count {
            // Durable before the strays go: a kill now loses nothing. A journal that cannot
            // take them leaves the strays for a later start.
            do { try journal.save(next) } catch {
                logger.warning("\(strays.count) uncommitted part(s) of another poller's lost cycle kept for now: \(error)")
                return 0
            }
            pending = next
        }
        for part in strays { try await store.deletePart(part) }
        return strays.count
    }

    /// Strays are told by their cycle's report, and metadata keeps only the last
    /// `Metadata.keptReports`: a stray older than those would count as committed for good (read
    /// as data, merged by compaction). A start sweeps them, but a poller may run for weeks
    /// while another one that lost a cycle stays dead. So a running poller also sweeps every
    /// `sweepEvery` cycles (by the store's numbers, whoever committed them): every stray is
    /// swept while its cycle's report is kept. One listing of the parts each time (compaction
    /// keeps it to about one part a day).
    static var sweepEvery: Int { Metadata.keptReports / 2 }

    /// After a commit on a shared store: sweeps strays when the last sweep (at start or here)
    /// is `sweepEvery` cycles behind. Best effort: a failure is logged and tried again next cycle.
    func sweepStraysIfDue() async {
        guard store.isShared, let metadata, metadata.lastCycle - sweptAtCycle >= Self.sweepEvery else { return }
        do {
            let parts = try await store.listParts(date: nil)
            let swept = try await sweepStrays(parts, against: metadata)
            sweptAtCycle = metadata.lastCycle
            if swept > 0 { logger.notice("removed \(swept) part file(s) of cycles other pollers lost (their events are kept)") }
        } catch {
            logger.warning("could not sweep the parts of lost cycles: \(error)")
        }
    }
}
