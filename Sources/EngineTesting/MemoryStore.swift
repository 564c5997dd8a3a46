import Engine
import Synchronization

/// An event store held in memory, shared like an object store when `shared` is set (versions
/// are counters, conditional writes are checked). For tests that need no disk and no server.
public final class MemoryStore: EventStore {
    private struct State {
        var metadata: VersionedBlob?
        var version = 0
        var parts: [PartRef: [UInt8]] = [:]
        var writtenAt: [PartRef: Double] = [:]
        var setAside: [String: [UInt8]] = [:]
    }
    private let state = Mutex(State())
    public let isShared: Bool
    /// Stamps each part write with its time (as an object store's Last-Modified), when given.
    let clock: (any WallClock)?

    public init(shared: Bool = false, clock: (any WallClock)? = nil) {
        isShared = shared
        self.clock = clock
    }

    public var location: String { "memory:" }

    public func readMetadata() async throws -> VersionedBlob? { state.withLock { $0.metadata } }

    public func writeMetadata(_ bytes: [UInt8], expecting: String?) async throws {
        try state.withLock { s throws(StoreError) in
            if isShared && s.metadata?.version != expecting { throw .conflict("metadata.json changed since it was read") }
            s.version += 1
            s.metadata = VersionedBlob(bytes: bytes, version: isShared ? "\(s.version)" : nil)
        }
    }

    public func setAsideMetadata(suffix: String) async throws -> String {
        let name = "metadata.json.\(suffix)"
        state.withLock { s in
            s.setAside[name] = s.metadata?.bytes ?? []
            s.metadata = nil
        }
        return name
    }

    public func writePart(_ part: PartRef, _ bytes: [UInt8]) async throws {
        try state.withLock { s throws(StoreError) in
            if s.parts[part] != nil { throw .alreadyExists(part.key) }
            s.parts[part] = bytes
            s.writtenAt[part] = clock?.now()
        }
    }

    public func deletePart(_ part: PartRef) async throws {
        state.withLock { s in
            s.parts[part] = nil
            s.writtenAt[part] = nil
        }
    }

    public func listParts(date: LocalDate?) async throws -> [PartRef] {
        state.withLock { s in s.parts.keys.filter { date == nil || $0.date == date }.sorted() }
    }

    public func readPart(_ part: PartRef) async throws -> [UInt8] {
        try state.withLock { s throws(StoreError) in
            guard let bytes = s.parts[part] else { throw .notFound(part.key) }
            return bytes
        }
    }

    public func readPartStamped(_ part: PartRef) async throws -> StampedPart {
        try state.withLock { s throws(StoreError) in
            guard let bytes = s.parts[part] else { throw .notFound(part.key) }
            return StampedPart(bytes: bytes, writtenAt: s.writtenAt[part])
        }
    }

    public func removeTemporaries() async throws -> Int { 0 }
}
