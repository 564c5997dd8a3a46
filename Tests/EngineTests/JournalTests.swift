import Foundation
import Synchronization
import Testing

@testable import Engine

/// A store that can be taken down: every request fails while it is.
final class OutageStore: EventStore {
    let inner: LocalStore
    private let down = Mutex(false)
    init(_ inner: LocalStore) { self.inner = inner }
    func set(down value: Bool) { down.withLock { $0 = value } }
    private func check() throws { if down.withLock({ $0 }) { throw StoreError.io("connection refused (test outage)") } }
    var location: String { inner.location }
    func readMetadata() async throws -> VersionedBlob? {
        try check()
        return try await inner.readMetadata()
    }
    func writeMetadata(_ bytes: [UInt8], expecting: String?) async throws {
        try check()
        try await inner.writeMetadata(bytes, expecting: expecting)
    }
    func setAsideMetadata(suffix: String) async throws -> String {
        try check()
        return try await inner.setAsideMetadata(suffix: suffix)
    }
    func writePart(_ part: PartRef, _ bytes: [UInt8]) async throws {
        try check()
        try await inner.writePart(part, bytes)
    }
    func deletePart(_ part: PartRef) async throws {
        try check()
        try await inner.deletePart(part)
    }
    func listParts(date: LocalDate?) async throws -> [PartRef] {
        try check()
        return try await inner.listParts(date: date)
    }
    func readPart(_ part: PartRef) async throws -> [UInt8] {
        try check()
        return try await inner.readPart(part)
    }
    func removeTemporaries() async throws -> Int {
        try check()
        return try await inner.removeTemporaries()
    }
}

extension Harness {
    func poller(store: any EventStore) async throws -> Poller {
        let p = try Poller(
            config: config, store: store, apiStateFile: APIStateFile(path: "\(root)/api-state.json"),
            transport: transport, clock: clock, random: { 0.5 })
        try await p.open()
        return p
    }

    var journalPath: String { "\(root)/journal.jsonl" }

    /// The newest stored line per id.
    func newestStored() async throws -> [Int: String] {
        var newest: [Int: String] = [:]
        for line in try await storedLines() { newest[ids([line])[0]] = line }
        return newest
    }
}

func compactLines(_ fixture: String) throws -> [Int: String] {
    let scan = try EventScanner.scan(Fixtures.bytes(fixture))
    var out: [Int: String] = [:]
    for e in scan.events where out[e.id] == nil { out[e.id] = String(decoding: scan.lineBytes(e), as: UTF8.self) }
    return out
}

@Suite struct JournalTests {
    let older = "snapshot-2026-03-06T2140Z-dnouri.json", newer = "snapshot-2026-03-09T2049Z-dnouri.json"

    @Test func aStoreOutageLosesNothingFetchedAndTheNewestObservedContentIsStored() async throws {
        let h = Harness()
        let store = OutageStore(h.store)
        let p = try await h.poller(store: store)
        store.set(down: true)
        h.transport.push(fixture: older)
        h.transport.push(fixture: newer)
        let a = await h.cycle(p)
        let b = await h.cycle(p)
        #expect(a.outcome == .failed && b.outcome == .failed)
        #expect(a.error!.contains("save_events") && a.error!.contains("test outage"))
        // The API was still called on schedule, and every event fetched waits in the journal.
        #expect(h.transport.calls.count == 2)
        let union = try compactLines(older).merging(try compactLines(newer)) { _, n in n }
        #expect(b.journalPending == union.count)
        #expect(FileManager.default.fileExists(atPath: h.journalPath))
        // The store is back; the API meanwhile fails: what was fetched is stored anyway.
        store.set(down: false)
        h.transport.push(.success(HTTPResponse(status: 403)))
        let c = await h.cycle(p)
        #expect(c.outcome == .failed && c.new == union.count)
        #expect(c.journalPending == 0)
        #expect(!FileManager.default.fileExists(atPath: h.journalPath))
        #expect(try await h.newestStored() == union)
        let lines = try await h.storedLines()
        #expect(lines.count == Set(lines).count)
    }

    @Test func theJournalSurvivesARestartAndIsStoredAtTheNextStart() async throws {
        let h = Harness()
        let store = OutageStore(h.store)
        let p = try await h.poller(store: store)
        store.set(down: true)
        h.transport.push(fixture: older)
        _ = await h.cycle(p)
        // A new process (kill -9 or not): the journal is read and stored before any call.
        store.set(down: false)
        let reopened = try await h.poller()
        #expect(try await h.newestStored() == compactLines(older))
        #expect(await reopened.currentMetadata()?.reports.last?.trigger == .recovery)
        #expect(h.transport.calls.count == 1)
    }

    @Test func aLeftoverObservedBeforeTheStoredVersionRollsNothingBack() async throws {
        let h = Harness()
        h.transport.push(fixture: older)
        let p = try await h.poller()
        _ = await h.cycle(p)
        h.clock.advance(by: 600)
        h.transport.push(fixture: newer)
        let edits = await h.cycle(p)
        #expect(edits.updated >= 8)
        let before = try await h.storedLines()
        // A journal from before, holding the older content observed earlier (another poller's
        // leftover, or this one's from before a restart).
        let old = try EventScanner.scan(Fixtures.bytes(older))
        var entries: [Int: JournalEntry] = [:]
        for e in old.events { entries[e.id] = JournalEntry(line: Array(old.lineBytes(e)), hash: e.hash, observedAt: h.clock.now() - 300) }
        try ResponseJournal(path: h.journalPath).save(entries)
        let reopened = try await h.poller()
        #expect(try await h.storedLines() == before)
        #expect(await reopened.currentMetadata()?.reports.last?.updated == 0)
        #expect(!FileManager.default.fileExists(atPath: h.journalPath))
    }

    @Test(arguments: ["garbage", "truncated", "symlink", "legacy-garbage"])
    func anUnreadableJournalIsKeptAsideAndWhatCanBeReadIsStored(kind: String) async throws {
        let h = Harness()
        try FileIO.makeDirectories(h.root)
        let scan = try EventScanner.scan(Fixtures.bytes(older))
        var entries: [Int: JournalEntry] = [:]
        for e in scan.events { entries[e.id] = JournalEntry(line: Array(scan.lineBytes(e)), hash: e.hash, observedAt: h.clock.now() - 60) }
        let good = ResponseJournal.encode(entries)
        var readable = 0
        var name = "journal.jsonl"
        switch kind {
        case "garbage":
            try Data(good + Array("\u{0}\u{1}garbage\n1780000000 {\"id\":\n".utf8)).write(to: URL(fileURLWithPath: h.journalPath))
            readable = entries.count
        case "truncated":
            try Data(good.prefix(good.count / 2)).write(to: URL(fileURLWithPath: h.journalPath))
            readable = Int(String(decoding: good.prefix(good.count / 2), as: UTF8.self).split(separator: "\n").count) - 2
        case "symlink":
            try FileManager.default.createSymbolicLink(atPath: h.journalPath, withDestinationPath: "/etc/hostname")
        default:
            name = "pending-response.json"
            try Data("[{\"id\":1,".utf8).write(to: URL(fileURLWithPath: "\(h.root)/\(name)"))
        }
        let p = try await h.poller()
        let aside = try FileManager.default.contentsOfDirectory(atPath: h.root).filter { $0.hasPrefix("\(name).bad-") }
        #expect(aside.count == 1)
        #expect(try await h.storedLines().count == readable)
        #expect(!FileManager.default.fileExists(atPath: "\(h.root)/\(name)"))
        _ = p
    }

    @Test func tempFilesOfTheStateFolderLeftByAKillAreRemoved() async throws {
        let h = Harness()
        try FileIO.makeDirectories(h.root)
        for n in [".journal.jsonl.tmp-999999-1", ".api-state.json.tmp-999999-2", ".pending-response.json.tmp-999999-3"] {
            _ = FileManager.default.createFile(atPath: "\(h.root)/\(n)", contents: Data("x".utf8))
        }
        let state = temporaryDirectory()
        let leftover = "\(state)/.journal-b.jsonl.tmp-999999-4"
        _ = FileManager.default.createFile(atPath: leftover, contents: Data("x".utf8))
        let journal = ResponseJournal(path: "\(state)/journal-b.jsonl")
        #expect(journal.removeTemporaries() == 1)
        #expect(!FileManager.default.fileExists(atPath: leftover))
        _ = try await h.poller()
        #expect(try FileManager.default.contentsOfDirectory(atPath: h.root).filter { $0.contains(".tmp-") }.isEmpty)
    }

    /// `poll --once` opens a local store while the same cycle's fetch writes the journal and
    /// the call ledger into that folder: a sweep that took this process's own temp file for a
    /// leftover failed that write and the cycle (exit 1, "removed 1 unfinished temp file(s)").
    @Test func aWriteInProgressIsNoLeftover() async throws {
        let h = Harness()
        try FileIO.makeDirectories("\(h.root)/events/2026/08/22")
        let ours = [".journal.jsonl.tmp-\(getpid())-7", "events/2026/08/22/.part-00000001.jsonl.tmp-\(getpid())-8"]
        let dead = [".api-state.json.tmp-999999-9", "events/2026/08/22/.part-00000002.jsonl.tmp-999999-10"]
        for n in ours + dead { _ = FileManager.default.createFile(atPath: "\(h.root)/\(n)", contents: Data("x".utf8)) }
        // The journal's sweep (its own names: the api-state leftover), then the store's (the part's).
        #expect(ResponseJournal(path: "\(h.root)/journal.jsonl").removeTemporaries(alsoFor: ["\(h.root)/api-state.json"]) == 1)
        #expect(try await LocalStore(root: h.root).removeTemporaries() == 1)
        for n in ours { #expect(FileManager.default.fileExists(atPath: "\(h.root)/\(n)"), "\(n)") }
        for n in dead { #expect(!FileManager.default.fileExists(atPath: "\(h.root)/\(n)"), "\(n)") }
        #expect(FileIO.isLeftoverTemp(".x.tmp-") && !FileIO.isLeftoverTemp("x.jsonl"))
    }

    @Test func aFullJournalSaysSoAndKeepsWhatItHas() async throws {
        var h = Harness()
        h.config.journalLimitBytes = 300_000  // room for one window (~175 KB), not two
        let store = OutageStore(h.store)
        let p = try await h.poller(store: store)
        store.set(down: true)
        h.transport.push(fixture: older)
        h.transport.push(fixture: "snapshot-2023-03-07-mindriddler.json")
        let a = await h.cycle(p)
        #expect(a.journalPending == 500)
        let b = await h.cycle(p)
        let full = try #require(b.error)
        #expect(full.contains("journal full"), "\(full)")
        #expect(b.journalPending == 500)
        store.set(down: false)
        h.transport.push(.success(HTTPResponse(status: 503)))
        _ = await h.cycle(p)
        #expect(try await h.newestStored() == compactLines(older))
    }
}
