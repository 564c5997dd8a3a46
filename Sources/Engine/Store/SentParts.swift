/// The part writes a cycle has sent to an object store whose outcome is not yet settled, kept
/// on local disk beside the journal.
///
/// Why: a request is carried out by the server even when the process that sent it was killed
/// (SIGKILL) just after, or gave up on it (a timeout) — possibly after the next start has
/// listed the bucket and stored the same events again under the next cycle's name. So a part
/// write that was sent is settled before any later cycle decides what to store: sent again
/// under the same name with the same bytes (parts are written only if absent, so exactly one
/// of the two lands, and a late one finds the name taken) and then counted as stored.
public struct SentParts: Sendable, Equatable {
    public struct Part: Sendable, Equatable {
        public var date: LocalDate
        public var bytes: [UInt8]
        public init(date: LocalDate, bytes: [UInt8]) {
            self.date = date
            self.bytes = bytes
        }
    }
    public var cycle: Int
    /// The metadata of `cycle` has landed: these are the writes of it that failed (and may
    /// still land). Before that, the writes of a cycle not yet committed.
    public var committed: Bool
    public var parts: [Part]

    public init(cycle: Int, committed: Bool = false, parts: [Part]) {
        self.cycle = cycle
        self.committed = committed
        self.parts = parts
    }

    static let magic = "polisen-dash/sent-parts"

    /// A header line (`polisen-dash/sent-parts 1 CYCLE COMMITTED DATE:BYTES …`), then the bytes.
    public func encoded() -> [UInt8] {
        let sizes = parts.map { "\($0.date):\($0.bytes.count)" }.joined(separator: " ")
        var out = Array("\(Self.magic) 1 \(cycle) \(committed ? 1 : 0) \(sizes)\n".utf8)
        for p in parts { out += p.bytes }
        return out
    }

    public static func decode(_ bytes: [UInt8]) -> SentParts? {
        guard let newline = bytes.firstIndex(of: 0x0A) else { return nil }
        let words = String(decoding: bytes[..<newline], as: UTF8.self).split(separator: " ")
        guard words.count >= 4, words[0] == magic, words[1] == "1", let cycle = Int(words[2]), cycle >= 0,
            words[3] == "0" || words[3] == "1"
        else { return nil }
        var parts: [Part] = []
        var at = newline + 1
        for word in words.dropFirst(4) {
            let field = word.split(separator: ":")
            guard field.count == 2, let date = LocalDate(iso: String(field[0])), let size = Int(field[1]), size >= 0,
                at + size <= bytes.count
            else { return nil }
            parts.append(Part(date: date, bytes: Array(bytes[at..<(at + size)])))
            at += size
        }
        guard at == bytes.count else { return nil }
        return SentParts(cycle: cycle, committed: words[3] == "1", parts: parts)
    }
}

/// Where `SentParts` is kept: one file, written whole (temp, fsync, rename) or removed.
public struct SentPartsFile: Sendable {
    public let path: String
    public init(path: String) { self.path = path }

    /// The record, nil when there is none; an unreadable file is kept aside (`.bad-<time>`) and
    /// reported in `problem`.
    public func load(now: Double) -> (parts: SentParts?, problem: String?) {
        guard let bytes = try? FileIO.readIfExists(path) else { return (nil, nil) }
        if let parts = SentParts.decode(bytes) { return (parts, nil) }
        let aside = "\(path).bad-\(Int(now))"
        try? FileIO.rename(from: path, to: aside)
        return (nil, "\(path) is unreadable; kept as \(aside); its part writes are not settled again")
    }

    public func save(_ parts: SentParts) throws {
        try FileIO.makeDirectories(FileIO.dirname(of: path))
        try FileIO.atomicWrite(path, parts.encoded(), mode: 0o600)
    }

    public func clear() {
        guard FileIO.exists(path) else { return }
        FileIO.remove(path)
        FileIO.syncDirectory(FileIO.dirname(of: path))
    }
}
