/// Merges each day's committed parts into one compacted part, so a long-running archive is
/// not thousands of small files. Atomic and idempotent, and safe while a poller runs:
/// - only cycles the metadata has committed are merged (a running poller writes later ones);
///   a store without metadata yet (the original collector's, or one whose metadata was lost)
///   has every part taken as committed, as a poller rebuilding its metadata takes them;
/// - the compacted part is written under a new name, never replacing anything, and readers
///   skip the parts it holds, so a compaction cut short never shows a line twice;
///   running it again deletes what was left;
/// - a day whose events also have versions stored under another day is left as it is:
///   merging could change which version is the newest.
/// Memory stays small on a large archive: a day's parts are read when that day is merged, and
/// of the other days only their ids are kept.
public struct Compactor: Sendable {
    public let store: any EventStore

    public init(store: any EventStore) { self.store = store }

    public struct Report: Sendable {
        public var daysCompacted = 0
        public var partsMerged = 0
        public var leftoversRemoved = 0
        public var skipped: [String] = []
    }

    /// `run` compacts by itself the days closed for more than this (late edits of a day's
    /// events mostly come within a day; a closed day then gets few new parts).
    public static let closedForSeconds = 48 * 3600

    /// The first day `run` leaves alone at `now`: days before it closed more than 48 h ago.
    public static func automaticLimit(now: Double) -> LocalDate {
        StockholmCalendar.date(at: Int64(now) - Int64(closedForSeconds))
    }

    public func compact(before: LocalDate, progress: (@Sendable (String) -> Void)? = nil) async throws -> Report {
        var report = Report()
        let meta = try await store.readMetadata().map { try Metadata.decode($0.bytes) }
        let committed = meta?.lastCycle ?? Int.max
        let all = try await store.listParts(date: nil)
        // Ours and committed; the original collector's files stay as they are (they rank older).
        // A stray (a lost cycle's part, see `Metadata.isStray`) is never merged in.
        let isCandidate = { (p: PartRef) in p.cycle.map { $0 <= committed } ?? false && !(meta?.isStray(p) ?? false) }
        var byDate: [LocalDate: [PartRef]] = [:]
        for p in all { byDate[p.date, default: []].append(p) }

        // The days worth merging, and every id's day, to keep multi-day ids' ordering exact.
        var worthMerging = Set<LocalDate>()
        for (date, parts) in byDate where date < before {
            let live = parts.withoutCovered()
            if live.count < parts.count || live.filter(isCandidate).count >= 2 { worthMerging.insert(date) }
        }
        guard !worthMerging.isEmpty else { return report }
        var dayOfID: [Int: LocalDate] = [:]
        var multiDay = Set<Int>()
        for part in all.withoutCovered() {
            guard let bytes = try? await store.readPart(part) else { continue }
            for e in EventScanner.scanLines(bytes).events {
                if let day = dayOfID.updateValue(part.date, forKey: e.id), day != part.date { multiDay.insert(e.id) }
            }
        }

        for date in worthMerging.sorted() {
            let parts = byDate[date]!.sorted()
            // Finish a compaction cut short: parts already held by a compacted part.
            let live = parts.withoutCovered()
            for leftover in parts where !live.contains(leftover) {
                try await store.deletePart(leftover)
                report.leftoversRemoved += 1
            }
            let candidates = live.filter(isCandidate)
            guard candidates.count >= 2 else { continue }
            var merged: [UInt8] = []
            var shared: Int?
            for part in candidates {
                guard let bytes = try? await store.readPart(part) else {
                    merged = []
                    break
                }
                merged += bytes
                if merged.last != 0x0A { merged.append(0x0A) }
                if shared == nil { shared = EventScanner.scanLines(bytes).events.first { multiDay.contains($0.id) }?.id }
            }
            guard !merged.isEmpty else {
                report.skipped.append("\(date): a part could not be read")
                continue
            }
            if let shared {
                report.skipped.append("\(date): event \(shared) also has a version stored under another day")
                continue
            }
            let first = candidates.compactMap { $0.compactedCycles?.lowerBound ?? $0.cycle }.min()!
            let last = candidates.compactMap(\.cycle).max()!
            let target = PartRef(date: date, cycles: first...last)
            do {
                try await store.writePart(target, merged)
            } catch StoreError.alreadyExists {
                // Written by an earlier run that stopped before deleting, or by another compaction
                // running now: same parts, same bytes. Gone again means that other compaction has
                // merged it further meanwhile: the day is done.
                let existing: [UInt8]
                do { existing = try await store.readPart(target) } catch StoreError.notFound {
                    report.skipped.append("\(date): compacted meanwhile by another compaction")
                    continue
                }
                guard existing == merged else { throw StoreError.io("\(target.key) exists with other content") }
            }
            for part in candidates where part != target { try await store.deletePart(part) }
            report.daysCompacted += 1
            report.partsMerged += candidates.count
            progress?("\(date): \(candidates.count) parts → \(target.fileName)")
        }
        return report
    }
}
