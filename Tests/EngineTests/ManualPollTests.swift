import EngineTesting
import Foundation
import Testing

@testable import Engine

/// "Poll now" is refused by the engine (one rule for the dashboard and the control socket),
/// published as an event, without a cycle; a reset by another process is noticed between cycles.
@Suite struct ManualPollTests {
    /// Everything the poller published until now (the streams are ended first: a finite read).
    func published(_ events: AsyncStream<EngineEvent>, _ p: Poller) async -> [EngineEvent] {
        await p.finishEvents()
        var all: [EngineEvent] = []
        for await e in events { all.append(e) }
        return all
    }

    @Test func aPollTheHourlyBudgetRefusesIsAnEventAndNoCycle() async throws {
        var h = Harness()
        h.config.rules = RateRules(minSpacing: 0, maxPerHour: 1, maxPerDay: 100)
        h.transport.push(fixture: Fixtures.latest)
        let p = try await h.poller()
        #expect(await h.cycle(p).outcome == .ok)
        let scheduler = Scheduler(poller: p, clock: h.clock, interval: 1800, firstPollAt: h.clock.now() + 1800)
        let events = p.subscribe()
        let request = await scheduler.pollNow()
        guard case .refused(let refusal) = request else {
            Issue.record("not refused: \(request)")
            return
        }
        #expect(refusal.kind == .hourBudget)
        #expect(refusal.reason == "the hourly budget (1/1) is used up")
        #expect(refusal.until == h.clock.now() + 3600)
        // The scheduled poll stays where it was; no call, no report.
        #expect(await scheduler.nextPollAt == h.clock.now() + 1800)
        #expect(h.transport.calls.count == 1)
        let all = await published(events, p)
        #expect(all.count == 1)
        guard case .pollRefused(let said)? = all.first else {
            Issue.record("published \(all)")
            return
        }
        #expect(said == refusal)
        // The payload goes over the control socket as it is.
        let line = try JSONEncoder().encode(EngineEvent.pollRefused(refusal))
        guard case .pollRefused(let back) = try JSONDecoder().decode(EngineEvent.self, from: line) else {
            Issue.record("decoded to another case")
            return
        }
        #expect(back == refusal)
    }

    @Test func aStopRefusesUntilAResetElsewhereIsNoticed() async throws {
        let h = Harness()
        h.transport.push(.success(HTTPResponse(status: 404)))
        let p = try await h.poller()
        #expect(await h.cycle(p).outcome == .skipped)
        let scheduler = Scheduler(poller: p, clock: h.clock, interval: 1800, firstPollAt: h.clock.now() + 1800)
        guard case .refused(let refusal) = await scheduler.pollNow() else {
            Issue.record("a stopped poller took a poll")
            return
        }
        #expect(refusal.kind == .stopped && refusal.until == nil)
        // Nothing changed on disk: the between-cycles check leaves the stop.
        await p.noticeStopClearedElsewhere()
        #expect(await p.stop != nil)
        // `polisen-dash reset-404` in another process rewrites the API state file.
        let file = APIStateFile(path: "\(h.root)/api-state.json")
        var state = try file.load()
        state.stopped = nil
        try file.save(state)
        let events = p.subscribe()
        await p.noticeStopClearedElsewhere()
        #expect(await p.stop == nil)
        let all = await published(events, p)
        #expect(all.contains { if case .phase(.idle) = $0 { true } else { false } })
        #expect(await scheduler.pollNow() == .started)
    }
}
