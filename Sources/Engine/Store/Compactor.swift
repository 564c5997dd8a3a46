/// Merges each day's committed parts into one compacted part, so a long-running archive is
/// not thousands of small files. Atomic and idempotent, and safe while a poller runs:
/// - only cycles the metadata has committed are merged (a running poller writes later ones);
/// - the compacted part is written under a new name, never replacing anything, and readers
///   skip the parts it holds, so a compaction cut short never shows a line twice;
///   running it again deletes what was left;
/// - a day whose events also have versions stored under another day is left as it is:
///   merging could change which version is the newest.
public struct Compactor: Sendable {
    public let store: any EventStore

    public init(store: any EventStore) { self.store = store }

    public struct Report: Sendable {
        public var daysCompacted = 0
        public var partsMerged = 0
        public var leftoversRemoved = 0
        public var skipped: [String] = []
    }

    public func compact(before: LocalDate, progress: (@Sendable (String) -> Void)? = nil) async throws -> Report {
        var report = Report()
        guard let blob = try await store.readMetadata() else {
            report.skipped.append("no metadata.json yet: nothing is committed")
            return report
        }
        let committed = try Metadata.decode(blob.bytes).lastCycle
        let all = try await store.listParts(date: nil)
        var byDate: [LocalDate: [PartRef]] = [:]
        for p in all { byDate[p.date, default: []].append(p) }

        // Which days each id is stored under, to keep multi-day ids' ordering exact.
        var contents: [PartRef: [UInt8]] = [:]
        var daysOfID: [Int: Set<LocalDate>] = [:]
        for part in all.withoutCovered() {
            guard let bytes = try? await store.readPart(part) else { continue }
            for e in EventScanner.scanLines(bytes).events { daysOfID[e.id, default: []].insert(part.date) }
            if part.date < before { contents[part] = bytes }
        }

        for date in byDate.keys.sorted() where date < before {
            let parts = byDate[date]!.sorted()
            // Finish a compaction cut short: parts already held by a compacted part.
            let live = parts.withoutCovered()
            for leftover in parts where !live.contains(leftover) {
                try await store.deletePart(leftover)
                report.leftoversRemoved += 1
            }
            let candidates = live.filter { ($0.cycle ?? Int.max) <= committed }
            guard candidates.count >= 2 else { continue }
            var merged: [UInt8] = []
            var ids = Set<Int>()
            for part in candidates {
                guard let bytes = contents[part] else { merged = []; break }
                merged += bytes
                if merged.last != 0x0A { merged.append(0x0A) }
                for e in EventScanner.scanLines(bytes).events { ids.insert(e.id) }
            }
            guard !merged.isEmpty else { report.skipped.append("\(date): a part could not be read"); continue }
            if let shared = ids.first(where: { (daysOfID[$0]?.count ?? 0) > 1 }) {
                report.skipped.append("\(date): event \(shared) also has a version stored under another day")
                continue
            }
            let first = candidates.compactMap { $0.compactedCycles?.lowerBound ?? $0.cycle }.min()!
            let last = candidates.compactMap(\.cycle).max()!
            let target = PartRef(date: date, cycles: first...last)
            do {
                try await store.writePart(target, merged)
            } catch StoreError.alreadyExists {
                // Written by an earlier run that stopped before deleting: same parts, same bytes.
                guard try await store.readPart(target) == merged else { throw StoreError.io("\(target.key) exists with other content") }
            }
            for part in candidates where part != target { try await store.deletePart(part) }
            report.daysCompacted += 1
            report.partsMerged += candidates.count
            progress?("\(date): \(candidates.count) parts → \(target.fileName)")
        }
        return report
    }
}
