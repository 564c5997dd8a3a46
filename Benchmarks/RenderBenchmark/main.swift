// One dashboard frame at 200x60 (and 80x24, 120x40): state -> cell buffer, with a full state
// (500 real events, 50 cycle reports, 100 failures). Usage: render-benchmark FIXTURE [RUNS]
import Engine
import Foundation
import TUI

let path = CommandLine.arguments.count > 1 ? CommandLine.arguments[1] : "Tests/Fixtures/polisen/snapshot-2026-08-22T1754Z-dnouri.json"
let runs = CommandLine.arguments.count > 2 ? Int(CommandLine.arguments[2]) ?? 500 : 500
let events = try JSONDecoder().decode([PoliceEvent].self, from: Data(contentsOf: URL(fileURLWithPath: path))).sortedNewestFirst()
let now = 1_780_000_000.0

func fullState(width: Int, height: Int) -> DashboardState {
    var s = DashboardState(width: width, height: height, now: now, storeLocation: "/srv/polisen", apiURL: "https://polisen.se/api/events")
    s.events = events
    s.newIDs = Set(events.prefix(3).map(\.id))
    for cycle in 1...DashboardState.keptReports {
        var r = CycleReport(cycle: cycle, trigger: .schedule, startedAt: now - Double(60 - cycle) * 1800)
        r.fetched = 500
        r.new = cycle % 7
        r.unchanged = 500 - r.new
        r.stages.fetchMs = 200 + Double(cycle * 13 % 300)
        r.stages.getMetadataMs = 40
        r.stages.processMs = 0.3
        r.stages.saveEventsMs = 80
        r.stages.updateMetadataMs = 30
        r.totalMs = r.stages.fetchMs + 110
        s.reports.append(r)
    }
    for k in 0..<DashboardState.keptFailures {
        s.failures.append(
            FailureEntry(
                at: now - Double(k * 600), cycle: 50 - k / 2, stage: .fetch, error: "HTTP 503",
                attempt: 1 + k % 3, backoff: 4, outcome: k % 3 == 2 ? .recovered : .retrying))
    }
    s.budget = BudgetSnapshot(ledger: CallLedger(calls: (0..<40).map { now - Double($0) * 1800 }), rules: .polisen, now: now)
    s.nextPollAt = now + 1500
    return s
}

var results: [String: [String: Double]] = [:]
for (w, h) in [(80, 24), (120, 40), (200, 60)] {
    let state = fullState(width: w, height: h)
    var times: [Double] = []
    var cells = 0
    for _ in 0..<runs {
        let start = ContinuousClock.now
        let buffer = render(state)
        let d = ContinuousClock.now - start
        cells &+= buffer.width
        times.append(Double(d.components.seconds) * 1000 + Double(d.components.attoseconds) / 1e15)
    }
    precondition(cells > 0)
    times.sort()
    results["\(w)x\(h)"] = ["median_ms": times[times.count / 2], "p99_ms": times[times.count * 99 / 100], "best_ms": times[0]]
}
print(
    String(decoding: try JSONSerialization.data(withJSONObject: ["runs": runs, "results": results], options: [.sortedKeys]), as: UTF8.self))
