#if canImport(Glibc)
    import Glibc
#endif

extension NewestVersions where Value == [UInt8]? {
    /// The newest version of each id among `parts`, keeping the line only where `filter` says
    /// it may hold what is searched for: a year-wide `replay --grep` or `--query`. Each line is
    /// tested in place; a line that may match is read whole (validated, and reported when unreadable, as everywhere), while of
    /// every other line only its id is read, as long as it has the form this program writes
    /// (`{"id":N,` … `}`) — any other line is read whole too. So a version that does not match
    /// still hides an older one that does, and a year is searched at nearly the speed of grep.
    static func search(
        _ store: any EventStore, _ parts: [PartRef], progress: (@Sendable (Int, Int) -> Void)? = nil,
        filter: SearchFilter
    ) async throws -> (versions: NewestVersions, problems: [String]) {
        var versions = NewestVersions()
        var problems: [String] = []
        var filter = filter
        try await store.readParts(parts) { i, read in
            progress?(i, parts.count)
            let part = parts[i]
            let bytes: [UInt8]
            switch read {
            case .success(let b): bytes = b
            case .failure(StoreError.notFound): return
            case .failure(let error):
                problems.append("\(store.location)/\(part.key): unreadable (\(error))")
                return
            }
            let rank = PartRank(part)
            var unreadable = 0
            bytes.withUnsafeBufferPointer { all in
                filter.reset()
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
                        versions.offer(id: id, rank: rank) { nil }
                        continue
                    }
                    if line.allSatisfy({ $0 == 0x20 || $0 == 0x0D || $0 == 0x09 }) { continue }
                    var scanner = ByteScanner(input: line)
                    do {
                        let e = try scanner.singleEvent()
                        // A line that cannot match is read here too when its id is not where this
                        // program writes it; only its id counts then.
                        let kept: [UInt8]? = may ? Array(scanner.out[e.line]) : nil
                        versions.offer(id: e.id, rank: rank) { kept }
                    } catch {
                        unreadable += 1
                        if unreadable <= 5 { problems.append("\(store.location)/\(part.key): line \(lineNumber): \(error)") }
                    }
                }
            }
            if unreadable > 5 { problems.append("\(store.location)/\(part.key): \(unreadable - 5) more unreadable line(s)") }
            // Room for all the ids at the rate of the first files: no rehashing as the table grows.
            if i == 7 && parts.count > 16 { versions.reserveCapacity(versions.count / 8 * parts.count) }
        }
        return (versions, problems)
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
