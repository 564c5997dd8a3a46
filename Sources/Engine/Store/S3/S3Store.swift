/// The store in an S3-compatible bucket (OCI Object Storage, AWS S3, MinIO, Ceph): the same
/// layout as a local folder under `s3://BUCKET/PREFIX/`. Every PUT is atomic; parts are written
/// only if absent; metadata is replaced only if unchanged since it was read (its ETag).
public struct S3Store: EventStore {
    public let client: S3Client
    /// "" or ending in "/".
    public let prefix: String

    public init(client: S3Client, prefix: String) {
        let p = prefix.hasPrefix("/") ? String(prefix.dropFirst()) : prefix
        self.client = client
        self.prefix = p.isEmpty || p.hasSuffix("/") ? p : p + "/"
    }

    public var location: String { "s3://\(client.bucket)/\(prefix)" }
    public var isShared: Bool { true }

    public func readMetadata() async throws -> VersionedBlob? { try await client.get(prefix + "metadata.json") }

    public func writeMetadata(_ bytes: [UInt8], expecting: String?) async throws {
        do {
            try await client.put(
                prefix + "metadata.json", bytes, contentType: "application/json",
                condition: expecting.map { .ifMatch($0) } ?? .ifNoneMatch)
        } catch S3Client.Failure.preconditionFailed {
            throw StoreError.conflict("\(location)metadata.json changed since it was read (another poller?)")
        }
    }

    public func setAsideMetadata(suffix: String) async throws -> String {
        let key = prefix + "metadata.json"
        guard let blob = try await client.get(key) else { return "" }
        try await client.put("\(key).\(suffix)", blob.bytes, contentType: "application/octet-stream")
        try await client.delete(key)
        return "\(location)metadata.json.\(suffix)"
    }

    public func writePart(_ part: PartRef, _ bytes: [UInt8]) async throws {
        do {
            try await client.put(prefix + part.key, bytes, contentType: "application/x-ndjson", condition: .ifNoneMatch)
        } catch S3Client.Failure.preconditionFailed {
            throw StoreError.alreadyExists(location + part.key)
        }
    }

    public func deletePart(_ part: PartRef) async throws { try await client.delete(prefix + part.key) }

    public func listParts(date: LocalDate?) async throws -> [PartRef] {
        let under = prefix + "events/" + (date.map { $0.partitionPath + "/" } ?? "")
        return try await client.list(prefix: under).compactMap { key in
            // events/YYYY/MM/DD/NAME
            let parts = key.dropFirst(prefix.count).split(separator: "/")
            guard parts.count == 5, parts[0] == "events", let y = Int(parts[1]), let m = Int(parts[2]), let d = Int(parts[3])
            else { return nil }
            return PartRef(date: LocalDate(year: y, month: m, day: d), fileName: String(parts[4]))
        }.sorted()
    }

    public func readPart(_ part: PartRef) async throws -> [UInt8] {
        guard let blob = try await client.get(prefix + part.key) else { throw StoreError.notFound("\(location)\(part.key)") }
        return blob.bytes
    }

    public func readPartStamped(_ part: PartRef) async throws -> StampedPart {
        guard let blob = try await client.get(prefix + part.key) else { throw StoreError.notFound("\(location)\(part.key)") }
        return StampedPart(bytes: blob.bytes, writtenAt: blob.writtenAt)
    }

    /// Object PUTs are atomic: nothing half-written to sweep.
    public func removeTemporaries() async throws -> Int { 0 }
}
