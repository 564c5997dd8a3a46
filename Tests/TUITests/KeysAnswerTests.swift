import EngineTesting
import Foundation
import Testing

@testable import Engine
@testable import TUI

/// Every key answers, also when it refuses; the answer is in the status line.
@Suite struct KeysAnswerTests {
    func statusLine(_ s: DashboardState) -> String { render(s).lines.last! }

    /// `p` asks the engine; the engine's rule refuses (`ManualPoll`) and says so as an event.
    func pressPAndRefuse(_ s: inout DashboardState) {
        #expect(s.reduce(.key(.char("p"))) == [.pollNow])
        #expect(s.manualRequested)
        let refusal = ManualPoll.refusal(stop: s.phase.stopReason, budget: s.budget, now: s.now)!
        #expect(s.reduce(.engine(.pollRefused(refusal))) == [])
        #expect(!s.manualRequested)
    }

    @Test func pRefusedByTheBudgetOrAStopSaysWhyAndWhen() {
        var s = state()
        s.budget = BudgetSnapshot(ledger: CallLedger(calls: (0..<60).map { s.now - 3000 + Double($0) }), rules: .polisen, now: s.now)
        pressPAndRefuse(&s)
        #expect(statusLine(s).contains("poll refused: the hourly budget (60/60) is used up; possible at"))
        // At 80 columns in a shorter wording, still with the time.
        s.width = 80
        s.height = 24
        #expect(statusLine(s).contains("poll refused: hour budget used up; at "))
        #expect(statusLine(s).contains("(in "))
        s.width = 120
        s.height = 40
        s.phase = .stopped(reason: "HTTP 404")
        pressPAndRefuse(&s)
        #expect(statusLine(s).contains("poll refused: polling is stopped (HTTP 404); R resets the stop"))
    }

    @Test func aRefusedPollIsAnAnswerNotTheLastReport() {
        var s = state()
        s.budget = BudgetSnapshot(ledger: CallLedger(calls: (0..<60).map { s.now - 3000 + Double($0) }), rules: .polisen, now: s.now)
        let before = render(s)
        pressPAndRefuse(&s)
        #expect(s.reports.map(\.cycle) == [6, 7])
        // Every pane draws what it drew before; only the status line answers.
        let after = render(s)
        #expect(Array(after.lines.dropLast()) == Array(before.lines.dropLast()))
        #expect(after.lines.last!.contains("poll refused:"))
        // A refusal of another viewer's request (the control socket) is not this screen's answer.
        s.flash = nil
        _ = s.reduce(.engine(.pollRefused(ManualPoll.Refusal(kind: .hourBudget, reason: "the hourly budget (60/60) is used up", until: nil))))
        #expect(!statusLine(s).contains("poll refused"))
    }

    @Test func aStopClearedElsewhereIsSaid() {
        var s = state()
        s.phase = .stopped(reason: "HTTP 404")
        #expect(statusLine(s).contains("STOPPED by a 404: R (or polisen-dash reset-404) clears it"))
        s.width = 80
        s.height = 24
        #expect(statusLine(s).contains("STOPPED by a 404: R resets it") && !statusLine(s).contains("…"))
        #expect(render(s).text.contains("stopped (404) · manual: after R"))
        // `reset-404` in another process: the engine notices the state file and moves on.
        _ = s.reduce(.engine(.phase(.idle)))
        #expect(statusLine(s).contains("404 stop cleared: polling resumes"))
        s.width = 120
        s.height = 40
        #expect(statusLine(s).contains("404 stop cleared: polling resumes with the next cycle (p polls now)"))
    }

    @Test func replaySaysWhenADateIsInvalidMissingOrPastTheEnds() {
        var s = state()
        _ = s.reduce(.key(.char("r")))
        let days = [LocalDate(year: 2026, month: 8, day: 20), LocalDate(year: 2026, month: 8, day: 22)]
        _ = s.reduce(.replayDates(days))
        _ = s.reduce(.key(.char("d")))
        for c in "2026-13-40" { _ = s.reduce(.key(.char(c))) }
        #expect(s.reduce(.key(.enter)) == [])
        #expect(statusLine(s).contains("not a date: \"2026-13-40\" (use YYYY-MM-DD)"))
        _ = s.reduce(.key(.char("d")))
        for c in "2026-08-21" { _ = s.reduce(.key(.char(c))) }
        #expect(s.reduce(.key(.enter)) == [.loadReplayDay(days[0])])
        #expect(statusLine(s).contains("no events stored on 2026-08-21, showing 2026-08-20"))
        #expect(s.reduce(.key(.left)) == [])
        #expect(statusLine(s).contains("no stored day before 2026-08-20: it is the first"))
        _ = s.reduce(.key(.right))
        #expect(s.reduce(.key(.right)) == [])
        #expect(statusLine(s).contains("no stored day after 2026-08-22: it is the last"))
    }

    @Test func keysThatDoNothingHereSaySo() {
        var s = state()
        #expect(s.reduce(.key(.char("x"))) == [])
        #expect(statusLine(s).contains("key x does nothing here: ? lists the keys"))
        _ = s.reduce(.key(.char("d")))
        #expect(statusLine(s).contains("d jumps to a date in replay: press r first"))
        _ = s.reduce(.key(.left))
        #expect(statusLine(s).contains("←→ move a day in replay: press r first"))
        _ = s.reduce(.key(.char("R")))
        #expect(statusLine(s).contains("nothing to reset: polling is not stopped by a 404"))
        _ = s.reduce(.key(.char("m")))
        #expect(statusLine(s).contains("no watch rules"))
        // The answer goes after a while.
        _ = s.reduce(.tick(now: s.now + DashboardState.flashSeconds + 1))
        #expect(s.flash == nil)
    }

    @Test func resettingA404StopAsksFirst() {
        var s = state()
        s.phase = .stopped(reason: "HTTP 404")
        #expect(s.reduce(.key(.char("R"))) == [])
        #expect(statusLine(s).contains("reset the 404 stop and let polling resume? y yes"))
        #expect(s.reduce(.key(.char("n"))) == [])
        #expect(statusLine(s).contains("reset cancelled"))
        _ = s.reduce(.key(.char("R")))
        #expect(s.reduce(.key(.char("y"))) == [.reset404])
        _ = s.reduce(.resetDone(error: nil))
        #expect(s.phase == .idle)
        #expect(statusLine(s).contains("404 stop cleared"))
    }

    @Test(arguments: [(80, 24), (100, 30), (120, 40), (200, 60)])
    func theHelpSaysEveryKeyWhole(width: Int, height: Int) throws {
        var s = state(width: width, height: height)
        s.helpOpen = true
        let lines = render(s).lines
        for b in KeyTable.bindings {
            let whole = lines.contains { $0.contains(b.help) || (b.brief.map($0.contains) ?? false) }
            #expect(whole, "\(width)x\(height): the help of \(b.label) is cut")
            #expect(displayWidth(b.brief ?? "") <= 30, "\(b.label)'s brief is longer than 30 columns")
        }
        // Nothing inside the overlay's box is cut.
        let rows = lines.map(Array.init)
        let top = try #require(rows.firstIndex { String($0).contains("┌─ Keys") })
        let x0 = try #require(rows[top].firstIndex(of: "┌"))
        let x1 = try #require(rows[top][x0...].firstIndex(of: "┐"))
        let bottom = try #require(rows[(top + 1)...].firstIndex { $0[x0] == "└" })
        for row in rows[(top + 1)..<bottom] {
            #expect(!row[x0...x1].contains("…"), "\(width)x\(height): \(String(row[x0...x1]))")
        }
    }

    @Test func oOpensAndYCopiesTheSelectedEventsURL() {
        var s = state()
        let url = s.selectedEvent!.absoluteURL!
        #expect(s.reduce(.key(.char("o"))) == [.openURL(url)])
        #expect(s.reduce(.key(.char("y"))) == [.copy(url)])
        // Without a browser the URL is shown whole, unbroken.
        _ = s.reduce(.cannotOpen(url: url))
        let text = render(s).lines.joined()
        #expect(text.contains(url))
        _ = s.reduce(.key(.escape))
        #expect(s.shownURL == nil)
    }

    @Test func osc52CarriesTheSanitisedURLInBase64() {
        #expect(OSC52.base64(Array("polisen".utf8)) == "cG9saXNlbg==")
        #expect(OSC52.base64(Array("ab".utf8)) == "YWI=")
        #expect(OSC52.base64(Array("abc".utf8)) == "YWJj")
        let seq = OSC52.sequence(for: "https://polisen.se/x\u{07}\u{1B}]0;evil")
        #expect(seq.hasPrefix("\u{1B}]52;c;") && seq.hasSuffix("\u{07}"))
        let payload = seq.dropFirst(7).dropLast()
        #expect(!payload.contains("\u{1B}") && !payload.contains("\u{07}"))
        let decoded = String(decoding: Data(base64Encoded: String(payload))!, as: UTF8.self)
        #expect(decoded.hasPrefix("https://polisen.se/x") && !decoded.contains("\u{1B}"))
    }

    @Test func theBrowserIsXdgOpenOrBrowserWhenPresent() throws {
        let dir = temporaryTUIDirectory()
        let fake = dir + "/my-browser"
        FileManager.default.createFile(atPath: fake, contents: Data("#!/bin/sh\n".utf8), attributes: [.posixPermissions: 0o755])
        #expect(URLOpener.opener(environment: ["PATH": dir, "BROWSER": "my-browser"]) == fake)
        #expect(URLOpener.opener(environment: ["PATH": dir + "/none"]) == nil)
        #expect(!URLOpener.open("https://polisen.se", environment: ["PATH": dir + "/none"]))
    }
}

@Suite struct WatchAndCountsTests {
    func watched() -> DashboardState {
        var s = state()
        s.watches = [try! WatchRule(name: "brand", query: "type:brand", bell: true, colorIndex: 1)]
        return s
    }

    @Test func matchesAreMarkedWithTheRulesNameAndColour() {
        let s = watched()
        let buf = render(s)
        let row = buf.lines.firstIndex { $0.contains("[brand]") }!
        let x = buf.lines[row].distance(from: buf.lines[row].startIndex, to: buf.lines[row].firstRange(of: "[brand]")!.lowerBound)
        #expect(buf[x, row].style.fg == Theme(noColor: false).watch(1).fg)
    }

    @Test func aBellRuleRingsWhenAMatchingEventIsStored() {
        var s = watched()
        let fire = s.events.first { $0.type == "Brand" }!
        let other = s.events.first { $0.type != "Brand" }!
        #expect(!s.reduce(.engine(.cycleFinished(sampleReport(cycle: 9), stored: [storedEvent(other)]))).contains(.bell))
        #expect(s.reduce(.engine(.cycleFinished(sampleReport(cycle: 10), stored: [storedEvent(fire)]))).contains(.bell))
    }

    @Test func mListsOnlyTheMatches() {
        var s = watched()
        _ = s.reduce(.key(.char("m")))
        #expect(s.matchesOnly)
        #expect(!s.visibleEvents.isEmpty && s.visibleEvents.allSatisfy { ($0.type ?? "").lowercased().contains("brand") })
        #expect(render(s).text.contains("watch matches"))
        _ = s.reduce(.key(.char("m")))
        #expect(s.visibleEvents.count == 500)
    }

    @Test func theCountsViewFollowsTheFilter() {
        var s = state()
        s.now = GoldenScreenTests.now
        #expect(s.reduce(.key(.char("c"))) == [.loadWeek])
        _ = s.reduce(.week(fixtureEvents()))
        let text = render(s).text
        #expect(text.contains("per hour, last 24 h: "))
        #expect(text.contains("per day, window: 500 events"))
        #expect(text.contains("top types · window"))
        #expect(text.contains("Trafikolycka"))
        s.filter = "type:brand"
        let filtered = render(s).text
        let brands = s.events.filter { ($0.type ?? "").lowercased().contains("brand") }.count
        #expect(filtered.contains("per day, window: \(brands) events"))
        #expect(!filtered.contains("Trafikolycka "))
        // Per hour: the fixture's last 24 hours, counted from its events.
        let counts = EventCounts(s.events, now: s.now)
        #expect(
            counts.perHour.reduce(0, +)
                == s.events.filter { Double($0.parsedDateTime!.instant) > s.now - 86_400 && Double($0.parsedDateTime!.instant) <= s.now }
                .count)
    }

    @Test func aLargeTerminalHasACountsPane() {
        var s = state(width: 200, height: 60)
        s.now = GoldenScreenTests.now
        #expect(DashboardLayout.compute(width: 200, height: 60)?.counts != nil)
        #expect(DashboardLayout.compute(width: 120, height: 40)?.counts == nil)
        #expect(render(s).text.contains("─ Counts "))
    }
}

func temporaryTUIDirectory() -> String {
    let path = NSTemporaryDirectory() + "pd-tui-\(UUID().uuidString.prefix(8))"
    try! FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
}
