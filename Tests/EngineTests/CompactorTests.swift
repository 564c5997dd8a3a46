import Foundation
import Testing
@testable import Engine

@Suite struct CompactorTests {
    /// A store with several cycles over two real snapshots (with edits between them).
    func filledStore() async throws -> Harness {
        let h = Harness()
        for name in ["snapshot-2026-03-02T1757Z-dnouri.json", "snapshot-2026-03-06T2140Z-dnouri.json", "snapshot-2026-03-09T2049Z-dnouri.json"] {
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
        try await h.store.writePart(PartRef(date: date, cycles: parts.compactMap(\.cycle).min()!...parts.compactMap(\.cycle).max()!), merged)
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
}
