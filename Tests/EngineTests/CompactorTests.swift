import EngineTesting
import Foundation
import Logging
import Testing

@testable import Engine

@Suite struct CompactorTests {
    /// A store with several cycles over two real snapshots (with edits between them).
    func filledStore() async throws -> Harness {
        let h = Harness()
        for name in [
            "snapshot-2026-03-02T1757Z-dnouri.json", "snapshot-2026-03-06T2140Z-dnouri.json", "snapshot-2026-03-09T2049Z-dnouri.json",
        ] {
            h.transport.push(fixture: name)
        }
        let p = try await h.poller()
        for _ in 0..<3 { _ = await h.cycle(p) }
        return h
    }

    func replay(_ h: Harness) async throws -> [String] {
        try await StoreReader(store: h.store).events(from: nil, to: nil).entries.map { String(decoding: $0.line, as: UTF8.self) }
    }

    @Test func replayIsIdenticalBeforeAndAfterAndASecondRunChangesNothing() async throws {
        let h = try await filledStore()
        let before = try await replay(h)
        let partsBefore = try await h.store.listParts(date: nil)
        let report = try await Compactor(store: h.store).compact(before: LocalDate(year: 2027, month: 1, day: 1))
        #expect(report.daysCompacted > 0)
        #expect(try await replay(h) == before)
        let partsAfter = try await h.store.listParts(date: nil)
        #expect(partsAfter.count < partsBefore.count)
        // Every compacted day is one file now (unless left as is for a multi-day id).
        let skippedDays = Set(report.skipped.compactMap { LocalDate(iso: String($0.prefix(10))) })
        for (date, parts) in Dictionary(grouping: partsAfter, by: \.date) where !skippedDays.contains(date) {
            #expect(parts.count == 1, "\(date)")
        }
        let again = try await Compactor(store: h.store).compact(before: LocalDate(year: 2027, month: 1, day: 1))
        #expect(again.daysCompacted == 0 && again.leftoversRemoved == 0)
        #expect(try await h.store.listParts(date: nil) == partsAfter)
    }

    @Test func aCompactionCutShortShowsNoLineTwiceAndIsFinishedByTheNextRun() async throws {
        let h = try await filledStore()
        let before = try await replay(h)
        // Stop half-way on one day: the compacted part written, the old parts not yet deleted.
        let byDate = Dictionary(grouping: try await h.store.listParts(date: nil), by: \.date)
        let (date, parts) = try #require(byDate.first { $0.value.count >= 2 })
        var merged: [UInt8] = []
        for p in parts.sorted() { merged += try await h.store.readPart(p) }
        try await h.store.writePart(
            PartRef(date: date, cycles: parts.compactMap(\.cycle).min()!...parts.compactMap(\.cycle).max()!), merged)
        #expect(try await replay(h) == before)
        let day = try await StoreReader(store: h.store).day(date)
        #expect(Set(day.events.map(\.id)).count == day.events.count)
        let report = try await Compactor(store: h.store).compact(before: LocalDate(year: 2027, month: 1, day: 1))
        #expect(report.leftoversRemoved == parts.count)
        #expect(try await replay(h) == before)
    }

    @Test func aPollerCycleAfterCompactionStoresNothingTwice() async throws {
        let h = try await filledStore()
        _ = try await Compactor(store: h.store).compact(before: LocalDate(year: 2027, month: 1, day: 1))
        h.transport.push(fixture: "snapshot-2026-03-09T2049Z-dnouri.json")
        let report = await h.cycle(try await h.poller())
        #expect(report.new == 0 && report.updated == 0)
    }

    @Test func compactedPartNamesParseAndCoverTheirCycles() {
        let d = LocalDate(year: 2026, month: 3, day: 1)
        let range = PartRef(date: d, cycles: 3...9)
        #expect(range.fileName == "part-00000003-00000009.jsonl")
        #expect(PartRef(date: d, fileName: range.fileName) == range)
        #expect(range.covers(PartRef(date: d, cycle: 5)))
        #expect(!range.covers(PartRef(date: d, cycle: 10)))
        #expect(!range.covers(PartRef(date: d.adding(days: 1), cycle: 5)))
        #expect([PartRef(date: d, cycle: 4), range, PartRef(date: d, cycle: 12)].withoutCovered() == [range, PartRef(date: d, cycle: 12)])
    }

    @Test func aStoreWithoutMetadataIsCompactedAndTheOriginalCollectorsFilesStayAsTheyAre() async throws {
        let store = MemoryStore()
        let d = LocalDate(year: 2025, month: 5, day: 1)
        func line(_ id: Int, _ summary: String) -> String {
            #"{"id":\#(id),"datetime":"2025-05-01 9:00:00 +02:00","name":"n","summary":"\#(summary)","type":"Brand"}"#
        }
        try await store.writePart(PartRef(date: d, kind: .legacy(unix: 1_746_000_000)), Array((line(1, "legacy") + "\n").utf8))
        for cycle in 1...3 {
            try await store.writePart(
                PartRef(date: d, cycle: cycle), Array((line(cycle, "c\(cycle)") + "\n" + line(1, "c\(cycle)") + "\n").utf8))
        }
        let before = try await StoreReader(store: store).events(from: nil, to: nil).entries.map(\.line)
        let report = try await Compactor(store: store).compact(before: d.adding(days: 1))
        #expect(report.daysCompacted == 1 && report.partsMerged == 3)
        #expect(
            try await store.listParts(date: d) == [PartRef(date: d, kind: .legacy(unix: 1_746_000_000)), PartRef(date: d, cycles: 1...3)])
        #expect(try await StoreReader(store: store).events(from: nil, to: nil).entries.map(\.line) == before)
    }

    @Test func runCompactsDaysClosedForMoreThan48HoursOnceADay() async throws {
        let h = try await filledStore()
        let dates = Set(try await h.store.listParts(date: nil).map(\.date)).sorted()
        let newest = try #require(dates.last)
        // 60 hours after the newest day began: that day closed 36 h ago and stays; the rest go.
        let clock = ManualClock(now: Double(newest.daysSinceEpoch) * 86_400 + 60 * 3600)
        #expect(Compactor.automaticLimit(now: clock.now()) == newest)
        let auto = AutoCompaction(store: h.store, clock: clock, logger: Logger(label: "test"))
        let first = try #require(await auto.runIfDue())
        #expect(first.daysCompacted > 0)
        let parts = try await h.store.listParts(date: nil)
        #expect(parts.filter { $0.date == newest }.allSatisfy { $0.compactedCycles == nil })
        #expect(await auto.runIfDue() == nil)
        clock.advance(by: 23 * 3600)
        #expect(await auto.runIfDue() == nil)
        clock.advance(by: 3600)
        #expect(try #require(await auto.runIfDue()).daysCompacted == 0)
        #expect(try await h.store.listParts(date: nil) == parts)
    }
}
