import EngineTesting
import Foundation
import Synchronization
import Testing

@testable import Engine

/// A store that fails on cue, as an object store does in a long-running process: a metadata
/// write that fails after the cycle's parts landed, or a part write that the client gives up on
/// (a timeout) and that the server carries out all the same.
final class FlakyStore: EventStore {
    let inner: MemoryStore
    private struct State {
        var failMetadataWrites = 0
        var lateLandingMetadataWrites = 0
        var lateLandingPartWrites = 0
        var partWrites: [(PartRef, [UInt8])] = []
    }
    private let state = Mutex(State())
    init(_ inner: MemoryStore) { self.inner = inner }

    /// The next `n` metadata writes fail (nothing is written).
    func failMetadataWrites(_ n: Int) { state.withLock { $0.failMetadataWrites = n } }
    /// The next `n` metadata writes land, and then report a timeout.
    func landMetadataWritesLate(_ n: Int) { state.withLock { $0.lateLandingMetadataWrites = n } }
    /// The next `n` part writes land, and then report a timeout.
    func landPartWritesLate(_ n: Int) { state.withLock { $0.lateLandingPartWrites = n } }
    /// Every part write asked for, in order (also the refused ones).
    var partWrites: [(PartRef, [UInt8])] { state.withLock { $0.partWrites } }

    /// For each line ever sent in a part write, the part names it was sent under.
    var namesPerLine: [String: Set<String>] {
        var out: [String: Set<String>] = [:]
        for (part, bytes) in partWrites {
            for line in String(decoding: bytes, as: UTF8.self).split(separator: "\n") { out[String(line), default: []].insert(part.key) }
        }
        return out
    }

    var location: String { inner.location }
    var isShared: Bool { inner.isShared }
    func readMetadata() async throws -> VersionedBlob? { try await inner.readMetadata() }
    func writeMetadata(_ bytes: [UInt8], expecting: String?) async throws {
        let fail = state.withLock { s in
            defer { s.failMetadataWrites = max(0, s.failMetadataWrites - 1) }
            return s.failMetadataWrites > 0
        }
        if fail { throw StoreError.io("s3 PUT metadata.json: HTTP 500: InternalError (test)") }
        let late = state.withLock { s in
            defer { s.lateLandingMetadataWrites = max(0, s.lateLandingMetadataWrites - 1) }
            return s.lateLandingMetadataWrites > 0
        }
        try await inner.writeMetadata(bytes, expecting: expecting)
        if late { throw StoreError.io("s3 PUT metadata.json: timed out after 30 s (store_timeout 30 s) (test)") }
    }
    func setAsideMetadata(suffix: String) async throws -> String { try await inner.setAsideMetadata(suffix: suffix) }
    func writePart(_ part: PartRef, _ bytes: [UInt8]) async throws {
        let late = state.withLock { s in
            s.partWrites.append((part, bytes))
            defer { s.lateLandingPartWrites = max(0, s.lateLandingPartWrites - 1) }
            return s.lateLandingPartWrites > 0
        }
        try await inner.writePart(part, bytes)
        if late { throw StoreError.io("s3 PUT \(part.key): timed out after 30 s (store_timeout 30 s) (test)") }
    }
    func deletePart(_ part: PartRef) async throws { try await inner.deletePart(part) }
    func listParts(date: LocalDate?) async throws -> [PartRef] { try await inner.listParts(date: date) }
    func readPart(_ part: PartRef) async throws -> [UInt8] { try await inner.readPart(part) }
    func readPartStamped(_ part: PartRef) async throws -> StampedPart { try await inner.readPartStamped(part) }
    func removeTemporaries() async throws -> Int { 0 }
}

/// A long-running poller recovers by itself from a store that failed it mid-cycle: nothing is
/// stored twice, nothing is lost, and the next cycles commit.
@Suite struct LiveRecoveryTests {
    let day1 = LocalDate(year: 2026, month: 5, day: 25)
    let day2 = LocalDate(year: 2026, month: 5, day: 26)

    func line(_ id: Int, _ day: LocalDate, _ summary: String) -> String {
        #"{"id":\#(id),"datetime":"\#(day) 9:00:00 +02:00","name":"n","summary":"\#(summary)","url":"/u","type":"Brand","location":{"name":"Lund","gps":"55.7,13.1"}}"#
    }

    func respond(_ h: Harness, _ lines: [String]) {
        h.transport.push(.success(HTTPResponse(status: 200, body: Array(("[" + lines.joined(separator: ",") + "]").utf8))))
    }

    func poller(_ h: Harness, _ store: any EventStore, root: String? = nil) throws -> Poller {
        try Poller(
            config: h.config, store: store, apiStateFile: APIStateFile(path: "\(root ?? h.root)/api-state.json"),
            transport: h.transport, clock: h.clock, random: { 0.5 })
    }

    /// Every stored line with the part that holds it.
    func stored(_ store: MemoryStore) async throws -> [(part: PartRef, line: String)] {
        var out: [(PartRef, String)] = []
        for part in try await store.listParts(date: nil).withoutCovered() {
            out += String(decoding: try await store.readPart(part), as: UTF8.self).split(separator: "\n").map { (part, String($0)) }
        }
        return out
    }

    func storedTwice(_ lines: [(part: PartRef, line: String)]) -> [String] {
        var files: [String: [String]] = [:]
        for (part, line) in lines { files[line, default: []].append(part.key) }
        return files.filter { $0.value.count > 1 }.map { "\($0.value)" }
    }

    enum Fault: String, CaseIterable {
        /// The metadata write of a cycle whose parts all landed fails.
        case metadataWriteFails
        /// A part write times out at the client, and the server carries it out.
        case partWriteTimesOutButLands
        /// The metadata write (the commit) times out at the client, and the server carries it out.
        case metadataWriteTimesOutButLands
    }

    static let cases: [(Fault, Bool)] = [
        (.metadataWriteFails, false), (.metadataWriteFails, true), (.partWriteTimesOutButLands, true),
        (.metadataWriteTimesOutButLands, true),
    ]

    @Test(arguments: cases)
    func aCycleTheStoreFailedMidwayIsRecoveredByTheNextCycleWithNothingStoredTwice(fault: Fault, shared: Bool) async throws {
        let h = Harness()
        let mem = MemoryStore(shared: shared)
        let store = FlakyStore(mem)
        let p = try poller(h, store)
        try await p.open()
        let (x, y, z) = (line(1, day1, "x"), line(2, day2, "y"), line(3, day2, "z"))
        let stream = p.subscribe()
        respond(h, [x])
        #expect(await h.cycle(p).outcome == .ok)

        h.clock.advance(by: 1800)
        switch fault {
        case .metadataWriteFails: store.failMetadataWrites(1)
        case .partWriteTimesOutButLands: store.landPartWritesLate(1)
        case .metadataWriteTimesOutButLands: store.landMetadataWritesLate(1)
        }
        respond(h, [x, y])
        let failed = await h.cycle(p)
        let stage = fault == .partWriteTimesOutButLands ? "save_events" : "update_metadata"
        #expect(failed.outcome == .failed && failed.error?.contains(stage) == true, "\(failed.summaryLine)")

        var reports: [CycleReport] = []
        for round in 0..<3 {
            h.clock.advance(by: 1800)
            respond(h, round == 0 ? [x, y] : [x, y, z])
            reports.append(await h.cycle(p))
        }
        for r in reports { #expect(r.outcome == .ok, "\(r.summaryLine) \(r.error ?? "")") }
        #expect(reports.map(\.journalPending) == [0, 0, 0])
        let lines = try await stored(mem)
        #expect(storedTwice(lines).isEmpty, "stored twice: \(storedTwice(lines))")
        #expect(Set(lines.map(\.line)) == [x, y, z])
        let meta = try Metadata.decode(try #require(try await mem.readMetadata()).bytes)
        #expect(Set(meta.seen.entries.keys) == [1, 2, 3])
        // The numbers go on: no later cycle reuses the failed one's, none collides with it.
        #expect(Set(reports.map(\.cycle)).count == 3 && reports.allSatisfy { $0.cycle > failed.cycle })
        #expect(!meta.reports.contains { $0.outcome == .skipped }, "\(meta.reports.map(\.summaryLine))")
        // Each line was sent under one name only: the failed cycle's writes were settled (sent
        // again under their own names), not stored again under another.
        let renamed = store.namesPerLine.filter { $0.value.count > 1 }
        #expect(renamed.isEmpty, "\(renamed.values)")
        // Every stored event reached the engine's stream once (the failed cycle's with a later one).
        await p.finishEvents()
        var announced: [Int] = []
        var perCycle: [Int: [StoredEvent]] = [:]
        for await e in stream {
            if case .cycleFinished(let r, let s) = e {
                announced += s.map(\.id)
                perCycle[r.cycle, default: []] += s
            }
        }
        #expect(announced.sorted() == [1, 2, 3], "\(announced)")
        // The failed cycle's event (y, new) reaches the stream as new: with that cycle on a local
        // store (its writes are done), with the next one on an object store (which settles them).
        let carrier = shared ? try #require(reports.first).cycle : failed.cycle
        #expect(perCycle[carrier]?.map(\.id) == [2] && perCycle[carrier]?.first?.isNew == true, "\(perCycle)")
    }

    /// The cycle number kept in the API state file (what `status` and an outage's attempts go
    /// by when the store cannot be read) is a committed one: not the number of a cycle whose
    /// commit failed, which the next cycle may take again.
    @Test func theRememberedCycleNumberIsACommittedOne() async throws {
        let h = Harness()
        let mem = MemoryStore(shared: true)
        let store = FlakyStore(mem)
        let p = try poller(h, store)
        try await p.open()
        let stateFile = APIStateFile(path: "\(h.root)/api-state.json")
        respond(h, [line(1, day1, "x")])
        #expect(await h.cycle(p).outcome == .ok)
        #expect(try stateFile.load().lastCycle == 1)

        h.clock.advance(by: 1800)
        store.failMetadataWrites(1)
        respond(h, [line(1, day1, "x"), line(2, day2, "y")])
        let failed = await h.cycle(p)
        #expect(failed.outcome == .failed && failed.cycle == 2, "\(failed.summaryLine)")
        #expect(try stateFile.load().lastCycle == 1)

        h.clock.advance(by: 1800)
        respond(h, [line(1, day1, "x"), line(2, day2, "y")])
        let next = await h.cycle(p)
        #expect(next.outcome == .ok, "\(next.summaryLine)")
        let committed = try Metadata.decode(try #require(try await mem.readMetadata()).bytes).lastCycle
        #expect(try stateFile.load().lastCycle == committed)
    }

    /// A restart during a store outage cannot read the store's cycle number: its failed
    /// attempts carry the last number this machine knew + 1, never "cycle 1" each time.
    @Test func attemptsDuringAnOutageSinceTheStartAreNumberedFromTheLastKnownCycle() async throws {
        let h = Harness()
        let store = OutageStore(h.store)
        let first = try await h.poller(store: store)
        for round in 0..<3 {
            h.clock.advance(by: 1800)
            respond(h, [line(round + 1, day1, "x")])
            #expect(await h.cycle(first).outcome == .ok)
        }
        let last = try Metadata.decode(try #require(try await h.store.readMetadata()).bytes).lastCycle
        #expect(last == 3)

        // The restart: the store is down from the start, the API answers.
        store.set(down: true)
        let restarted = try poller(h, store)
        #expect(await restarted.openOrDefer() != nil)
        let stream = restarted.subscribe()
        var failed: [CycleReport] = []
        for round in 0..<3 {
            h.clock.advance(by: 1800)
            respond(h, [line(10 + round, day2, "y")])
            failed.append(await h.cycle(restarted))
        }
        #expect(failed.allSatisfy { $0.outcome == .failed }, "\(failed.map(\.summaryLine))")
        #expect(failed.map(\.cycle) == [4, 4, 4], "\(failed.map(\.summaryLine))")
        #expect(failed.allSatisfy { $0.summaryLine.hasPrefix("cycle 4 failed") })

        store.set(down: false)
        h.clock.advance(by: 1800)
        respond(h, [line(20, day2, "z")])
        let back = await h.cycle(restarted)
        #expect(back.outcome == .ok && back.cycle == 4 && back.new == 4, "\(back.summaryLine)")
        await restarted.finishEvents()
        var started: [Int] = []
        for await e in stream { if case .cycleStarted(let n, _) = e { started.append(n) } }
        #expect(started == [4, 4, 4, 4])
    }
}
