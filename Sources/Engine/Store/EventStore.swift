/// Where events and metadata live: a local folder or an S3-compatible bucket, one layout:
///
///     metadata.json
///     events/YYYY/MM/DD/part-<cycle>.jsonl
///
/// Part files are immutable once written. The original collector's files
/// (`events/YYYY/MM/DD/events-<unix>.jsonl`) are read as they are.
public protocol EventStore: Sendable {
    /// Where the store is, for people (never holds a secret).
    var location: String { get }
    /// Whether other pollers may write it too: its metadata is then re-read every cycle and
    /// replaced only conditionally.
    var isShared: Bool { get }
    /// The metadata bytes and a version token (an ETag; nil locally), or nil when absent.
    func readMetadata() async throws -> VersionedBlob?
    /// Replaces metadata. `expecting` is the version read before (nil: it must not exist yet);
    /// a store shared by several writers throws `StoreError.conflict` when it changed meanwhile.
    func writeMetadata(_ bytes: [UInt8], expecting: String?) async throws
    /// Moves unreadable metadata out of the way, keeping it; returns where it went.
    func setAsideMetadata(suffix: String) async throws -> String
    /// Writes one new part; never replaces an existing one.
    func writePart(_ part: PartRef, _ bytes: [UInt8]) async throws
    /// Removes a part this process wrote but could not commit (a metadata conflict).
    func deletePart(_ part: PartRef) async throws
    /// Parts of one date, or of every date when nil, in reading order.
    func listParts(date: LocalDate?) async throws -> [PartRef]
    func readPart(_ part: PartRef) async throws -> [UInt8]
    /// `readPart` with the time the store says the part was written (its Last-Modified or
    /// mtime), for adopting another poller's uncommitted part (see
    /// `Deduplicator.observationBound`). By default without a time.
    func readPartStamped(_ part: PartRef) async throws -> StampedPart
    /// Reads `parts` and hands what `scan` makes of each file's bytes (valid only during that
    /// call) to `body` in their order, with its index (a part that is not there as
    /// `StoreError.notFound`). A store may read and scan ahead of `body`, on other threads; by
    /// default the parts are read one after another with `readPart`.
    func scanParts<T: AnyObject & Sendable>(
        _ parts: [PartRef], _ scan: @escaping @Sendable (Int, UnsafeBufferPointer<UInt8>) -> T,
        _ body: (Int, Result<T, any Error>) throws -> Void
    ) async throws
    /// Removes leftovers of interrupted writes; returns how many.
    func removeTemporaries() async throws -> Int
}

extension EventStore {
    public var isShared: Bool { false }
    public func readPartStamped(_ part: PartRef) async throws -> StampedPart {
        StampedPart(bytes: try await readPart(part), writtenAt: nil)
    }
}

/// A part's bytes and when it was written, by the store's clock (nil: the store cannot say).
public struct StampedPart: Sendable {
    public var bytes: [UInt8]
    public var writtenAt: Double?
    public init(bytes: [UInt8], writtenAt: Double?) {
        self.bytes = bytes
        self.writtenAt = writtenAt
    }
}

public struct VersionedBlob: Sendable {
    public var bytes: [UInt8]
    public var version: String?
    /// When the object was last written (Unix seconds, the store's clock), when known.
    public var writtenAt: Double?
    public init(bytes: [UInt8], version: String?, writtenAt: Double? = nil) {
        self.bytes = bytes
        self.version = version
        self.writtenAt = writtenAt
    }
}

public enum StoreError: Error, Sendable, CustomStringConvertible {
    case conflict(String)
    case alreadyExists(String)
    case io(String)
    case noSpace(String)
    /// A part listed a moment ago is gone: an uncommitted one another poller withdrew.
    case notFound(String)

    public var description: String {
        switch self {
        case .conflict(let m): return "conflicting write: \(m)"
        case .alreadyExists(let m): return "already exists: \(m)"
        case .io(let m): return m
        case .noSpace(let m): return "no space left: \(m)"
        case .notFound(let m): return "not found: \(m)"
        }
    }
}

extension EventStore {
    public func scanParts<T: AnyObject & Sendable>(
        _ parts: [PartRef], _ scan: @escaping @Sendable (Int, UnsafeBufferPointer<UInt8>) -> T,
        _ body: (Int, Result<T, any Error>) throws -> Void
    ) async throws {
        for (i, part) in parts.enumerated() {
            let read: Result<T, any Error>
            do { read = .success(try await readPart(part).withUnsafeBufferPointer { scan(i, $0) }) } catch { read = .failure(error) }
            try body(i, read)
        }
    }

    /// Each part's bytes, in order (see `scanParts`).
    public func readParts(_ parts: [PartRef], _ body: (Int, Result<[UInt8], any Error>) throws -> Void) async throws {
        try await scanParts(parts, { _, bytes in PartBytes(Array(bytes)) }) { i, read in try body(i, read.map(\.bytes)) }
    }
}

private final class PartBytes: Sendable {
    let bytes: [UInt8]
    init(_ bytes: [UInt8]) { self.bytes = bytes }
}

/// One part file of a date's partition.
public struct PartRef: Hashable, Sendable, Comparable, CustomStringConvertible {
    /// `part(cycle, first)`: one cycle's part, or (with `first`) a compacted part holding the
    /// day's parts of cycles `first...cycle`.
    public enum Kind: Hashable, Sendable {
        case part(cycle: Int, first: Int? = nil)
        case legacy(unix: Int)
    }
    public var date: LocalDate
    public var kind: Kind

    public init(date: LocalDate, cycle: Int) {
        self.date = date
        kind = .part(cycle: cycle)
    }
    public init(date: LocalDate, cycles: ClosedRange<Int>) {
        self.date = date
        kind = .part(cycle: cycles.upperBound, first: cycles.lowerBound)
    }
    public init(date: LocalDate, kind: Kind) {
        self.date = date
        self.kind = kind
    }

    public var description: String { key }

    public var cycle: Int? { if case .part(let c, _) = kind { return c } else { return nil } }

    /// The cycles a compacted part holds; nil for a single cycle's part.
    public var compactedCycles: ClosedRange<Int>? {
        if case .part(let c, let first?) = kind { return first...c } else { return nil }
    }

    /// Whether `other`, of the same day, is one of the parts this compacted part holds.
    public func covers(_ other: PartRef) -> Bool {
        guard other != self, other.date == date, let range = compactedCycles else { return false }
        switch other.kind {
        case .part(let c, nil): return range.contains(c)
        case .part(let c, let first?): return range.contains(c) && range.contains(first)
        case .legacy: return false
        }
    }

    /// Reading order within a store: by date, the original collector's files first (by time),
    /// then ours by cycle. A later file's version of an event is the newer one.
    public static func < (a: PartRef, b: PartRef) -> Bool {
        if a.date != b.date { return a.date < b.date }
        switch (a.kind, b.kind) {
        case (.legacy(let x), .legacy(let y)): return x < y
        case (.legacy, .part): return true
        case (.part, .legacy): return false
        case (.part(let x, let fx), .part(let y, let fy)): return (x, fx == nil ? 0 : 1) < (y, fy == nil ? 0 : 1)
        }
    }
}

extension Array where Element == PartRef {
    /// Without the parts a compacted part holds (left by a compaction cut short).
    public func withoutCovered() -> [PartRef] {
        // Compared within each date only: a compacted store has one compacted part a day.
        var compacted: [LocalDate: [PartRef]] = [:]
        for p in self where p.compactedCycles != nil { compacted[p.date, default: []].append(p) }
        guard !compacted.isEmpty else { return self }
        return filter { p in !(compacted[p.date]?.contains { $0.covers(p) } ?? false) }
    }
}
