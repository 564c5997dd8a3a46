import EngineTesting
import Foundation
import Synchronization
import Testing

@testable import Engine

/// An object store as a process killed with SIGKILL leaves it: a request it had sent is
/// carried out by the server after the process died, possibly after the next process has
/// listed the bucket. This store holds the part writes to one date (sent, not yet carried
/// out); `kill()` ends the writer (every call from then on fails) and hands back the held
/// writes, for the test to carry out when it chooses.
final class KilledWriterStore: EventStore {
    let inner: MemoryStore
    private struct State {
        var held: LocalDate?
        var dead = false
        var writes: [(PartRef, [UInt8])] = []
        var waiting: [CheckedContinuation<Void, any Error>] = []
    }
    private let state = Mutex(State())
    init(_ inner: MemoryStore) { self.inner = inner }

    /// From now on, part writes to `date` are held.
    func hold(_ date: LocalDate) { state.withLock { $0.held = date } }

    var heldWrites: Int { state.withLock { $0.writes.count } }

    /// The writer dies; returns the writes it had sent that the server has not carried out.
    func kill() -> [(PartRef, [UInt8])] {
        let (writes, waiting) = state.withLock { s in
            s.dead = true
            defer { s.waiting = [] }
            return (s.writes, s.waiting)
        }
        for w in waiting { w.resume(throwing: StoreError.io("the writer was killed")) }
        return writes
    }

    private func alive() throws { if state.withLock({ $0.dead }) { throw StoreError.io("the writer was killed") } }

    var location: String { inner.location }
    var isShared: Bool { inner.isShared }
    func readMetadata() async throws -> VersionedBlob? {
        try alive()
        return try await inner.readMetadata()
    }
    func writeMetadata(_ bytes: [UInt8], expecting: String?) async throws {
        try alive()
        try await inner.writeMetadata(bytes, expecting: expecting)
    }
    func setAsideMetadata(suffix: String) async throws -> String {
        try alive()
        return try await inner.setAsideMetadata(suffix: suffix)
    }
    func writePart(_ part: PartRef, _ bytes: [UInt8]) async throws {
        try alive()
        guard state.withLock({ $0.held }) == part.date else { return try await inner.writePart(part, bytes) }
        try await withCheckedThrowingContinuation { (c: CheckedContinuation<Void, any Error>) in
            let dead = state.withLock { s in
                if !s.dead {
                    s.writes.append((part, bytes))
                    s.waiting.append(c)
                }
                return s.dead
            }
            if dead { c.resume(throwing: StoreError.io("the writer was killed")) }
        }
    }
    func deletePart(_ part: PartRef) async throws {
        try alive()
        try await inner.deletePart(part)
    }
    func listParts(date: LocalDate?) async throws -> [PartRef] {
        try alive()
        return try await inner.listParts(date: date)
    }
    func readPart(_ part: PartRef) async throws -> [UInt8] {
        try alive()
        return try await inner.readPart(part)
    }
    func removeTemporaries() async throws -> Int { 0 }
}

/// A store that runs `before` once, just before its first part write.
final class BeforeFirstWriteStore: EventStore {
    let inner: MemoryStore
    private let before: Mutex<(@Sendable () async -> Void)?>
    init(_ inner: MemoryStore, before: @escaping @Sendable () async -> Void) {
        self.inner = inner
        self.before = Mutex(before)
    }
    var location: String { inner.location }
    var isShared: Bool { inner.isShared }
    func readMetadata() async throws -> VersionedBlob? { try await inner.readMetadata() }
    func writeMetadata(_ bytes: [UInt8], expecting: String?) async throws { try await inner.writeMetadata(bytes, expecting: expecting) }
    func setAsideMetadata(suffix: String) async throws -> String { try await inner.setAsideMetadata(suffix: suffix) }
    func writePart(_ part: PartRef, _ bytes: [UInt8]) async throws {
        if let run = before.withLock({ b in defer { b = nil }; return b }) { await run() }
        try await inner.writePart(part, bytes)
    }
    func deletePart(_ part: PartRef) async throws { try await inner.deletePart(part) }
    func listParts(date: LocalDate?) async throws -> [PartRef] { try await inner.listParts(date: date) }
    func readPart(_ part: PartRef) async throws -> [UInt8] { try await inner.readPart(part) }
    func removeTemporaries() async throws -> Int { 0 }
}

/// kill -9 on an object store: the killed poller's last part writes are carried out after the
/// next start has looked at the bucket. Nothing may then be stored twice, nor lost.
@Suite struct LateWriteTests {
    /// Polls `condition` (every 5 ms of real time) until it holds; fails after 60 s.
    func waitUntil(_ what: String, _ condition: () async throws -> Bool) async throws {
        let deadline = Date().addingTimeInterval(60)
        while try await !condition() {
            try #require(Date() < deadline, "\(what): not within 60 s")
            try await Task.sleep(nanoseconds: 5_000_000)
        }
    }

    func lines(_ store: MemoryStore) async throws -> [(PartRef, String)] {
        var out: [(PartRef, String)] = []
        for part in try await store.listParts(date: nil) {
            out += String(decoding: try await store.readPart(part), as: UTF8.self).split(separator: "\n").map { (part, String($0)) }
        }
        return out
    }

    enum Landing: String, CaseIterable {
        /// After the next start's recovery and its first cycle.
        case afterRecovery
        /// Just before the recovery's first write.
        case duringRecovery
    }

    @Test(arguments: Landing.allCases)
    func aPartWriteOfAKilledPollerCarriedOutLateIsNeitherStoredTwiceNorLost(landing: Landing) async throws {
        let clock = ManualClock(now: 1_780_000_000)
        let transport = ScriptedTransport(clock: clock)
        let config = EngineConfig(apiURL: "http://sim/api/events")
        let bucket = MemoryStore(shared: true)
        func poller(_ store: any EventStore, _ root: String) throws -> Poller {
            try Poller(
                config: config, store: store, apiStateFile: APIStateFile(path: "\(root)/api-state.json"),
                transport: transport, clock: clock, random: { 0.5 })
        }
        let older = "snapshot-2026-03-06T2140Z-dnouri.json"
        var expected = Set<String>()
        for fixture in [older, Fixtures.latest] {
            let scan = try EventScanner.scan(Fixtures.bytes(fixture))
            for e in scan.events { expected.insert(String(decoding: scan.lineBytes(e), as: UTF8.self)) }
        }
        let dates = Set(try EventScanner.scan(Fixtures.bytes(Fixtures.latest)).events.map(\.localDate)).sorted()
        try #require(dates.count >= 3)

        // The first process: one committed cycle, then a cycle whose part writes to one date
        // are sent but not yet carried out.
        let rootA = temporaryDirectory()
        let killed = KilledWriterStore(bucket)
        let a = try poller(killed, rootA)
        try await a.open()
        transport.push(fixture: older)
        #expect(await a.runCycle(trigger: .schedule).outcome == .ok)
        let committedParts = try await bucket.listParts(date: nil).count
        killed.hold(dates[dates.count / 2])
        clock.advance(by: 60)
        transport.push(fixture: Fixtures.latest)
        let cycleA = Task { await a.runCycle(trigger: .schedule) }
        try await waitUntil("the held write") { killed.heldWrites == 1 }
        try await waitUntil("the other dates' writes") {
            try await bucket.listParts(date: nil).count == committedParts + dates.count - 1
        }
        // SIGKILL: the local state folder stays as it is now; the held write is on its way.
        let rootB = temporaryDirectory()
        try? FileManager.default.removeItem(atPath: rootB)
        try FileManager.default.copyItem(atPath: rootA, toPath: rootB)
        let late = killed.kill()
        _ = await cycleA.value
        try #require(late.count == 1)
        let landLate: @Sendable () async -> Void = { try? await bucket.writePart(late[0].0, late[0].1) }

        // The next process starts; the held write is carried out before or after its recovery.
        let b = try poller(landing == .duringRecovery ? BeforeFirstWriteStore(bucket, before: landLate) : bucket, rootB)
        try await b.open()
        clock.advance(by: 60)
        transport.push(fixture: Fixtures.latest)
        let next = await b.runCycle(trigger: .schedule)
        #expect(next.outcome == .ok && next.new == 0 && next.updated == 0, "\(next.error ?? "")")
        if landing == .afterRecovery { await landLate() }

        let stored = try await lines(bucket)
        var files: [String: [String]] = [:]
        for (part, line) in stored { files[line, default: []].append(part.key) }
        let twice = files.filter { $0.value.count > 1 }.map { "\($0.value)" }
        #expect(twice.isEmpty, "\(twice.count) lines stored twice: \(twice.prefix(5))")
        #expect(Set(stored.map(\.1)) == expected)
        // A later start finds nothing to adopt and stores nothing more.
        let c = try poller(bucket, rootB)
        try await c.open()
        clock.advance(by: 60)
        transport.push(fixture: Fixtures.latest)
        let after = await c.runCycle(trigger: .schedule)
        #expect(after.outcome == .ok && after.new == 0 && after.updated == 0)
        #expect(try await lines(bucket).count == stored.count)
    }
}
