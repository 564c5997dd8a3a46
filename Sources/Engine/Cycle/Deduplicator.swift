/// The process stage's decisions, as pure functions: which events of a response are new,
/// edited or unchanged, which need the archive asked, and the JSONL to write per date.
public struct Classification: Sendable {
    public var new: [ScannedEvent] = []
    public var updated: [ScannedEvent] = []
    public var unchanged = 0
    /// Not in the seen state and dated at or before its horizon: the archive must be asked.
    public var unknown: [ScannedEvent] = []
    /// Events the seen state or the archive already knew (for gap detection).
    public var known = 0
    /// Other content than the stored version, but observed before it: not stored (see
    /// `Deduplicator.supersedes`).
    public var superseded = 0
}

public enum Deduplicator {
    /// THE ORDER OF VERSIONS: by when they were observed (the fetch time), never by who wrote
    /// last. Content other than the stored version's is a new version only when it was observed
    /// after the stored one was last observed; observed at or before it (a response kept from
    /// before a restart, a slower poller on the same bucket) it is superseded and not stored. So
    /// no version rolls back and none is stored twice. Without a time on either side (entries
    /// rebuilt from parts, metadata of earlier versions), differing content is a new version.
    public static func supersedes(observed: Double?, stored: SeenEntry) -> Bool {
        guard let observed, let storedAt = stored.observedAt else { return true }
        return observed > storedAt
    }

    /// The observation time given to the events of an ADOPTED part (one written by a cycle
    /// whose metadata never landed: a killed poller's, or another poller's still in flight),
    /// whose lines carry no time. Every line of it was observed before the part was written, so
    /// the write time is an upper bound, and one that never lets an older version (a journal
    /// entry observed before) roll the id back, nor the writer, should it commit after all,
    /// store its version a second time. `writtenAt`: the store's stamp (whole seconds on S3,
    /// by the store's clock: `stampMargin` covers the rounding and a second of skew); capped by
    /// `readAt`, when the part was read (it was written before). Without a stamp, `readAt`.
    /// The price of a bound: a differing version observed between the adopted one and the write
    /// (seconds, in a cycle) is taken as older, and stored only when served again.
    public static func observationBound(writtenAt: Double?, readAt: Double) -> Double {
        guard let writtenAt else { return readAt }
        return min(writtenAt + stampMargin, readAt)
    }

    public static let stampMargin: Double = 2

    /// Sorts a response's events against the seen state. The first occurrence of an id wins.
    /// `completeAfter`: the seen state holds every stored event dated after this day (nil: all).
    /// `observed`: when each id's content was observed (see `supersedes`).
    public static func classify(
        _ scan: ScanResult, seen: SeenState, completeAfter: LocalDate?,
        observed: [Int: Double] = [:]
    ) -> Classification {
        var c = Classification()
        var ids = Set<Int>(minimumCapacity: scan.events.count)
        for e in scan.events {
            guard ids.insert(e.id).inserted else {
                c.unchanged += 1
                continue
            }
            if let entry = seen[e.id] {
                c.known += 1
                if entry.hash == e.hash {
                    c.unchanged += 1
                } else if supersedes(observed: observed[e.id], stored: entry) {
                    c.updated.append(e)
                } else {
                    c.unchanged += 1
                    c.superseded += 1
                }
            } else if let horizon = completeAfter, e.localDate <= horizon {
                c.unknown.append(e)
            } else {
                c.new.append(e)
            }
        }
        return c
    }

    /// Settles the unknown events with what the archive holds: newest hash per id.
    public static func resolve(_ c: inout Classification, archive: [Int: UInt64]) {
        for e in c.unknown {
            if let stored = archive[e.id] {
                c.known += 1
                if stored == e.hash { c.unchanged += 1 } else { c.updated.append(e) }
            } else {
                c.new.append(e)
            }
        }
        c.unknown.removeAll()
    }

    /// One JSONL buffer per partition date, lines in response order.
    public static func partition(_ events: [ScannedEvent], lines: [UInt8]) -> [(LocalDate, [UInt8])] {
        // A window spans about a week: a handful of dates, so a short list beats hashing, and
        // each buffer is sized before it is filled.
        var dates: [LocalDate] = []
        var sizes: [Int] = []
        var slot = [Int](repeating: 0, count: events.count)
        for (k, e) in events.enumerated() {
            var d = dates.firstIndex(of: e.localDate) ?? -1
            if d < 0 {
                d = dates.count
                dates.append(e.localDate)
                sizes.append(0)
            }
            slot[k] = d
            sizes[d] += e.line.count + 1
        }
        var buffers = sizes.map { size -> [UInt8] in
            var b: [UInt8] = []
            b.reserveCapacity(size)
            return b
        }
        lines.withUnsafeBufferPointer { all in
            for (k, e) in events.enumerated() {
                buffers[slot[k]].append(contentsOf: UnsafeBufferPointer(rebasing: all[e.line]))
                buffers[slot[k]].append(0x0A)
            }
        }
        return zip(dates, buffers).sorted { $0.0 < $1.0 }
    }

    /// A response of one to three types is the cached filtered one the API sometimes serves for
    /// the plain URL (a normal window holds dozens of types).
    public static func looksFiltered(_ scan: ScanResult) -> Bool {
        guard scan.events.count >= 20 else { return false }
        var types = Set<UInt64>()
        for e in scan.events {
            types.insert(e.typeHash)
            if types.count > 3 { return false }
        }
        return true
    }
}
