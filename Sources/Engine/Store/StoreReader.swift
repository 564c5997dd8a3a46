#if canImport(Glibc)
    import Glibc
#endif

/// Reads the archive back: each stored event once, at its newest version.
public struct StoreReader: Sendable {
    public let store: any EventStore

    public init(store: any EventStore) { self.store = store }

    public struct Day: Sendable {
        public var date: LocalDate
        /// Newest version of each id stored under this date, newest publication first.
        public var events: [PoliceEvent]
        /// Lines that could not be read, with where they are.
        public var problems: [String]
    }

    /// Dates that have stored parts, ascending.
    public func dates() async throws -> [LocalDate] {
        Array(Set(try await store.listParts(date: nil).map(\.date))).sorted()
    }

    /// The newest version of each id stored under `date` (its parts only), newest first.
    public func day(_ date: LocalDate) async throws -> Day {
        let read = try await NewestVersions<[UInt8]>.read(store, try await store.listParts(date: date).withoutCovered()) { scan, e in
            Array(scan.lineBytes(e))
        }
        let events = read.versions.byID.values.compactMap { PoliceEvent.decode(line: $0.value) }
        return Day(date: date, events: events.sortedNewestFirst(), problems: read.problems)
    }

    public struct Entry: Sendable {
        public var event: PoliceEvent
        /// The stored line, as the API sent it.
        public var line: [UInt8]
    }

    public struct Selection: Sendable {
        /// Newest version of each id, oldest publication first.
        public var entries: [Entry]
        /// Lines or files that could not be read, each with where it is.
        public var problems: [String]
        public var partsRead: Int
    }

    /// Every event stored under the dates in `from...to` (all dates when nil), each once at its
    /// newest version: the one in the latest part (the original collector's files count as
    /// older than any of ours). An id whose publication date changed is taken at its newest
    /// version wherever that is stored, and only if that date is in range.
    /// With `query`, only the events it matches (stored lines it rules out are not decoded).
    public func events(
        from: LocalDate?, to: LocalDate?, containing text: String? = nil, matching query: EventQuery? = nil,
        progress: (@Sendable (Int, Int) -> Void)? = nil
    ) async throws -> Selection {
        let parts = try await store.listParts(date: nil).withoutCovered().filter { p in
            (from.map { p.date >= $0 } ?? true) && (to.map { p.date <= $0 } ?? true)
        }
        // Searching, only the newest versions that may hold the text or match the query are
        // kept and decoded: a year of lines is neither copied nor held, only their ids.
        let read: (versions: NewestVersions<[UInt8]?>, problems: [String])
        if text != nil || query != nil {
            let filter = SearchFilter(text: text.map(FoldedNeedle.init), query: query)
            read = try await NewestVersions.search(store, parts, progress: progress, filter: filter)
        } else {
            let all = try await NewestVersions<[UInt8]?>.read(store, parts, progress: progress) { scan, e in Array(scan.lineBytes(e)) }
            read = (all.versions, all.problems)
        }
        let problems = read.problems
        let lowered = text?.lowercased()
        var entries: [Entry] = []
        for version in read.versions.byID.values {
            guard let line = version.value, let event = PoliceEvent.decode(line: line) else { continue }
            if let query, !query.matches(event) { continue }
            // The text must be in the name or the summary, not elsewhere in the line.
            if let lowered, !((event.name ?? "").lowercased().contains(lowered) || (event.summary ?? "").lowercased().contains(lowered)) {
                continue
            }
            entries.append(Entry(event: event, line: line))
        }
        entries.sort { ($0.event.parsedDateTime?.instant ?? 0, $0.event.id) < ($1.event.parsedDateTime?.instant ?? 0, $1.event.id) }
        return Selection(entries: entries, problems: problems, partsRead: parts.count)
    }

    /// Events whose name or summary contains `text`, ignoring case: each once, newest version.
    public func search(text: String, from: LocalDate? = nil, to: LocalDate? = nil) async throws -> [Entry] {
        try await events(from: from, to: to, containing: text).entries
    }

    /// The most recently published stored events, up to `limit`, from the newest days.
    public func recent(limit: Int) async throws -> [PoliceEvent] {
        var out: [PoliceEvent] = []
        for date in try await dates().reversed() {
            out += try await day(date).events
            if out.count >= limit { break }
        }
        return Array(out.sortedNewestFirst().prefix(limit))
    }
}

extension Array where Element == PoliceEvent {
    /// By publication instant, newest first; ties by id.
    public func sortedNewestFirst() -> [PoliceEvent] {
        map { ($0.parsedDateTime?.instant ?? 0, $0) }
            .sorted { ($0.0, $0.1.id) > ($1.0, $1.1.id) }
            .map(\.1)
    }
}

/// Which of two parts holds the newer version: the original collector's files before ours,
/// then ours by cycle; within equal ranks, the later date.
struct PartRank: Comparable {
    /// (ours, number, date) packed into one word, in that order of significance, so a year's
    /// versions each hold 8 bytes of rank: date in the low 20 bits, the cycle (or the original
    /// collector's unix time) in the next 42, ours above.
    let key: UInt64

    init(_ p: PartRef) {
        let ours: UInt64
        let number: Int
        switch p.kind {
        case .part(let c, _):
            ours = 1
            number = c
        case .legacy(let u):
            ours = 0
            number = u
        }
        let days = UInt64(clamping: min(max(p.date.daysSinceEpoch + (1 << 19), 0), (1 << 20) - 1))
        key = ours << 62 | UInt64(clamping: min(max(number, 0), (1 << 42) - 1)) << 20 | days
    }

    init(key: UInt64) { self.key = key }

    static func < (a: PartRank, b: PartRank) -> Bool { a.key < b.key }
}
