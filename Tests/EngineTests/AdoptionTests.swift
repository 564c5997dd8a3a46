import EngineTesting
import Foundation
import Testing

@testable import Engine

/// A poller that starts while another is between its part writes and its metadata write adopts
/// the other's parts as an interrupted cycle's. Their lines carry no observation time: they are
/// taken as observed when they were written (`Deduplicator.observationBound`), so the starting
/// poller's older journal cannot roll the id back, nor make the other store its version twice;
/// and a version it observed after that write is still stored.
@Suite struct AdoptionTests {
    let day = LocalDate(year: 2026, month: 5, day: 25)

    func line(_ summary: String) -> String {
        #"{"id":1,"datetime":"\#(day) 9:00:00 +02:00","name":"n","summary":"\#(summary)","url":"/u","type":"Brand","location":{"name":"Lund","gps":"55.7,13.1"}}"#
    }

    func hash(_ line: String) -> UInt64 { EventScanner.scanLines(Array((line + "\n").utf8)).events[0].hash }

    enum Journal: String, CaseIterable {
        /// The starting poller's journal entry was observed before the other poller's fetch.
        case observedBeforeTheOthersFetch
        /// … after the other poller wrote its part (and before the start read it).
        case observedAfterTheOthersWrite
    }

    @Test(arguments: Journal.allCases)
    func aPollerStartingMidCycleOfAnotherNeitherRollsBackNorMakesItStoreTwice(journal: Journal) async throws {
        let h = Harness()
        let mem = MemoryStore(shared: true, clock: h.clock)
        let (v1, v2, v3) = (line("v1"), line("v2"), line("v3"))
        let t0 = h.clock.now()
        // Committed: cycle 1, holding v1 observed at t0.
        try await mem.writePart(PartRef(date: day, cycle: 1), Array((v1 + "\n").utf8))
        var seen = SeenState()
        seen.record(id: 1, hash: hash(v1), date: day, at: Int64(t0), observedAt: t0)
        var r1 = CycleReport(cycle: 1, trigger: .schedule, startedAt: t0)
        r1.partitionDates = [day.description]
        try await mem.writeMetadata(Metadata(lastCycle: 1, seen: seen, reports: [r1]).encoded(), expecting: nil)

        // The poller that starts later kept v2 in its journal from before its restart.
        let rootB = temporaryDirectory()
        let observedB = journal == .observedBeforeTheOthersFetch ? t0 + 60 : t0 + 150
        try ResponseJournal(path: "\(rootB)/journal.jsonl").save([
            1: JournalEntry(line: Array(v2.utf8), hash: hash(v2), observedAt: observedB)
        ])
        let b = try Poller(
            config: h.config, store: mem, apiStateFile: APIStateFile(path: "\(rootB)/api-state.json"),
            transport: h.transport, clock: h.clock, random: { 0.5 })

        // The other fetches v3 at t0 + 120 and writes its part; B starts before its metadata write.
        let clock = h.clock
        let a = try Poller(
            config: h.config,
            store: InterleavingStore(mem) { _ in
                clock.advance(by: 60)
                try await b.open()
            },
            apiStateFile: APIStateFile(path: "\(h.root)/api-state.json"), transport: h.transport, clock: h.clock,
            random: { 0.5 })
        try await a.open()
        h.clock.advance(by: 120)
        h.transport.push(.success(HTTPResponse(status: 200, body: Array(("[" + v3 + "]").utf8))))
        let r = await h.cycle(a)
        #expect(r.outcome == .ok, "\(r.summaryLine) \(r.error ?? "")")

        var versions: [String] = []
        for part in try await mem.listParts(date: nil) {
            versions += String(decoding: try await mem.readPart(part), as: UTF8.self).split(separator: "\n").map(String.init)
        }
        let meta = try Metadata.decode(try #require(try await mem.readMetadata()).bytes)
        switch journal {
        case .observedBeforeTheOthersFetch:
            // v2 is older than v3: never stored; v3 once.
            #expect(versions == [v1, v3], "\(versions.map { $0.contains("v1") ? "v1" : $0.contains("v2") ? "v2" : "v3" })")
            #expect(meta.seen[1]?.hash == hash(v3))
        case .observedAfterTheOthersWrite:
            // v2 is newer than v3: stored once, after it; the other does not store v3 again.
            #expect(versions == [v1, v3, v2], "\(versions.map { $0.contains("v1") ? "v1" : $0.contains("v2") ? "v2" : "v3" })")
            #expect(meta.seen[1]?.hash == hash(v2))
        }
    }
}
