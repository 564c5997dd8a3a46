import Foundation
import Testing

@testable import Engine

@Suite struct PollerCycleTests {
    @Test func firstCycleStoresEveryEventOnceAndTheSecondNothing() async throws {
        let h = Harness()
        h.transport.push(fixture: Fixtures.latest)
        h.transport.push(fixture: Fixtures.latest)
        let p = try await h.poller()
        let first = await h.cycle(p)
        #expect(first.outcome == .ok)
        #expect(first.new == 500 && first.updated == 0)
        #expect(first.partitions == first.partitionDates.count && first.partitions >= 8)
        let second = await h.cycle(p)
        #expect(second.new == 0 && second.unchanged == 500)
        let lines = try await h.storedLines()
        #expect(lines.count == 500)
        #expect(Set(ids(lines)).count == 500)
        #expect(second.cycle == 2)
    }

    @Test func a503IsRetriedAfterItsRetryAfterAndWithinTheSpacing() async throws {
        let h = Harness()
        h.transport.push(.success(HTTPResponse(status: 503, headers: ["retry-after": "7"])))
        h.transport.push(fixture: Fixtures.latest)
        let report = await h.cycle(try await h.poller())
        #expect(report.outcome == .ok)
        #expect(report.retries == 1)
        let calls = h.transport.calls
        #expect(calls.count == 2)
        #expect(calls[1] - calls[0] >= 10)  // Retry-After 7, but the budget's 10 s spacing rules
        let meta = try Metadata.decode(try #require(try await h.store.readMetadata()).bytes)
        #expect(meta.failures.map(\.outcome) == [.retrying, .recovered])
        #expect(meta.failures.map(\.kind) == [.http(503), .http(503)])
        #expect(meta.failures.map { $0.kind?.rawValue } == ["http_503", "http_503"])
    }

    @Test func stageTimesComeFromTheInjectedClockAndWaitsAreNotFetchTime() async throws {
        let h = Harness(latency: 1.5)
        h.transport.push(.success(HTTPResponse(status: 503)))
        h.transport.push(fixture: Fixtures.latest)
        let report = await h.cycle(try await h.poller())
        #expect(report.outcome == .ok)
        // Two calls of 1.5 s each; the 10 s spacing between them (counted from the end of the
        // first call) is waited, not fetched.
        #expect(report.stages.fetchMs == 3000)
        #expect(report.waitedMs == 10_000)
        #expect(report.totalMs == 3000)
        let failure = try #require(await h.failures(of: report).first)
        #expect(failure.outcome == .retrying && failure.backoff == 10)
    }

    @Test func noRetryOnARedirectOrA403() async throws {
        let h = Harness()
        h.transport.push(.success(HTTPResponse(status: 302, headers: ["location": "https://polisen.se/blocked"])))
        h.transport.push(.success(HTTPResponse(status: 403)))
        let p = try await h.poller()
        let a = await h.cycle(p)
        #expect(a.outcome == .failed && a.error!.contains("redirect"))
        let b = await h.cycle(p)
        #expect(b.outcome == .failed && b.error == "HTTP 403")
        #expect(h.transport.calls.count == 2)
        let meta = try Metadata.decode(try #require(try await h.store.readMetadata()).bytes)
        #expect(meta.failures.map(\.kind) == [.http(302), .http(403)])
    }

    @Test func retriesStopAtMaxAttempts() async throws {
        var h = Harness()
        h.config.retry = RetryPolicy(maxAttempts: 3)
        for _ in 0..<5 { h.transport.push(.failure(.connection("reset by peer"))) }
        let report = await h.cycle(try await h.poller())
        #expect(report.outcome == .failed)
        #expect(h.transport.calls.count == 3)
        #expect(report.retries == 2)
        let meta = try Metadata.decode(try #require(try await h.store.readMetadata()).bytes)
        #expect(Set(meta.failures.map(\.kind)) == [.connection])
    }

    @Test func a404StopsPollingAcrossRestartsUntilCleared() async throws {
        let h = Harness()
        h.transport.push(.success(HTTPResponse(status: 404)))
        let p = try await h.poller()
        let a = await h.cycle(p)
        #expect(a.outcome == .skipped)
        let restarted = try await h.poller()
        let b = await h.cycle(restarted)
        #expect(b.outcome == .skipped && b.error!.contains("reset-404"))
        #expect(h.transport.calls.count == 1)
        try await restarted.clearStop()
        h.transport.push(fixture: Fixtures.latest)
        #expect(await h.cycle(restarted).outcome == .ok)
    }

    @Test func aResetByAnotherProcessIsNoticedByARunningPollerAtItsNextCycle() async throws {
        let h = Harness()
        h.transport.push(.success(HTTPResponse(status: 404)))
        let running = try await h.poller()
        #expect(await h.cycle(running).outcome == .skipped)
        #expect(await running.stop != nil)
        // `polisen-dash reset-404` runs as another process: it rewrites the API state file.
        let file = APIStateFile(path: "\(h.root)/api-state.json")
        var state = try file.load()
        state.stopped = nil
        try file.save(state)
        h.transport.push(fixture: Fixtures.latest)
        #expect(await h.cycle(running).outcome == .ok)
        #expect(await running.stop == nil)
        #expect(h.transport.calls.count == 2)
    }

    @Test func aPollTooSoonSaysHowLongAndMakesNoCall() async throws {
        let h = Harness()
        h.transport.push(fixture: Fixtures.latest)
        let p = try await h.poller()
        _ = await h.cycle(p)
        let tooSoon = await h.cycle(p, maxBudgetWait: 0)
        // Waiting for the budget is not a failure.
        #expect(tooSoon.outcome == .skipped)
        #expect(tooSoon.error == "rate budget: next call allowed in 10 s")
        #expect(h.transport.calls.count == 1)
    }

    @Test func theBudgetSurvivesARestart() async throws {
        var h = Harness()
        h.config.rules = RateRules(minSpacing: 0, maxPerHour: 2, maxPerDay: 100)
        h.transport.push(fixture: Fixtures.latest)
        h.transport.push(fixture: Fixtures.latest)
        _ = await h.cycle(try await h.poller())
        _ = await h.cycle(try await h.poller())
        let third = await h.cycle(try await h.poller(), maxBudgetWait: 60)
        #expect(third.outcome == .skipped && third.error!.hasPrefix("rate budget"))
        #expect(h.transport.calls.count == 2)
    }

    @Test func aFullResponseWithNothingSeenBeforeIsAPossibleGap() async throws {
        let h = Harness()
        h.transport.push(fixture: "snapshot-2023-03-07-mindriddler.json")
        h.transport.push(fixture: "snapshot-2023-03-25T2217Z-dnouri.json")
        let p = try await h.poller()
        #expect(await h.cycle(p).gap == false)
        #expect(await h.cycle(p).gap == true)
    }

    @Test func anOldFilteredResponseIsFlaggedAndNotStoredTwiceBeyondTheSeenWindow() async throws {
        // 2026-04-01: the filtered response (Oct 2025 → Mar 2026) is first seen and stored.
        let h = Harness(now: 1_775_000_000)
        let filtered = "snapshot-2026-03-31T0652Z-dnouri-filtered-cache.json"
        h.transport.push(fixture: filtered)
        let p = try await h.poller()
        let first = await h.cycle(p)
        #expect(first.filtered && first.new == 57)
        // Two months of normal polling later, the seen state has forgotten those ids.
        h.clock.advance(by: 60 * 86_400)
        h.transport.push(fixture: Fixtures.latest)
        _ = await h.cycle(p)
        let meta = await p.currentMetadata()!
        #expect(meta.seen.entries.count == 500)
        // The same cached response comes back: the archive is asked, nothing is stored again.
        h.transport.push(fixture: filtered)
        let again = await h.cycle(p)
        #expect(again.filtered)
        #expect(again.archiveLookups > 0)
        #expect(again.new == 0 && again.updated == 0 && again.unchanged == 57)
        #expect(try await h.storedLines().count == 557)
    }

    @Test func editsAreStoredAgainAndTheNewestVersionIsLast() async throws {
        let h = Harness()
        h.transport.push(fixture: "snapshot-2026-03-06T2140Z-dnouri.json")
        h.transport.push(fixture: "snapshot-2026-03-09T2049Z-dnouri.json")
        let p = try await h.poller()
        _ = await h.cycle(p)
        let second = await h.cycle(p)
        #expect(second.updated >= 8)  // 6 type renames, 1 more rename, 1 summary edit
        let lines = try await h.storedLines()
        let versions = lines.filter { $0.contains(#""id":626686,"#) }
        #expect(versions.count == 2)
        // Parts are read in cycle order within a date: the last one is the edit.
        #expect(versions.last!.contains("Försvunnen person anträffad"))
    }
}

@Suite struct RecoveryTests {
    @Test func partsOfACycleWhoseMetadataNeverLandedAreAdoptedNotDuplicated() async throws {
        let h = Harness()
        h.transport.push(fixture: "snapshot-2026-03-06T2140Z-dnouri.json")
        _ = await h.cycle(try await h.poller())
        // A crash after cycle 2 wrote its part but before its metadata update.
        let scan = try EventScanner.scan(Fixtures.bytes("snapshot-2026-03-09T2049Z-dnouri.json"))
        let seen = try Metadata.decode(try #require(try await h.store.readMetadata()).bytes).seen
        let newer = scan.events.filter { seen[$0.id]?.hash != $0.hash }
        for (date, bytes) in Deduplicator.partition(newer, lines: scan.lines) {
            try await h.store.writePart(PartRef(date: date, cycle: 2), bytes)
        }
        let before = try await h.storedLines().count
        let reopened = try await h.poller()
        #expect(await reopened.currentMetadata()?.lastCycle == 2)
        h.transport.push(fixture: "snapshot-2026-03-09T2049Z-dnouri.json")
        let report = await h.cycle(reopened)
        #expect(report.cycle == 3)
        #expect(report.new == 0 && report.updated == 0)
        #expect(try await h.storedLines().count == before)
    }

    @Test func aCompactionCutShortIsFinishedAtTheNextStartSoNoLineIsInTwoFiles() async throws {
        let h = Harness()
        h.transport.push(fixture: "snapshot-2026-03-06T2140Z-dnouri.json")
        let first = try await h.poller()
        _ = await h.cycle(first)
        h.clock.advance(by: 3600)
        h.transport.push(fixture: "snapshot-2026-03-09T2049Z-dnouri.json")
        _ = await h.cycle(first)
        let before = try await h.storedLines()
        // Killed after writing the merged part of a day, before deleting the parts it holds.
        let parts = try await h.store.listParts(date: nil)
        let day = try #require(Dictionary(grouping: parts, by: \.date).first { $0.value.count == 2 }).key
        var merged: [UInt8] = []
        for part in parts where part.date == day { merged += try await h.store.readPart(part) }
        try await h.store.writePart(PartRef(date: day, cycles: 1...2), merged)
        #expect(try await h.storedLines().count > before.count)

        let reopened = try await h.poller()
        let after = try await h.storedLines()
        #expect(after.count == before.count && Set(after) == Set(before))
        #expect(try await h.store.listParts(date: day) == [PartRef(date: day, cycles: 1...2)])
        h.transport.push(fixture: "snapshot-2026-03-09T2049Z-dnouri.json")
        let next = await h.cycle(reopened)
        #expect(next.outcome == .ok && next.new == 0 && next.updated == 0)
    }

    @Test(arguments: ["truncated", "empty", "garbage", "newer"])
    func badMetadataIsKeptAsideAndRebuiltWithoutStoringTwice(kind: String) async throws {
        let h = Harness()
        h.transport.push(fixture: Fixtures.latest)
        _ = await h.cycle(try await h.poller())
        let path = "\(h.root)/metadata.json"
        let good = try Data(contentsOf: URL(fileURLWithPath: path))
        let bad: Data
        switch kind {
        case "truncated": bad = good.prefix(good.count / 3)
        case "empty": bad = Data()
        case "garbage": bad = Data("\u{0}\u{1}garbage".utf8)
        default: bad = Data(String(decoding: good, as: UTF8.self).replacingOccurrences(of: #""version":1"#, with: #""version":2"#).utf8)
        }
        try bad.write(to: URL(fileURLWithPath: path))
        let p = try await h.poller()
        let aside = try FileManager.default.contentsOfDirectory(atPath: h.root).filter { $0.hasPrefix("metadata.json.bad-") }
        #expect(aside.count == 1)
        #expect(try Data(contentsOf: URL(fileURLWithPath: "\(h.root)/\(aside[0])")) == bad)
        h.transport.push(fixture: Fixtures.latest)
        let report = await h.cycle(p)
        #expect(report.new == 0 && report.unchanged == 500)
        #expect(try await h.storedLines().count == 500)
    }

    @Test func missingMetadataIsRebuiltFromThePartitions() async throws {
        let h = Harness()
        h.transport.push(fixture: Fixtures.latest)
        _ = await h.cycle(try await h.poller())
        try FileManager.default.removeItem(atPath: "\(h.root)/metadata.json")
        let p = try await h.poller()
        #expect(await p.currentMetadata()?.seen.count == 500)
        h.transport.push(fixture: Fixtures.latest)
        #expect(await h.cycle(p).new == 0)
    }

    @Test func aRebuildCountsWhatTheArchiveHoldsNotOnlyTheRecentSeenState() async throws {
        let h = Harness()
        h.transport.push(fixture: Fixtures.latest)
        let first = try await h.poller()
        _ = await h.cycle(first)
        #expect(await first.currentMetadata()?.storedEvents == 500)
        try FileManager.default.removeItem(atPath: "\(h.root)/metadata.json")
        // A year on, every stored event is older than the seen state's 30 days.
        h.clock.advance(by: 365 * 86_400)
        let meta = try #require(await h.poller().currentMetadata())
        #expect(meta.seen.count < 500)
        #expect(meta.storedEvents == 500)
    }

    @Test func leftoverTempFilesAreRemoved() async throws {
        let h = Harness()
        let dir = "\(h.root)/events/2026/08/22"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        _ = FileManager.default.createFile(atPath: "\(dir)/.part-00000001.jsonl.tmp-999999-2", contents: Data("{\"id\":".utf8))
        _ = try await h.poller()
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir).isEmpty)
    }
}

/// A store whose part writes to one date fail: the disk-full case, without a full disk.
struct FailingDateStore: EventStore {
    let inner: LocalStore
    let failing: LocalDate
    var location: String { inner.location }
    func readMetadata() async throws -> VersionedBlob? { try await inner.readMetadata() }
    func writeMetadata(_ bytes: [UInt8], expecting: String?) async throws { try await inner.writeMetadata(bytes, expecting: expecting) }
    func setAsideMetadata(suffix: String) async throws -> String { try await inner.setAsideMetadata(suffix: suffix) }
    func writePart(_ part: PartRef, _ bytes: [UInt8]) async throws {
        if part.date == failing { throw StoreError.noSpace("simulated") }
        try await inner.writePart(part, bytes)
    }
    func deletePart(_ part: PartRef) async throws { try await inner.deletePart(part) }
    func listParts(date: LocalDate?) async throws -> [PartRef] { try await inner.listParts(date: date) }
    func readPart(_ part: PartRef) async throws -> [UInt8] { try await inner.readPart(part) }
    func removeTemporaries() async throws -> Int { try await inner.removeTemporaries() }
}

@Suite struct SaveFailureTests {
    @Test func eventsOfAFailedPartitionWriteAreStoredByTheNextCycle() async throws {
        let h = Harness()
        let day = LocalDate(year: 2026, month: 8, day: 20)
        let failing = try Poller(
            config: h.config, store: FailingDateStore(inner: h.store, failing: day),
            apiStateFile: APIStateFile(path: "\(h.root)/api-state.json"), transport: h.transport,
            clock: h.clock, random: { 0.5 })
        try await failing.open()
        h.transport.push(fixture: Fixtures.latest)
        let broken = await h.cycle(failing)
        #expect(broken.outcome == .failed)
        #expect(broken.error!.contains("2026/08/20"))
        #expect(broken.new - (try await h.storedLines().count) > 0)
        // Space is back: the next start stores what was missed from the response it kept
        // aside, and the next cycle finds nothing more to add.
        let reopened = try await h.poller()
        let lines = try await h.storedLines()
        #expect(lines.count == 500 && Set(ids(lines)).count == 500)
        h.transport.push(fixture: Fixtures.latest)
        let healed = await h.cycle(reopened)
        #expect(healed.outcome == .ok && healed.new == 0 && healed.unchanged == 500)
    }
}

@Suite struct WriteAheadTests {
    @Test func aResponseFetchedByAnInterruptedCycleIsStoredAtTheNextStart() async throws {
        let h = Harness()
        // What a cycle leaves behind when killed after its fetch: the response kept aside.
        try FileIO.makeDirectories(h.root)
        try FileIO.atomicWrite("\(h.root)/pending-response.json", Fixtures.bytes(Fixtures.latest))
        let p = try await h.poller()
        #expect(try await h.storedLines().count == 500)
        #expect(!FileManager.default.fileExists(atPath: "\(h.root)/pending-response.json"))
        #expect(await p.currentMetadata()?.reports.last?.trigger == .recovery)
        #expect(h.transport.calls.isEmpty)
    }
}
