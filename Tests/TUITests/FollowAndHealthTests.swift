import EngineTesting
import Foundation
import Testing

@testable import Engine
@testable import TUI

/// Issue 15: following what is new, and the archive's health at a glance.
@Suite struct FollowTests {
    /// 187 new events on top of the window, as after a long pause.
    func arrivals(_ count: Int, after s: DashboardState) -> [StoredEvent] {
        let base = s.events.first!
        return (0..<count).map { i in
            var e = base
            e.id = 90_000_000 + i
            e.datetime = "2026-08-22 20:\(two(i % 60)):00 +02:00"
            e.summary = "Ny händelse \(i)"
            return storedEvent(e)
        }
    }

    @Test func atTheTopTheListFollowsTheNewest() {
        var s = state()
        _ = s.reduce(.engine(.cycleFinished(sampleReport(cycle: 9), stored: arrivals(187, after: s))))
        #expect(s.selected == 0)
        #expect(s.newAbove == 0)
        #expect(s.selectedEvent?.id ?? 0 >= 90_000_000)
        let text = render(s).text
        #expect(!text.contains("↑"))
        #expect(text.contains("1–"))
        #expect(text.contains(" of 687 "))
    }

    @Test func awayFromTheTopTheSelectionStaysAndSaysHowManyAreNewAbove() {
        var s = state()
        for _ in 0..<5 { _ = s.reduce(.key(.down)) }
        let kept = s.selectedEvent!.id
        _ = s.reduce(.engine(.cycleFinished(sampleReport(cycle: 9), stored: arrivals(187, after: s))))
        #expect(s.selectedEvent?.id == kept)
        #expect(s.newAbove == 187)
        #expect(render(s).text.contains("↑ 187 new · g"))
        // g jumps to the head and the marker goes.
        _ = s.reduce(.key(.char("g")))
        #expect(s.selected == 0 && s.newAbove == 0)
        #expect(!render(s).text.contains("↑ 187 new"))
    }

    @Test func eachDayHasASeparatorAndTheListSaysWhereItIs() {
        var s = state()
        s.now = GoldenScreenTests.now
        #expect(render(s).lines.contains { $0.contains("── today · Sat 2026-08-22 ") })
        // The first event of the day before, selected: its separator is just above it.
        s.selected = s.visibleEvents.firstIndex { $0.parsedDateTime?.stockholmDate == LocalDate(year: 2026, month: 8, day: 21) }!
        let lines = render(s).lines
        let row = lines.firstIndex { $0.contains("── yesterday · Fri 2026-08-21 ") }
        #expect(row != nil)
        #expect(row.map { lines[$0 + 1].contains(String(s.selectedEvent!.parsedDateTime!.hour)) } == true)
        #expect(lines.contains { $0.contains(" of 500 ") })
        _ = s.reduce(.key(.char("G")))
        #expect(render(s).text.contains("–500 of 500 "))
    }
}

@Suite struct HealthTests {
    @Test func eventsWaitingInTheJournalAreSaidInTheTitleBarAtEverySize() {
        for (w, h) in [(80, 24), (120, 40)] {
            var s = state(width: w, height: h)
            var r = sampleReport(cycle: 9)
            r.outcome = .failed
            r.error = "save_events: s3 PUT: connection refused"
            r.journalPending = 312
            _ = s.reduce(.engine(.cycleFinished(r, stored: [])))
            #expect(s.journalPending == 312)
            #expect(render(s).lines[0].contains("312 fetched, not yet stored"))
            // Once a cycle commits them, the journal is empty and the notice goes.
            var ok = sampleReport(cycle: 10)
            ok.journalPending = 0
            _ = s.reduce(.engine(.cycleFinished(ok, stored: [])))
            #expect(s.journalPending == nil)
            #expect(!render(s).text.contains("not yet stored"))
        }
    }

    func failedCycle(at t: Double, cycle: Int = 8) -> CycleReport {
        var r = CycleReport(cycle: cycle, trigger: .schedule, startedAt: t, outcome: .failed)
        r.error = "connection failed: Could not resolve host: polisen.invalid"
        r.totalMs = 40
        return r
    }

    @Test func aFailedLastCycleIsUnmistakable() {
        var s = state()
        s.reports.append(failedCycle(at: s.now - 120))
        let buf = render(s)
        let status = buf.lines.last!
        #expect(status.contains("✖ last cycle failed"))
        #expect(status.contains(": connection failed"))
        #expect(buf.lines[0].contains("last success"))
        #expect(buf[1, buf.height - 1].style.bg == .red)
        #expect(buf.text.contains("cycle 8 FAILED"))
        // Without colour it still stands out.
        s.noColor = true
        let plain = render(s)
        #expect(plain[1, plain.height - 1].style.reverse)
    }

    @Test func lastSuccessAndNextTryAreAlwaysShown() {
        var s = state()
        s.reports = [sampleReport(cycle: 7)]
        s.reports[0].startedAt = s.now - 185
        s.reports[0].totalMs = 5000
        // In the title bar, on every view.
        let title = render(s).lines.first!
        #expect(title.contains("last success 3 min ago · next try in 25:00"))
        s.helpOpen = true
        #expect(render(s).lines.first!.contains("last success 3 min ago"))
        s.reports = []
        s.lastSuccessAt = nil
        #expect(render(s).lines.first!.contains("no success yet"))
    }

    @Test func aFirstRunAgainstAnUnreachableAPISaysSoInTheEventsPane() {
        var s = state()
        s.events = []
        s.reports = []
        s.failures = [
            FailureEntry(
                at: s.now - 5, cycle: 1, stage: .fetch, error: "connection failed: Could not resolve host", attempt: 1, backoff: 2,
                outcome: .retrying, kind: .connection)
        ]
        #expect(render(s).text.contains("the API has not answered yet: connection failed"))
        s.reports = [failedCycle(at: s.now - 3, cycle: 1)]
        let text = render(s).text
        #expect(text.contains("no events yet: the last cycle failed at"))
        #expect(!text.contains("waiting for the first cycle"))
    }

    @Test func enterOnAFailureShowsItWholeWithAHintForItsKind() {
        let cases: [(String, Stage, String, String)] = [
            ("connection", .fetch, "connection failed: Could not resolve host: polisen.invalid", "check the network or a proxy"),
            ("bad_body", .fetch, "HTTP 200 with an HTML page instead of JSON (rate limiter or maintenance page)", "rate limiter answered"),
            ("http_302", .fetch, "HTTP 302 redirect to /block: the site's rate limiter answers so; not data", "rate limiter answered"),
            ("http_403", .fetch, "HTTP 403", "User-Agent"),
            ("http_404", .fetch, "HTTP 404: the API's rules say a 404 is permanent; polling stopped", "check --api-url, then reset"),
            (
                "other", .saveEvents, "s3 PUT events/2026/08/22/part-9.jsonl on bucket/prefix: timed out after 30 s",
                "the store failed during save events"
            ),
        ]
        for (kind, stage, error, hint) in cases {
            // Wide enough that neither the error nor the hint wraps.
            var s = state(width: 200, height: 60)
            s.failures = [
                FailureEntry(
                    at: s.now - 60, cycle: 9, stage: stage, error: error, attempt: 1, backoff: nil, outcome: .gaveUp,
                    kind: FailureKind(rawValue: kind))
            ]
            _ = s.reduce(.key(.tab))
            _ = s.reduce(.key(.tab))
            _ = s.reduce(.key(.tab))
            #expect(s.focus == .failures)
            _ = s.reduce(.key(.enter))
            #expect(s.failureDetailOpen)
            let text = render(s).text
            #expect(text.contains("Failure · cycle 9"), "\(kind)")
            #expect(text.contains(hint), "\(kind): \(text)")
            // The whole error, wrapped: its last word is on screen.
            #expect(text.contains(String(error.split(separator: " ").last!)), "\(kind)")
            _ = s.reduce(.key(.escape))
            #expect(!s.failureDetailOpen)
        }
    }

    @Test func failureLinesEndWithAnEllipsisWhenCut() {
        var s = state(width: 80, height: 24)
        s.failures = [
            FailureEntry(
                at: s.now, cycle: 9, stage: .fetch, error: String(repeating: "very long error text ", count: 10), attempt: 1, backoff: nil,
                outcome: .gaveUp)
        ]
        let line = render(s).lines.first { $0.contains("very long error") }!
        #expect(line.contains("…│"))
    }

    @Test func retryInIsTheRealTimeOfTheNextAttempt() {
        var s = state()
        // The backoff says 2 s, but the spacing rule holds the next call 10 s after the last.
        s.failures = [FailureEntry(at: s.now, cycle: 9, stage: .fetch, error: "HTTP 503", attempt: 1, backoff: 2, outcome: .retrying)]
        s.phase = .backingOff(until: s.now + 2)
        s.budget?.nextAllowedAt = s.now + 10
        #expect(render(s).text.contains("fetch #1 retry in 10 s"))
    }
}
