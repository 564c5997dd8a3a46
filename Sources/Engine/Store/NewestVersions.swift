/// The archive's one rule for "the newest version of an id": the version in the latest part
/// (`PartRank`: the original collector's files before ours, ours by cycle, then by date), and
/// within one part the later line. Every reader that picks a version — the poller's archive
/// look-up, the day view, replay, export — goes through `offer`, so they cannot disagree.
public struct NewestVersions<Value: Sendable>: Sendable {
    public struct Version: Sendable {
        var rank: PartRank
        /// What the reader keeps of the newest version (its line, its hash, …).
        public var value: Value
        /// How many versions of the id were offered (stored), the newest included.
        public var count: Int
    }

    public private(set) var byID: [Int: Version] = [:]

    public init() {}

    public var count: Int { byID.count }
    public subscript(id: Int) -> Version? { byID[id] }

    /// Offers one stored version of `id`, found in a part of rank `rank`. Lines of one part are
    /// offered in their order, so the later of two lines of a part wins. `value` is evaluated
    /// only when this version is the newest so far.
    mutating func offer(id: Int, rank: PartRank, _ value: () -> Value) {
        // In place, through one look-up of the id (inserting when new), and no copy of the held value.
        Self.offer(&byID[id], rank, value)
    }

    @inline(__always)
    private static func offer(_ held: inout Version?, _ rank: PartRank, _ value: () -> Value) {
        guard held != nil else { return held = Version(rank: rank, value: value(), count: 1) }
        held!.count += 1
        if held!.rank <= rank {
            held!.rank = rank
            held!.value = value()
        }
    }

    mutating func reserveCapacity(_ n: Int) { byID.reserveCapacity(n) }

    /// Sets the newest version of `id` as read elsewhere (`SearchTable`).
    mutating func insert(id: Int, rank: PartRank, value: Value, count: Int) {
        byID[id] = Version(rank: rank, value: value, count: count)
    }

    /// Offers every event of one scanned part.
    mutating func offer(_ part: PartRef, _ scan: ScanResult, _ value: (ScanResult, ScannedEvent) -> Value) {
        let rank = PartRank(part)
        for e in scan.events { offer(id: e.id, rank: rank) { value(scan, e) } }
    }

    /// Joins what was read from other parts (for example other dates read alongside).
    mutating func merge(_ other: NewestVersions<Value>) {
        for (id, theirs) in other.byID {
            guard var held = byID[id] else {
                byID[id] = theirs
                continue
            }
            let count = held.count + theirs.count
            if held.rank <= theirs.rank { held = theirs }
            held.count = count
            byID[id] = held
        }
    }
}

extension NewestVersions {
    /// The newest stored version of each id among `parts`, read in order. An unreadable part is
    /// reported in `problems` and skipped, so one damaged file never hides the rest of the
    /// archive; `strict` makes it fatal instead (the poller must not store an event twice
    /// because a part could not be read). A part that vanished between listing and reading
    /// (withdrawn by another poller, merged by a compaction) sets `vanished`.
    // A static function of the generic type, not a protocol extension, so that the optimiser
    // specialises it for each `Value` (a year-wide search offers 150,000 versions).
    static func read(
        _ store: any EventStore, _ parts: [PartRef], strict: Bool = false, progress: (@Sendable (Int, Int) -> Void)? = nil,
        _ value: (ScanResult, ScannedEvent) -> Value
    ) async throws -> (versions: NewestVersions<Value>, problems: [String], vanished: Bool) {
        var versions = NewestVersions<Value>()
        var problems: [String] = []
        var vanished = false
        for (i, part) in parts.enumerated() {
            progress?(i, parts.count)
            let bytes: [UInt8]
            do { bytes = try await store.readPart(part) } catch StoreError.notFound {
                vanished = true
                continue
            } catch {
                if strict { throw error }
                problems.append("\(store.location)/\(part.key): unreadable (\(error))")
                continue
            }
            let scan = EventScanner.scanLines(bytes)
            for reason in scan.skipReasons { problems.append("\(store.location)/\(part.key): \(reason)") }
            if scan.skipped > scan.skipReasons.count {
                problems.append("\(store.location)/\(part.key): \(scan.skipped - scan.skipReasons.count) more unreadable line(s)")
            }
            versions.offer(part, scan, value)
        }
        return (versions, problems, vanished)
    }
}

extension EventStore {
    func newestVersions<Value: Sendable>(
        in parts: [PartRef], strict: Bool = false, progress: (@Sendable (Int, Int) -> Void)? = nil,
        _ value: (ScanResult, ScannedEvent) -> Value
    ) async throws -> (versions: NewestVersions<Value>, problems: [String], vanished: Bool) {
        try await NewestVersions.read(self, parts, strict: strict, progress: progress, value)
    }

    /// The newest stored version of each id stored under `date`, for the poller's archive
    /// look-up: any unreadable part is an error. A part can vanish between listing and reading
    /// (withdrawn by another poller after a conflict, or merged by a compaction): list again then.
    public func newestVersions<Value: Sendable>(
        on date: LocalDate, _ value: (ScanResult, ScannedEvent) -> Value
    ) async throws -> NewestVersions<Value> {
        for attempt in 1...3 {
            let read = try await NewestVersions.read(self, try await listParts(date: date).withoutCovered(), strict: true, value)
            if !read.vanished || attempt == 3 { return read.versions }
        }
        return NewestVersions()
    }
}
