import EngineTesting
import Testing

@testable import Engine

/// The one rule for the newest version of an id, as every reader of the archive sees it.
@Suite struct NewestVersionsTests {
    let day1 = LocalDate(year: 2025, month: 3, day: 1)
    let day2 = LocalDate(year: 2025, month: 3, day: 2)

    func line(_ id: Int, _ summary: String, hour: Int = 9) -> String {
        #"{"id":\#(id),"datetime":"2025-03-01 \#(hour):00:00 +01:00","name":"n","summary":"\#(summary)","url":"/u","type":"Brand","location":{"name":"Lund","gps":"55.7,13.1"}}"#
    }

    func store(_ parts: [(PartRef, [String])]) async throws -> MemoryStore {
        let s = MemoryStore()
        for (part, lines) in parts { try await s.writePart(part, Array((lines.joined(separator: "\n") + "\n").utf8)) }
        return s
    }

    func summaries(_ v: NewestVersions<[UInt8]>) -> [Int: String] {
        v.byID.mapValues { PoliceEvent.decode(line: $0.value)?.summary ?? "?" }
    }

    @Test func theLatestCycleWinsAndTheOriginalCollectorsFilesAreOlderThanOurs() async throws {
        let s = try await store([
            (PartRef(date: day1, cycle: 7), [line(1, "ours 7"), line(2, "ours 7")]),
            (PartRef(date: day1, kind: .legacy(unix: 1_900_000_000)), [line(1, "legacy"), line(3, "legacy")]),
            (PartRef(date: day1, cycle: 3), [line(2, "ours 3")]),
        ])
        let read = try await s.newestVersions(in: try await s.listParts(date: nil)) { scan, e in Array(scan.lineBytes(e)) }
        #expect(summaries(read.versions) == [1: "ours 7", 2: "ours 7", 3: "legacy"])
        #expect(read.versions[1]?.count == 2 && read.versions[2]?.count == 2 && read.versions[3]?.count == 1)
        #expect(read.problems.isEmpty)
    }

    @Test func withinOnePartTheLaterLineWins() async throws {
        let s = try await store([(PartRef(date: day1, cycle: 1), [line(5, "first"), line(5, "second")])])
        let read = try await s.newestVersions(in: try await s.listParts(date: nil)) { scan, e in Array(scan.lineBytes(e)) }
        #expect(summaries(read.versions) == [5: "second"])
        #expect(read.versions[5]?.count == 2)
    }

    @Test func readingDatesSeparatelyAndMergingGivesTheSameAnswerAsReadingThemTogether() async throws {
        let s = try await store([
            (PartRef(date: day1, cycle: 4), [line(1, "day1 c4"), line(2, "day1 c4")]),
            (PartRef(date: day2, cycle: 2), [line(1, "day2 c2")]),
            (PartRef(date: day2, cycle: 9), [line(2, "day2 c9")]),
        ])
        let together = try await s.newestVersions(in: try await s.listParts(date: nil)) { scan, e in Array(scan.lineBytes(e)) }
        var merged = try await s.newestVersions(on: day2) { scan, e in Array(scan.lineBytes(e)) }
        merged.merge(try await s.newestVersions(on: day1) { scan, e in Array(scan.lineBytes(e)) })
        #expect(summaries(together.versions) == [1: "day1 c4", 2: "day2 c9"])
        #expect(summaries(merged) == summaries(together.versions))
        #expect(merged.byID.mapValues(\.count) == together.versions.byID.mapValues(\.count))
    }

    @Test func theDayViewAndReplayAgreeOnTheNewestVersion() async throws {
        let s = try await store([
            (PartRef(date: day1, cycle: 1), [line(1, "old"), line(2, "only")]),
            (PartRef(date: day1, cycle: 2), [line(1, "new")]),
        ])
        let reader = StoreReader(store: s)
        let day = try await reader.day(day1)
        let replay = try await reader.events(from: day1, to: day1)
        #expect(Dictionary(uniqueKeysWithValues: day.events.map { ($0.id, $0.summary ?? "") }) == [1: "new", 2: "only"])
        #expect(Dictionary(uniqueKeysWithValues: replay.entries.map { ($0.event.id, $0.event.summary ?? "") }) == [1: "new", 2: "only"])
    }

    @Test func anUnreadableLineIsReportedWithItsPartAndTheRestIsRead() async throws {
        let s = try await store([(PartRef(date: day1, cycle: 1), [line(1, "fine"), "{\"id\":2,\"datet"])])
        let read = try await s.newestVersions(in: try await s.listParts(date: nil)) { _, e in e.hash }
        #expect(read.versions.count == 1)
        #expect(read.problems.count == 1)
        #expect(read.problems.first?.contains("part-00000001.jsonl: line 2") == true)
    }

    @Test func searchingKeepsOnlyNewestVersionsHoldingTheTextInEitherCase() async throws {
        let s = try await store([
            (
                PartRef(date: day1, kind: .legacy(unix: 1_900_000_000)),
                [#"{"datetime": "2025-03-01 9:00:00 +01:00", "id": 4, "summary": "KÄVLINGE, brand"}"#]
            ),
            (PartRef(date: day1, cycle: 1), [line(1, "brand i Kävlinge"), line(2, "brand i KÄVLINGE"), line(3, "inget")]),
            (PartRef(date: day1, cycle: 2), [line(1, "rättad: inget"), line(3, "nu i kävlinge"), "{\"id\":9,\"datet"]),
        ])
        let needle = FoldedNeedle("kÄvLinge")
        let read = try await NewestVersions.search(s, try await s.listParts(date: nil), filter: SearchFilter(text: needle))
        #expect(Set(read.versions.byID.keys) == [2, 3, 4])
        // Id 1's newest version cannot match: it is left out, and hides the older one that did.
        #expect(read.versions[1] == nil)
        #expect(read.versions[3]?.count == 2)
        #expect(read.problems.count == 1 && read.problems.first?.contains("part-00000002.jsonl: line 3") == true)
        let replay = try await StoreReader(store: s).events(from: nil, to: nil, containing: "KÄVLINGE")
        #expect(replay.entries.map(\.event.id).sorted() == [2, 3, 4])
    }

    @Test func theFoldedNeedleMatchesSwedishCapitalsAndNothingElse() {
        let n = FoldedNeedle("Åsa ÖL")
        #expect(n.found(in: Array("x ÅSA öl y".utf8)[...]))
        #expect(n.found(in: Array("åsa öl".utf8)[...]))
        #expect(!n.found(in: Array("asa ol".utf8)[...]))
        #expect(!n.found(in: Array("åsa ö".utf8)[...]))
        #expect(FoldedNeedle("").found(in: Array("".utf8)[...]))
    }
}

/// The search's table keeps, of each id, what `NewestVersions.offer` keeps: the version of the
/// highest rank, the later of equal ones, and how many there were; it hands over the ids whose
/// newest version may match.
@Suite struct SearchTableTests {
    @Test func itAgreesWithOfferingToNewestVersions() {
        var rng = SplitMix64(seed: 18_45)
        for round in 0..<40 {
            // Dense, strided (by powers of two, which share their low bits) and extreme ids,
            // many offered more than once, so the table grows and probes.
            let stride = [1, 3, 1 << 12, 1 << 17, 1 << 20, 1 << 40][round % 6]
            var table = SearchTable(capacity: 16)
            var reference = NewestVersions<[UInt8]?>()
            for n in 0..<(200 + Int(rng.next() % 3000)) {
                let id: Int =
                    switch rng.next() % 20 {
                    case 0: Int.min
                    case 1: -Int(rng.next() % 50)
                    case 2: Int.max - Int(rng.next() % 5)
                    default: 1_000_000 + Int(rng.next() % 2000) * stride
                    }
                let part = PartRef(date: LocalDate(year: 2025, month: 1, day: 1 + Int(rng.next() % 3)), cycle: Int(rng.next() % 4))
                let line: [UInt8]? = rng.next() % 3 == 0 ? Array("\(n)".utf8) : nil
                table.offer(id: id, rank: PartRank(part), line: line)
                reference.offer(id: id, rank: PartRank(part)) { line }
            }
            let got = table.versions()
            let expected = reference.byID.filter { $0.value.value != nil }
            #expect(got.count == expected.count, "round \(round)")
            for (id, version) in expected {
                #expect(got[id]?.value == version.value, "round \(round) id \(id)")
                #expect(got[id]?.count == version.count, "round \(round) id \(id)")
            }
            #expect(table.count + (reference.byID[Int.min] == nil ? 0 : 1) == reference.count, "round \(round)")
        }
    }
}
