#if canImport(Glibc)
    import Glibc
#endif

/// The store in a local folder.
public struct LocalStore: EventStore {
    public let root: String

    public init(root: String) { self.root = root }

    public var location: String { root }
    var metadataPath: String { "\(root)/metadata.json" }

    public func readMetadata() async throws -> VersionedBlob? {
        try FileIO.readIfExists(metadataPath).map { VersionedBlob(bytes: $0, version: nil) }
    }

    public func writeMetadata(_ bytes: [UInt8], expecting: String?) async throws {
        try FileIO.makeDirectories(root)
        try wrap { () throws(FileIOError) in try FileIO.atomicWrite(metadataPath, bytes) }
    }

    public func setAsideMetadata(suffix: String) async throws -> String {
        let aside = "\(metadataPath).\(suffix)"
        try FileIO.rename(from: metadataPath, to: aside)
        return aside
    }

    public func writePart(_ part: PartRef, _ bytes: [UInt8]) async throws {
        let path = "\(root)/\(part.key)"
        try wrap { () throws(FileIOError) in
            try FileIO.makeDirectories(FileIO.dirname(of: path))
            try FileIO.atomicWrite(path, bytes, replace: false)
        }
    }

    public func deletePart(_ part: PartRef) async throws {
        FileIO.remove("\(root)/\(part.key)")
        FileIO.syncDirectory(FileIO.dirname(of: "\(root)/\(part.key)"))
    }

    public func listParts(date: LocalDate?) async throws -> [PartRef] {
        if let date {
            return FileIO.list("\(root)/events/\(date.partitionPath)")
                .compactMap { PartRef(date: date, fileName: $0) }.sorted()
        }
        // Dates in order and each day's parts sorted on their own: the same order as sorting
        // the year's parts at once, for far fewer comparisons.
        func numbered(_ dir: String, digits: Int) -> [(Int, String)] {
            FileIO.list(dir).compactMap { name in name.utf8.count == digits ? Int(name).map { ($0, name) } : nil }.sorted { $0.0 < $1.0 }
        }
        var parts: [PartRef] = []
        for (year, y) in numbered("\(root)/events", digits: 4) {
            for (month, m) in numbered("\(root)/events/\(y)", digits: 2) {
                for (day, d) in numbered("\(root)/events/\(y)/\(m)", digits: 2) {
                    let date = LocalDate(year: year, month: month, day: day)
                    parts += FileIO.list("\(root)/events/\(y)/\(m)/\(d)").compactMap { PartRef(date: date, fileName: $0) }.sorted()
                }
            }
        }
        // Two folders naming one number ("01", "+1") would interleave: sort them all then.
        return zip(parts, parts.dropFirst()).contains { $1 < $0 } ? parts.sorted() : parts
    }

    public func readPart(_ part: PartRef) async throws -> [UInt8] {
        guard let bytes = try FileIO.readIfExists("\(root)/\(part.key)") else { throw StoreError.notFound("\(root)/\(part.key)") }
        return bytes
    }

    public func readPartStamped(_ part: PartRef) async throws -> StampedPart {
        let path = "\(root)/\(part.key)"
        // The time first: a part is immutable, so its mtime is when it was written.
        let written = FileIO.modificationTime(path)
        return StampedPart(bytes: try await readPart(part), writtenAt: written)
    }

    public func removeTemporaries() async throws -> Int {
        var removed = 0
        func sweep(_ dir: String, depth: Int) {
            for name in FileIO.list(dir) {
                let path = "\(dir)/\(name)"
                if FileIO.isLeftoverTemp(name) {
                    FileIO.remove(path)
                    removed += 1
                } else if depth > 0 && FileIO.isDirectory(path) {
                    sweep(path, depth: depth - 1)
                }
            }
        }
        sweep(root, depth: 4)
        return removed
    }

    private func wrap(_ body: () throws(FileIOError) -> Void) throws {
        do { try body() } catch {
            if error.isNoSpace { throw StoreError.noSpace(error.description) }
            if error.code == EEXIST { throw StoreError.alreadyExists(error.path) }
            throw StoreError.io(error.description)
        }
    }
}
