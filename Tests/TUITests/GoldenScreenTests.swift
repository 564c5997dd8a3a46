import EngineTesting
import Foundation
import Testing

@testable import Engine
@testable import TUI

/// Golden screens: the text of the cell buffer for each view at 80×24 and 120×40, kept in
/// Tests/TUITests/Golden/. After a deliberate change, regenerate them with
/// `UPDATE_GOLDEN=1 swift test --filter GoldenScreenTests` and review the diff.
@Suite struct GoldenScreenTests {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Golden")
    static let sizes = [(80, 24), (120, 40)]

    /// A fixed moment: the fixture's window as it was fetched (2026-08-22 20:00 Stockholm time).
    static let now: Double = 1_787_421_600

    static func base(width: Int, height: Int) -> DashboardState {
        var s = DashboardState(
            width: width, height: height, now: now, storeLocation: "/srv/polisen", apiURL: "https://polisen.se/api/events")
        s.events = fixtureEvents()
        s.newIDs = [650297]
        var older = sampleReport(cycle: 6, fetchMs: 250)
        older.startedAt = now - 1800
        var last = sampleReport(cycle: 7)
        last.startedAt = now - 300
        s.reports = [older, last]
        s.budget = BudgetSnapshot(ledger: CallLedger(calls: [now - 1800, now - 300]), rules: .polisen, now: now)
        s.nextPollAt = now + 1500
        s.schedule = FixedInterval(1800).description
        s.failures = [
            FailureEntry(
                at: now - 1805, cycle: 6, stage: .fetch, error: "HTTP 503", attempt: 1, backoff: 2, outcome: .retrying, kind: .http(503)),
            FailureEntry(
                at: now - 1801, cycle: 6, stage: .fetch, error: "recovered after HTTP 503", attempt: 2, backoff: nil, outcome: .recovered,
                kind: .http(503)),
        ]
        s.watches = [try! WatchRule(name: "brand", query: "type:brand", bell: true, colorIndex: 0)]
        return s
    }

    static func views(width: Int, height: Int) -> [(String, DashboardState)] {
        var views: [(String, DashboardState)] = [("live", base(width: width, height: height))]

        var failed = base(width: width, height: height)
        var report = CycleReport(cycle: 8, trigger: .schedule, startedAt: now - 60, outcome: .failed)
        report.error = "connection failed: Could not resolve host: polisen.se"
        report.stages.fetchMs = 12
        report.totalMs = 40
        report.waitedMs = 6_000
        report.retries = 3
        failed.reports.append(report)
        for attempt in 1...4 {
            failed.failures.append(
                FailureEntry(
                    at: now - 60 + Double(attempt * 2), cycle: 8, stage: .fetch,
                    error: "connection failed: Could not resolve host: polisen.se", attempt: attempt,
                    backoff: attempt < 4 ? 2 : nil, outcome: attempt < 4 ? .retrying : .gaveUp, kind: .connection))
        }
        failed.focus = .failures
        views.append(("failures", failed))
        var failureDetail = failed
        failureDetail.failureDetailOpen = true
        views.append(("failure-detail", failureDetail))

        var detail = base(width: width, height: height)
        detail.selected = 1
        detail.detailOpen = true
        views.append(("details", detail))

        var help = base(width: width, height: height)
        help.helpOpen = true
        views.append(("help", help))

        var counts = base(width: width, height: height)
        counts.countsOpen = true
        counts.week = fixtureEvents() + fixtureEvents("snapshot-2026-03-31T1236Z-dnouri.json")
        views.append(("counts", counts))

        var replay = base(width: width, height: height)
        let days = [LocalDate(year: 2026, month: 8, day: 21), LocalDate(year: 2026, month: 8, day: 22)]
        replay.replay = DashboardState.Replay(
            dates: days, index: 1,
            day: StoreReader.Day(
                date: days[1], events: fixtureEvents().filter { $0.parsedDateTime?.stockholmDate == days[1] }, problems: []))
        views.append(("replay", replay))
        return views
    }

    @Test(arguments: sizes.map { "\($0.0)x\($0.1)" })
    func everyViewMatchesItsGoldenScreen(size: String) throws {
        let parts = size.split(separator: "x").map { Int($0)! }
        let update = ProcessInfo.processInfo.environment["UPDATE_GOLDEN"] == "1"
        for (name, state) in Self.views(width: parts[0], height: parts[1]) {
            let text = render(state).text + "\n"
            let file = Self.directory.appendingPathComponent("\(name)-\(size).txt")
            if update {
                try FileManager.default.createDirectory(at: Self.directory, withIntermediateDirectories: true)
                try text.write(to: file, atomically: true, encoding: .utf8)
                continue
            }
            let golden = try String(contentsOf: file, encoding: .utf8)
            let diff = zip(
                golden.split(separator: "\n", omittingEmptySubsequences: false),
                text.split(separator: "\n", omittingEmptySubsequences: false)
            )
            .enumerated().first { $0.element.0 != $0.element.1 }
            #expect(
                text == golden,
                "\(name) \(size) differs at row \(diff?.offset ?? -1):\n  golden: \(diff?.element.0 ?? "")\n  now:    \(diff?.element.1 ?? "")\n(UPDATE_GOLDEN=1 regenerates)"
            )
        }
    }

    /// Every view is whole: every pane's border is intact on every row, and every cut ends in "…".
    @Test(arguments: sizes.map { "\($0.0)x\($0.1)" } + ["200x60"])
    func everyViewIsWhole(size: String) {
        let parts = size.split(separator: "x").map { Int($0)! }
        let layout = DashboardLayout.compute(width: parts[0], height: parts[1])!
        for (name, state) in Self.views(width: parts[0], height: parts[1]) where !state.helpOpen {
            let buf = render(state)
            for pane in [layout.events, layout.latency, layout.headroom, layout.failures] + (layout.counts.map { [$0] } ?? []) {
                for y in (pane.y + 1)..<(pane.maxY - 1) {
                    #expect(buf[pane.x, y].text == "│", "\(name) \(size): left border of the pane at \(pane.x),\(pane.y), row \(y)")
                    #expect(buf[pane.maxX - 1, y].text == "│", "\(name) \(size): right border of the pane at \(pane.x),\(pane.y), row \(y)")
                }
                #expect(buf[pane.x, pane.maxY - 1].text == "└" && buf[pane.maxX - 1, pane.maxY - 1].text == "┘", "\(name) \(size)")
            }
        }
    }
}
