import EngineTesting
import Testing

@testable import Engine

@Suite struct PollingPolicyTests {
    func report(at t: Double, new: Int, gap: Bool = false, outcome: CycleReport.Outcome = .ok) -> CycleReport {
        var r = CycleReport(cycle: 1, trigger: .schedule, startedAt: t, outcome: outcome)
        r.fetched = 500
        r.new = new
        r.gap = gap
        return r
    }

    @Test func theMinimumIsWhatTheBudgetSustains() {
        #expect(AdaptivePolicy(rules: .polisen, interval: 1800).minimum == 60)
        #expect(AdaptivePolicy(rules: RateRules(minSpacing: 10, maxPerHour: 60, maxPerDay: 720), interval: 1800).minimum == 120)
        #expect(AdaptivePolicy(rules: RateRules(minSpacing: 2, maxPerHour: 3600, maxPerDay: 86_400), interval: 1800).minimum == 2)
    }

    @Test func aFillingWindowOrAGapBringsTheNextCallForward() {
        var p = AdaptivePolicy(rules: .polisen, interval: 1800)
        #expect(p.nextDelay(after: report(at: 0, new: 500)) == 60)  // first cycle: learn the rate
        #expect(p.nextDelay(after: report(at: 60, new: 1)) > 60)
        var q = AdaptivePolicy(rules: .polisen, interval: 1800)
        _ = q.nextDelay(after: report(at: 0, new: 500))
        #expect(q.nextDelay(after: report(at: 1800, new: 300)) == 60)
        #expect(q.nextDelay(after: report(at: 1860, new: 10, gap: true)) == 60)
    }

    @Test func theDelayFollowsTheArrivalRateWithinItsBounds() {
        var p = AdaptivePolicy(rules: .polisen, interval: 1800)
        _ = p.nextDelay(after: report(at: 0, new: 500))
        // 100 new in 60 s: 250 more would take 150 s.
        #expect(p.nextDelay(after: report(at: 60, new: 100)) == 120)  // at most twice the last delay
        #expect(p.nextDelay(after: report(at: 180, new: 200)) == 150)
    }

    @Test func quietDoublesUpToTwiceTheInterval() {
        var p = AdaptivePolicy(rules: .polisen, interval: 1800)
        var t = 0.0
        var delays: [Double] = []
        for _ in 0..<10 {
            let d = p.nextDelay(after: report(at: t, new: t == 0 ? 500 : 0))
            delays.append(d)
            t += d
        }
        #expect(delays.prefix(7) == [60, 120, 240, 480, 960, 1920, 3600])
        #expect(delays.last == 3600)
    }

    @Test func aFailedCycleDoesNotSpeedPollingUp() {
        var p = AdaptivePolicy(rules: .polisen, interval: 1800)
        _ = p.nextDelay(after: report(at: 0, new: 500))
        #expect(p.nextDelay(after: report(at: 60, new: 0, outcome: .failed)) == 60)
        #expect(FixedInterval(1800).description == "every 30 min")
    }

    /// The benchmark's claim, checked on a simulated day: at 1000x today's rate the fixed
    /// schedule loses events and the adaptive one does not, within the API's budget.
    @Test func atAThousandTimesTodaysRateAdaptiveLosesNothing() {
        let sim = PolicySimulation(eventsPerDay: PolicySimulation.todaysEventsPerDay * 1000, duration: 86_400)
        let fixed = sim.run(FixedInterval(1800))
        let adaptive = sim.run(AdaptivePolicy(rules: .polisen, interval: 1800))
        #expect(fixed.lost > 10_000)
        #expect(adaptive.lost == 0)
        #expect(adaptive.peakHour <= 60 && adaptive.peakDay <= 1440)
        #expect(fixed.published == adaptive.published && fixed.published > 60_000)
    }

    @Test func atTodaysRateAdaptiveUsesFewerCalls() {
        let sim = PolicySimulation(eventsPerDay: PolicySimulation.todaysEventsPerDay, duration: 7 * 86_400)
        let fixed = sim.run(FixedInterval(1800))
        let adaptive = sim.run(AdaptivePolicy(rules: .polisen, interval: 1800))
        #expect(fixed.lost == 0 && adaptive.lost == 0)
        #expect(adaptive.calls < fixed.calls)
    }
}

@Suite struct HealthCheckTests {
    @Test func healthyWhileTheLastSuccessIsYoungerThanTwoIntervals() {
        let ok = HealthCheck.evaluate(lastSuccessAt: 1000, startedAt: 900, interval: 60, stop: nil, now: 1100)
        #expect(ok.healthy && ok.reason.hasPrefix("ok: last successful cycle 1 min 40 s ago"))
        let stale = HealthCheck.evaluate(lastSuccessAt: 1000, startedAt: 900, interval: 60, stop: nil, now: 1121)
        #expect(!stale.healthy && stale.reason.contains("more than two intervals (2 min)"))
    }

    @Test func aNewProcessHasTwoIntervalsOfGrace() {
        #expect(HealthCheck.evaluate(lastSuccessAt: nil, startedAt: 1000, interval: 60, stop: nil, now: 1100).healthy)
        let late = HealthCheck.evaluate(lastSuccessAt: nil, startedAt: 1000, interval: 60, stop: nil, now: 1121)
        #expect(!late.healthy && late.reason.hasPrefix("no successful cycle since start"))
        // A success long before this start does not count, the start's grace does.
        #expect(HealthCheck.evaluate(lastSuccessAt: 10, startedAt: 1000, interval: 60, stop: nil, now: 1100).healthy)
    }

    @Test func aStopIsUnhealthy() {
        let h = HealthCheck.evaluate(lastSuccessAt: 1000, startedAt: 900, interval: 60, stop: "HTTP 404", now: 1001)
        #expect(!h.healthy && h.reason == "polling stopped: HTTP 404")
    }
}
