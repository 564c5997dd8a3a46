import Foundation
import Testing

@testable import Engine

@Suite struct SeenStateTests {
    let day = LocalDate(year: 2026, month: 8, day: 22)

    @Test func ageBoundDropsOnlyWhatTheAPIStoppedServing() {
        var s = SeenState()
        s.record(id: 1, hash: 1, date: day, at: 1000)
        s.record(id: 2, hash: 2, date: day, at: 5000)
        s.prune(now: 5000 + 100, bounds: SeenBounds(retentionSeconds: 4000, maxEntries: 10))
        #expect(s[1] == nil)
        #expect(s[2] != nil)
    }

    @Test func sizeBoundKeepsTheMostRecentlyServedAndReportsTheHorizon() {
        var s = SeenState()
        for i in 0..<100 { s.record(id: i, hash: UInt64(i), date: day.adding(days: i), at: Int64(i)) }
        let dropped = s.prune(now: 100, bounds: SeenBounds(retentionSeconds: 1000, maxEntries: 10))
        #expect(s.count == 10)
        #expect(Set(s.entries.keys) == Set(90..<100))
        #expect(dropped == day.adding(days: 89))
    }

    @Test func monthsOfPollingStayBounded() {
        // 90 days of 30-minute cycles, each window the newest 500 of ~70 events a day.
        var meta = Metadata()
        let bounds = SeenBounds()
        var nextID = 0
        var window: [Int] = []
        var t = 1_780_000_000.0
        for _ in 0..<(90 * 48) {
            for _ in 0..<2 {
                window.append(nextID)
                nextID += 1
            }
            if window.count > 500 { window.removeFirst(window.count - 500) }
            for id in window { meta.seen.record(id: id, hash: UInt64(id), date: StockholmCalendar.date(at: Int64(t)), at: Int64(t)) }
            meta.prune(now: t, bounds: bounds)
            t += 1800
        }
        // Everything still served is known; the rest is bounded by 30 days of ids.
        #expect(window.allSatisfy { meta.seen[$0] != nil })
        #expect(meta.seen.count <= 30 * 96 + 500)
        #expect(meta.completeAfter != nil)
    }
}

@Suite struct MetadataTests {
    func sample() -> Metadata {
        var m = Metadata(lastCycle: 7, updatedAt: 123.5)
        m.seen.record(id: 650297, hash: 0xDEAD_BEEF, date: LocalDate(year: 2026, month: 8, day: 22), at: 1_780_000_000)
        m.completeAfter = LocalDate(year: 2026, month: 7, day: 1)
        var r = CycleReport(cycle: 7, trigger: .schedule, startedAt: 5)
        r.new = 3
        m.append(report: r)
        m.append(failures: [FailureEntry(at: 1, cycle: 7, stage: .fetch, error: "HTTP 503", attempt: 1, backoff: 2, outcome: .retrying)])
        return m
    }

    @Test func roundTrips() throws {
        let m = sample()
        #expect(try Metadata.decode(m.encoded()) == m)
    }

    /// The hand-written seen map: every entry back, in the sorted-key order JSONEncoder gave,
    /// also with a failure text that looks like the map it is spliced into.
    @Test func seenMapIsWrittenWholeAndInOrder() throws {
        var m = sample()
        m.append(failures: [FailureEntry(at: 2, cycle: 7, stage: .fetch, error: #"{"seen":{}} "seen":{}"#, attempt: 1, backoff: nil, outcome: .gaveUp)])
        m.seen.record(id: 9, hash: 0, date: LocalDate(year: 2026, month: 8, day: 21), at: 5, observedAt: 1_780_000_001.25)
        m.seen.record(id: 10, hash: UInt64.max, date: LocalDate(year: 2026, month: 8, day: 20), at: 6, observedAt: 1_780_000_002)
        let bytes = m.encoded()
        #expect(try Metadata.decode(bytes) == m)
        let text = String(decoding: bytes, as: UTF8.self)
        #expect(text.contains(#""seen":{"10":["ffffffffffffffff","2026-08-20",6,1780000002],"650297":["00000000deadbeef","2026-08-22",1780000000],"9":["0000000000000000","2026-08-21",5,1780000001.25]}"#))
        let object = try JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any]
        #expect((object?["seen"] as? [String: Any])?.count == 3)
        #expect(try Metadata.decode(Metadata().encoded()) == Metadata())
    }

    @Test func truncatedEmptyGarbageAndNewerVersionsAreNamed() throws {
        let bytes = sample().encoded()
        #expect(throws: MetadataError.self) { try Metadata.decode(Array(bytes.prefix(bytes.count / 2))) }
        #expect(throws: MetadataError.unreadable("empty file")) { try Metadata.decode([]) }
        #expect(throws: MetadataError.wrongFormat) { try Metadata.decode(Array(#"{"a":1}"#.utf8)) }
        var newer = String(decoding: bytes, as: UTF8.self)
        newer = newer.replacingOccurrences(of: #""version":1"#, with: #""version":9"#)
        #expect(throws: MetadataError.newerVersion(9)) { try Metadata.decode(Array(newer.utf8)) }
        let badHash = String(decoding: bytes, as: UTF8.self).replacingOccurrences(of: "00000000deadbeef", with: "zz")
        #expect(throws: MetadataError.self) { try Metadata.decode(Array(badHash.utf8)) }
    }

    @Test func historyIsBounded() {
        var m = Metadata()
        for i in 0..<200 { m.append(report: CycleReport(cycle: i, trigger: .schedule, startedAt: 0)) }
        #expect(m.reports.count == Metadata.keptReports)
        #expect(m.reports.last?.cycle == 199)
    }
}

@Suite struct DeduplicatorTests {
    /// Two real snapshots two hours apart, with 353 url-only edits and 7 url+gps edits between
    /// them; the expected counts come from Foundation's independent reading of both files.
    @Test func editsBetweenRealSnapshotsAreFoundByContent() throws {
        let before = "snapshot-2024-12-02T1447Z-dnouri.json"
        let after = "snapshot-2024-12-04T1635Z-dnouri.json"
        var seen = SeenState()
        let first = try EventScanner.scan(Fixtures.bytes(before))
        for e in first.events { seen.record(id: e.id, hash: e.hash, date: e.localDate, at: 0) }
        let second = try EventScanner.scan(Fixtures.bytes(after))
        let c = Deduplicator.classify(second, seen: seen, completeAfter: nil)

        let old = Dictionary(uniqueKeysWithValues: Fixtures.objects(before).map { ($0["id"] as! Int, $0 as NSDictionary) })
        var expectNew = 0
        var expectUpdated = 0
        var expectSame = 0
        for o in Fixtures.objects(after) {
            guard let prev = old[o["id"] as! Int] else {
                expectNew += 1
                continue
            }
            if prev == o as NSDictionary { expectSame += 1 } else { expectUpdated += 1 }
        }
        #expect(c.new.count == expectNew)
        #expect(c.updated.count == expectUpdated)
        #expect(c.unchanged == expectSame)
        #expect(expectUpdated >= 360)
    }

    @Test func idReusedForAnotherEventIsAnUpdateInItsNewPartition() throws {
        let a = try EventScanner.scan(Fixtures.bytes("snapshot-2024-12-02T1144Z-dnouri.json"))
        let b = try EventScanner.scan(Fixtures.bytes("snapshot-2024-12-02T1254Z-dnouri.json"))
        var seen = SeenState()
        for e in a.events { seen.record(id: e.id, hash: e.hash, date: e.localDate, at: 0) }
        let c = Deduplicator.classify(b, seen: seen, completeAfter: nil)
        let flipped = try #require(c.updated.first { $0.id == 560424 })
        #expect(String(decoding: b.lineBytes(flipped), as: UTF8.self).contains("Östersund"))
    }

    @Test func unknownEventsAtOrBeforeTheHorizonAskTheArchive() throws {
        let scan = try EventScanner.scan(Fixtures.bytes("snapshot-2026-03-31T0652Z-dnouri-filtered-cache.json"))
        let horizon = LocalDate(year: 2026, month: 3, day: 1)
        var c = Deduplicator.classify(scan, seen: SeenState(), completeAfter: horizon)
        #expect(!c.unknown.isEmpty)
        #expect(c.unknown.allSatisfy { $0.localDate <= horizon })
        #expect(c.new.allSatisfy { $0.localDate > horizon })
        // The archive knows the first unknown unchanged, the second edited.
        let u = c.unknown
        Deduplicator.resolve(&c, archive: [u[0].id: u[0].hash, u[1].id: 42])
        #expect(c.unknown.isEmpty)
        #expect(c.updated.map(\.id) == [u[1].id])
        #expect(c.new.count == scan.events.count - 2)
    }

    @Test func filteredCacheResponsesAreFlaggedAndNormalOnesAreNot() throws {
        #expect(Deduplicator.looksFiltered(try EventScanner.scan(Fixtures.bytes("snapshot-2023-03-26T0553Z-dnouri-filtered-cache.json"))))
        #expect(Deduplicator.looksFiltered(try EventScanner.scan(Fixtures.bytes("snapshot-2026-03-31T0652Z-dnouri-filtered-cache.json"))))
        for name in Fixtures.names where !name.contains("filtered") && !name.contains("2018") {
            #expect(!Deduplicator.looksFiltered(try EventScanner.scan(Fixtures.bytes(name))), "\(name)")
        }
    }

    @Test func partitionsGroupByStockholmDateAcrossTheDSTChange() throws {
        let scan = try EventScanner.scan(Fixtures.bytes("snapshot-2026-03-31T1236Z-dnouri.json"))
        let parts = Deduplicator.partition(scan.events, lines: scan.lines)
        var total = 0
        for (date, jsonl) in parts {
            let lines = jsonl.split(separator: 0x0A)
            total += lines.count
            for line in lines {
                let dt = (jsonObject(line)?["datetime"] as? String) ?? ""
                #expect(dt.hasPrefix(date.description))
            }
        }
        #expect(total == 500)
        #expect(parts.map(\.0.description).contains("2026-03-29"))
    }
}
