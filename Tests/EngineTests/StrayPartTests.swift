import EngineTesting
import Foundation
import Synchronization
import Testing

@testable import Engine

/// A shared store that lets another poller "commit" once, just before this poller's first
/// metadata write: the conditional write then loses, as on a bucket two pollers write.
final class InterleavingStore: EventStore, @unchecked Sendable {
    let inner: MemoryStore
    private let hook: Mutex<(@Sendable (MemoryStore) async throws -> Void)?>

    init(_ inner: MemoryStore, beforeFirstMetadataWrite: @escaping @Sendable (MemoryStore) async throws -> Void) {
        self.inner = inner
        hook = Mutex(beforeFirstMetadataWrite)
    }

    var location: String { inner.location }
    var isShared: Bool { true }
    func readMetadata() async throws -> VersionedBlob? { try await inner.readMetadata() }
    func writeMetadata(_ bytes: [UInt8], expecting: String?) async throws {
        if let other = hook.withLock({ h in defer { h = nil }; return h }) { try await other(inner) }
        try await inner.writeMetadata(bytes, expecting: expecting)
    }
    func setAsideMetadata(suffix: String) async throws -> String { try await inner.setAsideMetadata(suffix: suffix) }
    func writePart(_ part: PartRef, _ bytes: [UInt8]) async throws { try await inner.writePart(part, bytes) }
    func deletePart(_ part: PartRef) async throws { try await inner.deletePart(part) }
    func listParts(date: LocalDate?) async throws -> [PartRef] { try await inner.listParts(date: date) }
    func readPart(_ part: PartRef) async throws -> [UInt8] { try await inner.readPart(part) }
    func removeTemporaries() async throws -> Int { 0 }
}

/// Parts a poller wrote but lost to another poller's commit (see `Metadata.isStray`): withdrawn
/// right away, swept at the next start, never merged by compaction, and never one the metadata
/// has committed or adopted; what they held is still stored.
@Suite struct StrayPartTests {
    let day1 = LocalDate(year: 2026, month: 5, day: 25)
    let day2 = LocalDate(year: 2026, month: 5, day: 26)
    let day3 = LocalDate(year: 2026, month: 5, day: 27)

    func line(_ id: Int, _ day: LocalDate, _ summary: String) -> String {
        #"{"id":\#(id),"datetime":"\#(day) 9:00:00 +02:00","name":"n","summary":"\#(summary)","url":"/u","type":"Brand","location":{"name":"Lund","gps":"55.7,13.1"}}"#
    }

    func bytes(_ lines: [String]) -> [UInt8] { Array((lines.joined(separator: "\n") + "\n").utf8) }

    func hash(_ line: String) -> UInt64 { EventScanner.scanLines(bytes([line])).events[0].hash }

    func report(_ cycle: Int, _ dates: [LocalDate]) -> CycleReport {
        var r = CycleReport(cycle: cycle, trigger: .schedule, startedAt: 1_779_999_000)
        r.partitionDates = dates.map(\.description)
        r.partitions = dates.count
        return r
    }

    /// Writes metadata over whatever is there (as the poller that won).
    func commit(_ meta: Metadata, to store: MemoryStore) async throws {
        try await store.writeMetadata(meta.encoded(), expecting: try await store.readMetadata()?.version)
    }

    func poller(_ h: Harness, _ store: any EventStore) throws -> Poller {
        try Poller(
            config: h.config, store: store, apiStateFile: APIStateFile(path: "\(h.root)/api-state.json"),
            transport: h.transport, clock: h.clock, random: { 0.5 })
    }

    func respond(_ h: Harness, _ lines: [String]) {
        h.transport.push(.success(HTTPResponse(status: 200, body: Array(("[" + lines.joined(separator: ",") + "]").utf8))))
    }

    /// Every stored line, in reading order (compacted parts hide the parts they hold).
    func stored(_ store: MemoryStore) async throws -> [String] {
        var out: [String] = []
        for part in try await store.listParts(date: nil).withoutCovered() {
            out += String(decoding: try await store.readPart(part), as: UTF8.self).split(separator: "\n").map(String.init)
        }
        return out
    }

    @Test func theRuleTellsAStrayFromCommittedAndAdoptedParts() {
        let meta = Metadata(lastCycle: 5, reports: [report(4, [day1]), report(5, [day2])])
        #expect(meta.isStray(PartRef(date: day2, cycle: 4)))
        #expect(!meta.isStray(PartRef(date: day1, cycle: 4)))
        // No report kept (adopted, or older than the kept reports): committed.
        #expect(!meta.isStray(PartRef(date: day2, cycle: 3)))
        // Ahead of the metadata: not committed yet, not a stray (a running poller's).
        #expect(!meta.isStray(PartRef(date: day3, cycle: 6)))
        #expect(!meta.isStray(PartRef(date: day2, cycles: 1...4)))
        #expect(meta.mayWithdraw(PartRef(date: day3, cycle: 6)))
        #expect(meta.mayWithdraw(PartRef(date: day2, cycle: 4)))
        #expect(!meta.mayWithdraw(PartRef(date: day2, cycle: 3)))
        #expect(!meta.mayWithdraw(PartRef(date: day2, cycle: 5)))
    }

    @Test func theLoserWithdrawsItsPartsAndStoresTheirEventsUnderTheNextNumber() async throws {
        let h = Harness()
        let mem = MemoryStore(shared: true)
        let (x, y, z) = (line(1, day1, "x"), line(2, day2, "y"), line(3, day3, "z"))
        let other = report(1, [day3])
        let (zHash, day3Part) = (hash(z), bytes([z]))
        // Another poller commits cycle 1 (one part, day 3) while this one saves its cycle 1.
        let store = InterleavingStore(mem) { inner in
            try await inner.writePart(PartRef(date: self.day3, cycle: 1), day3Part)
            var seen = SeenState()
            seen.record(id: 3, hash: zHash, date: self.day3, at: 1_779_999_000, observedAt: 1_779_999_000)
            try await self.commit(Metadata(lastCycle: 1, seen: seen, reports: [other]), to: inner)
        }
        let p = try poller(h, store)
        try await p.open()
        respond(h, [x, y])
        let r = await h.cycle(p)
        #expect(r.outcome == .ok && r.cycle == 2 && r.new == 2, "\(r.summaryLine)")
        // Its cycle-1 parts are gone; the events are in cycle 2's; the winner's part untouched.
        let parts = try await mem.listParts(date: nil)
        #expect(parts == [PartRef(date: day1, cycle: 2), PartRef(date: day2, cycle: 2), PartRef(date: day3, cycle: 1)])
        let meta = try Metadata.decode(try #require(try await mem.readMetadata()).bytes)
        #expect(!parts.contains(where: meta.isStray))
        #expect(try await stored(mem).sorted() == [x, y, z].sorted())
    }

    @Test func aPartAnotherPollerAdoptedMeanwhileIsNeverWithdrawn() async throws {
        let h = Harness()
        let mem = MemoryStore(shared: true)
        let (x, y) = (line(1, day1, "x"), line(2, day2, "y"))
        let (xHash, yHash) = (hash(x), hash(y))
        // A poller starting meanwhile took this one's cycle-1 parts as a crashed cycle's and
        // adopted them: its metadata has cycle 1 without a report, and their events.
        let store = InterleavingStore(mem) { inner in
            var seen = SeenState()
            seen.record(id: 1, hash: xHash, date: self.day1, at: 1_779_999_000)
            seen.record(id: 2, hash: yHash, date: self.day2, at: 1_779_999_000)
            try await self.commit(Metadata(lastCycle: 1, seen: seen), to: inner)
        }
        let p = try poller(h, store)
        try await p.open()
        respond(h, [x, y])
        let r = await h.cycle(p)
        #expect(r.outcome == .ok && r.cycle == 2 && r.new == 0 && r.unchanged == 2, "\(r.summaryLine)")
        #expect(try await mem.listParts(date: nil) == [PartRef(date: day1, cycle: 1), PartRef(date: day2, cycle: 1)])
        #expect(try await stored(mem).sorted() == [x, y].sorted())
    }

    /// Cycle 2 was committed by a poller writing day 1; a killed one left its own cycle-2 part on
    /// day 2, holding an event nobody stored (4) and an older version of a stored one (3).
    func storeWithAStray() async throws -> (MemoryStore, new: String, stored: [String]) {
        let mem = MemoryStore(shared: true)
        let (x, w2, w1, v) = (line(1, day1, "x"), line(3, day2, "w v2"), line(3, day2, "w v1"), line(4, day2, "v"))
        try await mem.writePart(PartRef(date: day2, cycle: 1), bytes([w2]))
        try await mem.writePart(PartRef(date: day1, cycle: 2), bytes([x]))
        try await mem.writePart(PartRef(date: day2, cycle: 2), bytes([w1, v]))
        var seen = SeenState()
        seen.record(id: 1, hash: hash(x), date: day1, at: 1_779_999_000, observedAt: 1_779_999_000)
        seen.record(id: 3, hash: hash(w2), date: day2, at: 1_779_999_000, observedAt: 1_779_999_000)
        try await commit(Metadata(lastCycle: 2, seen: seen, reports: [report(1, [day2]), report(2, [day1])]), to: mem)
        return (mem, v, [w2, x])
    }

    @Test func theNextStartSweepsAStrayAndStoresWhatOnlyItHeld() async throws {
        let h = Harness()
        let (mem, onlyInStray, committed) = try await storeWithAStray()
        let p = try poller(h, mem)
        let opened = try await p.open()
        #expect(opened.notices.contains { $0.contains("removed 1 part file(s) of a cycle another poller committed first") }, "\(opened.notices)")
        // The stray is gone; the event only it held is stored again (cycle 3), the older version not.
        #expect(
            try await mem.listParts(date: nil) == [
                PartRef(date: day1, cycle: 2), PartRef(date: day2, cycle: 1), PartRef(date: day2, cycle: 3),
            ])
        #expect(try await stored(mem).sorted() == (committed + [onlyInStray]).sorted())
        #expect(h.transport.calls.isEmpty)
    }

    /// A poller that lost a cycle and stays dead leaves a stray that no start sweeps; once its
    /// cycle's report is older than the kept ones it would count as committed. The running
    /// poller sweeps while the report is kept, and stores what only the stray held.
    @Test func aRunningPollerSweepsAStrayBeforeItsReportIsForgotten() async throws {
        let h = Harness()
        let mem = MemoryStore(shared: true)
        let p = try poller(h, mem)
        try await p.open()
        respond(h, [line(1, day1, "x")])
        #expect(await h.cycle(p).outcome == .ok)
        // Another poller writes its cycle-2 part of day 3 and dies; this one commits cycle 2.
        let onlyInStray = line(99, day3, "only in the stray")
        let stray = PartRef(date: day3, cycle: 2)
        try await mem.writePart(stray, bytes([onlyInStray]))
        let cycles = Metadata.keptReports + 10
        for i in 2...cycles {
            h.clock.advance(by: 1800)
            respond(h, [line(100 + i, day1, "e\(i)")])
            let r = await h.cycle(p)
            #expect(r.outcome == .ok, "\(r.summaryLine)")
        }
        let parts = try await mem.listParts(date: nil)
        #expect(!parts.contains(stray))
        let lines = try await stored(mem)
        #expect(lines.filter { $0 == onlyInStray }.count == 1)
        let meta = try Metadata.decode(try #require(try await mem.readMetadata()).bytes)
        #expect(meta.seen[99]?.hash == hash(onlyInStray) && meta.lastCycle == cycles)
    }

    @Test func compactionNeverMergesAStray() async throws {
        let (mem, _, committed) = try await storeWithAStray()
        // Another committed part of day 2, so the day is worth merging.
        let u = line(5, day2, "u")
        try await mem.writePart(PartRef(date: day2, cycle: 3), bytes([u]))
        var meta = try Metadata.decode(try #require(try await mem.readMetadata()).bytes)
        meta.lastCycle = 3
        meta.append(report: report(3, [day2]))
        try await commit(meta, to: mem)
        let r = try await Compactor(store: mem).compact(before: day3)
        #expect(r.daysCompacted == 1 && r.partsMerged == 2)
        let merged = String(decoding: try await mem.readPart(PartRef(date: day2, cycles: 1...3)), as: UTF8.self)
        #expect(merged.split(separator: "\n").map(String.init) == [committed[0], u])
        #expect(try await stored(mem).sorted() == (committed + [u]).sorted())
    }

    @Test func aDeadPollersPartAheadOfTheMetadataIsSkippedNotWaitedFor() async throws {
        let h = Harness()
        let mem = MemoryStore(shared: true)
        let p = try poller(h, mem)
        try await p.open()
        // Left by a poller killed between its part write and its commit: cycle 1 of day 1,
        // holding an older version of x and an event (y) nobody else has seen.
        let (xOld, x, y) = (line(1, day1, "x v1"), line(1, day1, "x v2"), line(2, day1, "y"))
        try await mem.writePart(PartRef(date: day1, cycle: 1), bytes([xOld, y]))
        respond(h, [x])
        let r = await h.cycle(p)
        #expect(r.outcome == .ok && r.cycle == 2 && r.new == 1, "\(r.summaryLine)")
        let meta = try Metadata.decode(try #require(try await mem.readMetadata()).bytes)
        #expect(meta.reports.map(\.cycle) == [1, 2] && meta.reports[0].outcome == .skipped, "\(meta.reports.map { ($0.cycle, $0.outcome) })")
        // The leftover is gone; what only it held waits in the journal for the next cycle.
        #expect(try await mem.listParts(date: nil) == [PartRef(date: day1, cycle: 2)])
        respond(h, [x])
        let next = await h.cycle(p)
        #expect(next.outcome == .ok && next.new == 1 && next.unchanged == 1, "\(next.summaryLine)")
        #expect(try await stored(mem).sorted() == [x, y].sorted())
    }
}
