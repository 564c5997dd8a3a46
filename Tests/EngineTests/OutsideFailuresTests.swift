import EngineTesting
import Foundation
import Testing

@testable import Engine

/// Failures outside a cycle (a watch rule's command) reach the stream and the store's failure
/// log like a cycle's own.
@Suite struct OutsideFailuresTests {
    func watchFailure(at: Double, cycle: Int, _ text: String) -> FailureEntry {
        FailureEntry(at: at, cycle: cycle, stage: .watch, error: text, attempt: 1, backoff: nil, outcome: .gaveUp, kind: .command)
    }

    func persisted(_ h: Harness) async throws -> [FailureEntry] {
        try Metadata.decode(try #require(try await h.store.readMetadata()).bytes).failures
    }

    @Test func aWatchFailureIsShownAtOnceAndWrittenWithTheNextCycle() async throws {
        let h = Harness()
        h.transport.push(fixture: Fixtures.latest)
        h.transport.push(fixture: Fixtures.latest)
        let p = try await h.poller()
        let first = await h.cycle(p)
        let events = p.subscribe()
        let entry = watchFailure(at: h.clock.now(), cycle: first.cycle, "watch \"w\", event 1: command exited with status 1")
        p.publishOutsideCycle(.failure(entry))
        var iterator = events.makeAsyncIterator()
        guard case .failure(let shown) = await iterator.next() else {
            Issue.record("the failure was not published")
            return
        }
        #expect(shown == entry)
        #expect(try await persisted(h).isEmpty)
        h.clock.advance(by: 60)
        #expect(await h.cycle(p).outcome == .ok)
        #expect(try await persisted(h) == [entry])
        // Written once: a third cycle does not add it again.
        h.clock.advance(by: 60)
        h.transport.push(fixture: Fixtures.latest)
        _ = await h.cycle(p)
        #expect(try await persisted(h).filter { $0.stage == .watch } == [entry])
    }

    @Test func persistingBeforeAnExitWritesWhatWaitsOnce() async throws {
        let h = Harness()
        h.transport.push(fixture: Fixtures.latest)
        let p = try await h.poller()
        let report = await h.cycle(p)
        let a = watchFailure(at: h.clock.now() + 1, cycle: report.cycle, "a")
        let b = watchFailure(at: h.clock.now() + 2, cycle: report.cycle, "b")
        p.publishOutsideCycle(.failure(a))
        p.publishOutsideCycle(.failure(b))
        try await p.persistOutsideFailures()
        #expect(try await persisted(h) == [a, b])
        try await p.persistOutsideFailures()  // nothing waits: nothing changes
        #expect(try await persisted(h) == [a, b])
    }
}
