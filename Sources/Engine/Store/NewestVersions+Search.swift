#if canImport(Glibc)
    import Glibc
#endif

extension NewestVersions where Value == [UInt8]? {
    /// The newest version of each id among `parts` whose line `filter` says may hold what is
    /// searched for (`PartSearch`); the ids whose newest version cannot are left out. A
    /// year-wide `replay --grep` or `--query`, searched at nearly the speed of grep.
    static func search(
        _ store: any EventStore, _ parts: [PartRef], progress: (@Sendable (Int, Int) -> Void)? = nil,
        filter: SearchFilter
    ) async throws -> (versions: NewestVersions, problems: [String]) {
        var table = SearchTable()
        var problems: [String] = []
        let location = store.location
        // The files are scanned where they are read (by the store's reading threads); here
        // only the ids and the lines kept are offered, in the order of the parts.
        try await store.scanParts(parts, { i, bytes in PartSearch(bytes, filter, "\(location)/\(parts[i].key)") }) { i, read in
            progress?(i, parts.count)
            let part = parts[i]
            let found: PartSearch
            switch read {
            case .success(let f): found = f
            case .failure(StoreError.notFound): return
            case .failure(let error):
                problems.append("\(location)/\(part.key): unreadable (\(error))")
                return
            }
            problems += found.problems
            let rank = PartRank(part)
            var kept = found.kept.makeIterator()
            var next = kept.next()
            for (j, id) in found.ids.enumerated() {
                if let (k, line) = next, k == j {
                    table.offer(id: id, rank: rank, line: line)
                    next = kept.next()
                } else {
                    table.offer(id: id, rank: rank, line: nil)
                }
            }
        }
        return (table.versions(), problems)
    }
}

/// What one part holds for a search: each line's id in order; the lines that may hold what is
/// searched for, each with its place among the ids; and the lines that could not be read.
/// (Plain ids apart from the few lines kept: nothing to retain or release per line.)
final class PartSearch: Sendable {
    let ids: [Int]
    let kept: [(index: Int, line: [UInt8])]
    let problems: [String]

    /// Each line is tested in place; a line that may match is read whole (validated, and
    /// reported when unreadable, as everywhere), while of every other line only its id is read,
    /// as long as it has the form this program writes (`{"id":N,` … `}`) — any other line is
    /// read whole too. So a version that does not match still hides an older one that does.
    init(_ all: UnsafeBufferPointer<UInt8>, _ filter: SearchFilter, _ name: @autoclosure () -> String) {
        var ids: [Int] = []
        var kept: [(index: Int, line: [UInt8])] = []
        var problems: [String] = []
        // About as many as it has lines (a stored line is some 300 bytes), so it seldom grows.
        ids.reserveCapacity(all.count / 256 + 4)
        var filter = filter
        filter.reset()
        var unreadable = 0
        var start = 0
        var lineNumber = 0
        while start < all.count {
            let end =
                all.baseAddress.flatMap { base in
                    memchr(base + start, 0x0A, all.count - start).map {
                        UnsafePointer($0.assumingMemoryBound(to: UInt8.self)) - base
                    }
                } ?? all.count
            lineNumber += 1
            let line = UnsafeBufferPointer(rebasing: all[start..<end])
            let may = filter.mayHold(all, line: start..<end)
            start = end + 1
            if !may, let id = plainID(line) {
                ids.append(id)
                continue
            }
            if line.allSatisfy({ $0 == 0x20 || $0 == 0x0D || $0 == 0x09 }) { continue }
            var scanner = ByteScanner(input: line)
            do {
                let e = try scanner.singleEvent()
                // A line that cannot match is read here too when its id is not where this
                // program writes it; only its id counts then.
                if may { kept.append((ids.count, Array(scanner.out[e.line]))) }
                ids.append(e.id)
            } catch {
                unreadable += 1
                if unreadable <= 5 { problems.append("\(name()): line \(lineNumber): \(error)") }
            }
        }
        if unreadable > 5 { problems.append("\(name()): \(unreadable - 5) more unreadable line(s)") }
        self.ids = ids
        self.kept = kept
        self.problems = problems
    }
}

/// The id of a line as this program writes it: `{"id":123,` … `}`; nil for anything else.
private func plainID(_ line: UnsafeBufferPointer<UInt8>) -> Int? {
    let prefix: StaticString = #"{"id":"#
    let n = prefix.utf8CodeUnitCount
    guard line.count > n + 2, line[line.count - 1] == 0x7D,
        memcmp(line.baseAddress!, prefix.utf8Start, n) == 0
    else { return nil }
    var i = n
    var id = 0
    while i < line.count, line[i] &- 0x30 < 10, i - n < 18 {
        id = id * 10 + Int(line[i] - 0x30)
        i += 1
    }
    guard i > n, i < line.count, line[i] == 0x2C, line[n] != 0x30 || i == n + 1 else { return nil }
    return id
}
