/// A store that waits before its calls: widens the windows a crash can fall into, for the
/// crash tests (POLISEN_DASH_FAULT_WRITE_DELAY_MS), and gives the cycle benchmark the
/// original deployment's object-storage latencies (…_READ_DELAY_MS for the metadata get,
/// …_METADATA_WRITE_DELAY_MS for the metadata put).
public struct LatencyInjectingStore: EventStore {
    public let inner: any EventStore
    public let writeDelay: Double
    public let readDelay: Double
    public let metadataWriteDelay: Double

    public init(
        _ inner: any EventStore, writeDelaySeconds: Double, readDelaySeconds: Double = 0,
        metadataWriteDelaySeconds: Double? = nil
    ) {
        self.inner = inner
        writeDelay = writeDelaySeconds
        readDelay = readDelaySeconds
        metadataWriteDelay = metadataWriteDelaySeconds ?? writeDelaySeconds
    }

    private func pause(_ seconds: Double) async throws {
        if seconds > 0 { try await Task.sleep(nanoseconds: UInt64(seconds * 1e9)) }
    }

    public var location: String { inner.location }
    public var isShared: Bool { inner.isShared }
    public func readMetadata() async throws -> VersionedBlob? {
        try await pause(readDelay)
        return try await inner.readMetadata()
    }
    public func writeMetadata(_ bytes: [UInt8], expecting: String?) async throws {
        try await pause(metadataWriteDelay)
        try await inner.writeMetadata(bytes, expecting: expecting)
    }
    public func setAsideMetadata(suffix: String) async throws -> String { try await inner.setAsideMetadata(suffix: suffix) }
    public func writePart(_ part: PartRef, _ bytes: [UInt8]) async throws {
        try await pause(writeDelay)
        try await inner.writePart(part, bytes)
    }
    public func deletePart(_ part: PartRef) async throws { try await inner.deletePart(part) }
    public func listParts(date: LocalDate?) async throws -> [PartRef] { try await inner.listParts(date: date) }
    public func readPart(_ part: PartRef) async throws -> [UInt8] { try await inner.readPart(part) }
    public func readPartStamped(_ part: PartRef) async throws -> StampedPart { try await inner.readPartStamped(part) }
    public func removeTemporaries() async throws -> Int { try await inner.removeTemporaries() }
}
