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
        let read = try await store.newestVersions(in: try await store.listParts(date: date).withoutCovered()) { scan, e in
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
    public func events(from: LocalDate?, to: LocalDate?, containing text: String? = nil, matching query: EventQuery? = nil,
                       progress: (@Sendable (Int, Int) -> Void)? = nil) async throws -> Selection {
        let parts = try await store.listParts(date: nil).withoutCovered().filter { p in
            (from.map { p.date >= $0 } ?? true) && (to.map { p.date <= $0 } ?? true)
        }
        let read = try await store.newestVersions(in: parts, progress: progress) { scan, e in Array(scan.lineBytes(e)) }
        let problems = read.problems
        // Only lines holding the text (folded) are decoded, and kept if name or summary has it.
        let needle = text.map { foldCase(Array($0.utf8)) }
        let lowered = text?.lowercased()
        var entries: [Entry] = []
        for version in read.versions.byID.values {
            let line: [UInt8] = version.value
            if let needle, !containsFolded(line, needle) { continue }
            if let query, !query.mayMatch(line: line) { continue }
            guard let event = PoliceEvent.decode(line: line) else { continue }
            if let query, !query.matches(event) { continue }
            if let lowered, !((event.name ?? "").lowercased().contains(lowered) || (event.summary ?? "").lowercased().contains(lowered)) { continue }
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
    var ours: Bool
    var number: Int
    var date: LocalDate

    init(_ p: PartRef) {
        switch p.kind {
        case .part(let c, _): ours = true; number = c
        case .legacy(let u): ours = false; number = u
        }
        date = p.date
    }

    static func < (a: PartRank, b: PartRank) -> Bool {
        (a.ours ? 1 : 0, a.number, a.date.daysSinceEpoch) < (b.ours ? 1 : 0, b.number, b.date.daysSinceEpoch)
    }
}

/// Lower-cases ASCII letters and the Latin-1 capitals Swedish uses (Å Ä Ö É …) in UTF-8 bytes.
func foldCase(_ bytes: [UInt8]) -> [UInt8] {
    var out = bytes
    var i = 0
    while i < out.count {
        let b = out[i]
        if b >= 0x41 && b <= 0x5A {
            out[i] = b + 0x20
        } else if b == 0xC3, i + 1 < out.count, out[i + 1] >= 0x80, out[i + 1] <= 0x9E, out[i + 1] != 0x97 {
            out[i + 1] += 0x20
            i += 1
        }
        i += 1
    }
    return out
}

/// Whether `haystack`, case-folded, contains the already folded `needle`.
func containsFolded(_ haystack: [UInt8], _ needle: [UInt8]) -> Bool {
    guard !needle.isEmpty else { return true }
    let folded = foldCase(haystack)
    // memchr for the first byte, memcmp for the rest (memmem is a GNU extension).
    return folded.withUnsafeBytes { h in
        needle.withUnsafeBytes { n in
            guard let hb = h.baseAddress, let nb = n.baseAddress, h.count >= n.count else { return false }
            var offset = 0
            let last = h.count - n.count
            while offset <= last {
                guard let hit = memchr(hb + offset, Int32(needle[0]), last - offset + 1) else { return false }
                let at = hb.distance(to: UnsafeRawPointer(hit))
                if memcmp(hb + at, nb, n.count) == 0 { return true }
                offset = at + 1
            }
            return false
        }
    }
}
