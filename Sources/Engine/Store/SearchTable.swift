/// The newest version of each id during a history search (`NewestVersions.search`), by the
/// rule of `NewestVersions.offer`, in a table laid out by id: open addressing with the id's own
/// low bits as its place (mixed with higher bits), so the ids of one day, which are nearly
/// consecutive, land side by side and stay in cache. A `Dictionary` hashes each id to a random
/// place in some 8 MB for a year: a fifth of a compacted year's search went there.
struct SearchTable {
    private static let empty = Int.min
    private var ids: [Int]
    private var ranks: [UInt64]
    /// Index in `lines` of the newest version's line; -1 when it cannot match.
    private var kept: [Int32]
    private var counts: [Int32]
    private var lines: [[UInt8]] = []
    private var mask: Int
    private(set) var count = 0
    /// The version of the one id that is the marker of an empty place.
    private var markerID: (rank: UInt64, kept: Int32, count: Int32)?

    init(capacity: Int = 1 << 12) {
        var size = 16
        while size < capacity { size <<= 1 }
        ids = Array(repeating: Self.empty, count: size)
        ranks = Array(repeating: 0, count: size)
        kept = Array(repeating: -1, count: size)
        counts = Array(repeating: 0, count: size)
        mask = size - 1
    }

    @inline(__always)
    private func place(_ id: Int) -> Int { (id ^ (id >> 17)) & mask }

    /// `NewestVersions.offer`: a later offer of an equal or higher rank replaces the line.
    mutating func offer(id: Int, rank: PartRank, line: [UInt8]?) {
        guard id != Self.empty else {
            if let held = markerID {
                markerID = held.rank <= rank.key ? (rank.key, keep(line), held.count + 1) : (held.rank, held.kept, held.count + 1)
            } else {
                markerID = (rank.key, keep(line), 1)
            }
            return
        }
        if (count + 1) * 4 > ids.count * 3 { grow() }
        var i = place(id)
        while ids[i] != id {
            if ids[i] == Self.empty {
                ids[i] = id
                ranks[i] = rank.key
                kept[i] = keep(line)
                counts[i] = 1
                count += 1
                return
            }
            i = (i + 1) & mask
        }
        counts[i] += 1
        if ranks[i] <= rank.key {
            ranks[i] = rank.key
            kept[i] = keep(line)
        }
    }

    private mutating func keep(_ line: [UInt8]?) -> Int32 {
        guard let line else { return -1 }
        lines.append(line)
        return Int32(lines.count - 1)
    }

    private mutating func grow() {
        var bigger = SearchTable(capacity: ids.count * 2)
        bigger.lines = lines
        for i in ids.indices where ids[i] != Self.empty {
            var j = bigger.place(ids[i])
            while bigger.ids[j] != Self.empty { j = (j + 1) & bigger.mask }
            bigger.ids[j] = ids[i]
            bigger.ranks[j] = ranks[i]
            bigger.kept[j] = kept[i]
            bigger.counts[j] = counts[i]
        }
        bigger.count = count
        bigger.markerID = markerID
        self = bigger
    }

    /// The newest versions whose line may match (the others are of no use to a search), with
    /// how many versions of each id were offered.
    func versions() -> NewestVersions<[UInt8]?> {
        var out = NewestVersions<[UInt8]?>()
        if let m = markerID, m.kept >= 0 {
            out.insert(id: Self.empty, rank: PartRank(key: m.rank), value: lines[Int(m.kept)], count: Int(m.count))
        }
        for i in ids.indices where ids[i] != Self.empty && kept[i] >= 0 {
            out.insert(id: ids[i], rank: PartRank(key: ranks[i]), value: lines[Int(kept[i])], count: Int(counts[i]))
        }
        return out
    }
}
