#if canImport(Glibc)
    import Glibc
#endif

/// One fetched event waiting to be stored: its newest observed content and when it was observed.
public struct JournalEntry: Sendable, Equatable {
    /// The compact event line, as the scanner made it (the bytes a part will hold).
    public var line: [UInt8]
    public var hash: UInt64
    /// Wall-clock time (Unix seconds) of the fetch that served this content.
    public var observedAt: Double
}

public struct JournalFull: Error, CustomStringConvertible, Sendable {
    public var pending: Int
    public var bytes: Int
    public var limit: Int
    public var description: String {
        "journal full: \(pending) fetched events (\(bytes >> 20) MB of \(limit >> 20) MB) wait for the store; newer responses are not kept until it is back"
    }
}

/// The write-ahead journal: every fetched event that no cycle has committed yet, kept durably
/// on local disk (beside the call ledger) and merged by id at the newest observed content, so a
/// store outage of any length the disk can hold loses nothing — also across kill -9 (each
/// version of the file is written whole, fsynced, then renamed into place).
///
/// The file: a header line, then one line per event, `<observed-at> <event JSON>`.
public struct ResponseJournal: Sendable {
    public static let header = #"{"format":"polisen-dash/journal","version":1}"#
    public static let defaultLimitBytes = 64 << 20

    public let path: String
    public let limitBytes: Int
    /// The single saved response of earlier versions (`pending-response…json`), read once and
    /// folded in.
    public let legacyPath: String?

    public init(path: String, limitBytes: Int = ResponseJournal.defaultLimitBytes, legacyPath: String? = nil) {
        self.path = path
        self.limitBytes = limitBytes
        self.legacyPath = legacyPath
    }

    /// Where earlier versions kept their one saved response: the ledger's name with
    /// `pending-response` for `api-state` (read only, to fold it in once).
    public static func legacyPath(besideLedger ledger: String) -> String {
        FileIO.dirname(of: ledger) + "/" + FileIO.basename(of: ledger).replacing("api-state", with: "pending-response")
    }

    /// What a load found: the readable entries, and what was wrong with the files (each such
    /// file was kept aside as `<name>.bad-<time>`, never removed).
    public struct Loaded: Sendable {
        public var entries: [Int: JournalEntry] = [:]
        public var problems: [String] = []
        /// A legacy saved response was read: remove it (`removeLegacy`) once the entries are saved.
        public var readLegacy = false
        /// The entries differ from the journal file: save them.
        public var needsSave: Bool { readLegacy || !problems.isEmpty }
    }

    public func removeLegacy() { if let legacyPath { FileIO.remove(legacyPath) } }

    /// Reads the journal (and a legacy saved response). Unreadable files are kept aside and
    /// reported; the events that can be read from them are still returned.
    public func load(now: Double) -> Loaded {
        var out = Loaded()
        if let legacyPath, FileIO.exists(legacyPath) || FileIO.isSymlink(legacyPath) {
            readLegacy(legacyPath, into: &out, now: now)
        }
        guard FileIO.exists(path) || FileIO.isSymlink(path) else { return out }
        let (entries, problem) = read(path)
        for (id, e) in entries { Self.merge(e, id: id, into: &out.entries) }
        if let problem { out.problems.append(keepAside(path, problem, now: now)) }
        return out
    }

    private func read(_ path: String) -> ([Int: JournalEntry], String?) {
        if FileIO.isSymlink(path) { return ([:], "a symbolic link, not a journal") }
        let bytes: [UInt8]
        do { bytes = try FileIO.readAll(path) } catch { return ([:], "\(error)") }
        var entries: [Int: JournalEntry] = [:]
        var bad = 0
        var lineNumber = 0
        var headerOK = false
        var start = 0
        while start < bytes.count {
            var end = start
            while end < bytes.count && bytes[end] != 0x0A { end += 1 }
            let line = bytes[start..<end]
            let complete = end < bytes.count
            start = end + 1
            lineNumber += 1
            if lineNumber == 1 {
                headerOK = complete && Array(line) == Array(Self.header.utf8)
                if headerOK { continue }
            }
            guard complete, let space = line.firstIndex(of: 0x20),
                let t = Double(String(decoding: line[line.startIndex..<space], as: UTF8.self)), t.isFinite
            else {
                bad += 1
                continue
            }
            let scan = EventScanner.scanLines(Array(line[(space + 1)...]))
            guard scan.skipped == 0, scan.events.count == 1, let e = scan.events.first else {
                bad += 1
                continue
            }
            Self.merge(JournalEntry(line: Array(scan.lines[e.line]), hash: e.hash, observedAt: t), id: e.id, into: &entries)
        }
        var problems: [String] = []
        if !headerOK { problems.append(bytes.isEmpty ? "empty file" : "no journal header") }
        if bad > 0 { problems.append("\(bad) unreadable line(s)") }
        return (entries, problems.isEmpty ? nil : problems.joined(separator: ", "))
    }

    /// A response saved whole by an earlier version: its events, observed when it was saved.
    private func readLegacy(_ legacy: String, into out: inout Loaded, now: Double) {
        var problem: String?
        if FileIO.isSymlink(legacy) {
            problem = "a symbolic link, not a saved response"
        } else {
            do {
                let body = try FileIO.readAll(legacy)
                let observed = FileIO.modificationTime(legacy) ?? now
                let scan = try EventScanner.scan(body)
                for e in scan.events {
                    Self.merge(
                        JournalEntry(line: Array(scan.lines[e.line]), hash: e.hash, observedAt: observed), id: e.id, into: &out.entries)
                }
            } catch {
                problem = "\(error)"
            }
        }
        if let problem { out.problems.append(keepAside(legacy, problem, now: now)) } else { out.readLegacy = true }
    }

    private func keepAside(_ file: String, _ problem: String, now: Double) -> String {
        let aside = "\(file).bad-\(Int(now))"
        do { try FileIO.rename(from: file, to: aside) } catch {
            return "\(file) is unreadable (\(problem)) and could not be kept aside: \(error)"
        }
        return "\(file) is unreadable (\(problem)); kept as \(aside); the events that could be read are kept"
    }

    /// How many events wait in the journal, read without changing anything (for `status`).
    public func pendingCount() -> Int {
        guard !FileIO.isSymlink(path), let bytes = try? FileIO.readIfExists(path) else { return 0 }
        return max(0, bytes.reduce(0) { $0 + ($1 == 0x0A ? 1 : 0) } - 1)
    }

    /// The newest observed content wins; a version is never replaced by an older observation.
    public static func merge(_ e: JournalEntry, id: Int, into entries: inout [Int: JournalEntry]) {
        if let old = entries[id], old.observedAt >= e.observedAt { return }
        entries[id] = e
    }

    /// The entries in a stable order (by observation, then id), for writing and for a cycle.
    public static func ordered(_ entries: [Int: JournalEntry]) -> [(id: Int, entry: JournalEntry)] {
        entries.map { ($0.key, $0.value) }.sorted { ($0.1.observedAt, $0.0) < ($1.1.observedAt, $1.0) }
    }

    /// The bytes the file would hold.
    public static func encode(_ entries: [Int: JournalEntry]) -> [UInt8] {
        var out = Array(header.utf8)
        out.append(0x0A)
        for (_, e) in ordered(entries) {
            out += Array("\(e.observedAt) ".utf8)
            out += e.line
            out.append(0x0A)
        }
        return out
    }

    /// Replaces the journal with `entries`, durably; throws `JournalFull` beyond the limit
    /// (the file on disk is then left as it was).
    public func save(_ entries: [Int: JournalEntry]) throws {
        if entries.isEmpty {
            clear()
            return
        }
        let bytes = Self.encode(entries)
        guard bytes.count <= limitBytes else { throw JournalFull(pending: entries.count, bytes: bytes.count, limit: limitBytes) }
        try FileIO.makeDirectories(FileIO.dirname(of: path))
        try FileIO.atomicWrite(path, bytes, mode: 0o600)
    }

    /// The part writes a cycle sent to an object store and has not yet settled, beside the journal.
    public var sentParts: SentPartsFile { SentPartsFile(path: path + ".sent") }

    /// Everything is committed: the journal goes.
    public func clear() {
        FileIO.remove(path)
        FileIO.syncDirectory(FileIO.dirname(of: path))
    }

    /// The entries as one scanned response, for the process stage.
    public static func scan(_ entries: [Int: JournalEntry]) -> ScanResult {
        var lines: [UInt8] = []
        for (_, e) in ordered(entries) {
            lines += e.line
            lines.append(0x0A)
        }
        return EventScanner.scanLines(lines)
    }

    /// Removes temp files an interrupted write of this journal, its legacy file or the call
    /// ledger left in the state folder (`.<name>.tmp-<pid>-…`), unless the writing process still
    /// runs. Returns how many.
    public func removeTemporaries(alsoFor others: [String] = []) -> Int {
        let dir = FileIO.dirname(of: path)
        let names = Set(([path, sentParts.path] + (legacyPath.map { [$0] } ?? []) + others).map { FileIO.basename(of: $0) })
        var removed = 0
        for name in FileIO.list(dir) where FileIO.isLeftoverTemp(name) {
            guard names.contains(where: { name.hasPrefix(".\($0).tmp-") }) else { continue }
            FileIO.remove("\(dir)/\(name)")
            removed += 1
        }
        return removed
    }
}
