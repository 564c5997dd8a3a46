import Foundation
import Testing

/// Issue 15 in a real terminal: following the head, a failed cycle, a refused poll, a 404 stop
/// cleared by another process.
@Suite(.serialized) struct DashboardWatchTests {
    func dashboard(_ apiURL: String, store: String = temporaryDirectory(), extra: [String] = []) throws -> TmuxSession {
        try TmuxSession([binaryPath, "--api-url", apiURL, "--store", store] + extra, env: ["TERM": "xterm-256color", "LANG": "C.UTF-8"])
    }

    @Test func theListFollowsTheHeadAndElseSaysHowManyAreNew() throws {
        let sim = try APISimulator()
        let t = try dashboard(sim.apiURL, extra: ["--min-spacing", "0"])
        t.waitFor("Latest events · 500 · 500 new")
        // At the top: the list follows the newest; nothing to point at.
        try sim.post("/_control/advance", ["events": 30])
        try t.send("p")
        let followed = t.waitFor("cycle 2") { $0.contains("cycle 2 ·") && $0.contains(" of 5") && !$0.contains(" of 500 ") }
        #expect(followed.contains(" 1–"))
        #expect(!followed.contains("new · g"))
        // Away from the top: the selection stays and the marker counts what arrived above.
        try t.send("j", "j", "j")
        try sim.post("/_control/advance", ["events": 20])
        try t.send("p")
        let marked = t.waitFor("↑ N new") { $0.contains("cycle 3 ·") && $0.contains(" new · g ") }
        #expect(marked.contains("↑ "))
        try t.send("g")
        let head = t.waitFor("back at the head") { !$0.contains(" new · g ") }
        #expect(head.contains(" 1–"))
        try t.send("q")
        #expect(t.exitStatus() == 0)
    }

    @Test func aFailedCycleIsUnmistakableAndTheEventsPaneSaysWhy() throws {
        // Nothing listens on port 9: every attempt is refused at once.
        let t = try dashboard("http://127.0.0.1:9/api/events", extra: ["--min-spacing", "0", "--max-attempts", "1"])
        let s = t.waitFor("the failed-cycle status line", timeout: 30) { $0.contains("✖ last cycle failed") }
        #expect(s.contains("no events yet: the last cycle failed at"))
        #expect(s.contains("no success yet"))
        #expect(!s.contains("waiting for the first cycle"))
        // Enter on the failure shows the whole error and a hint.
        try t.send("Tab", "Tab", "Tab", "Enter")
        let detail = t.waitForSettled("the failure's details") { $0.contains("Failure · cycle") }
        #expect(detail.contains("the API could not be reached"))
        #expect(detail.contains("Couldn't connect to server"))
        try t.send("q")
        #expect(t.exitStatus() == 0)
    }

    @Test func pRefusedByTheBudgetSaysWhenItWillBePossible() throws {
        let sim = try APISimulator()
        let t = try dashboard(sim.apiURL, extra: ["--min-spacing", "0", "--max-per-hour", "1"])
        t.waitFor("cycle 1 ·")
        try t.send("p")
        let s = t.waitFor("poll refused: the hourly budget (1/1) is used up; possible at")
        #expect(s.contains("(in 59:") || s.contains("(in 1 h"))
        // No call was made, and the last report is still the real one.
        #expect(try sim.log().count == 1)
        #expect(s.contains("cycle 1 ·"))
        try t.send("q")
        #expect(t.exitStatus() == 0)
        #expect(try sim.log().count == 1)
    }

    @Test func aReset404InAnotherProcessIsNoticedWithoutAKey() throws {
        let sim = try APISimulator()
        let store = temporaryDirectory()
        try sim.faults([["status": 404]])
        let t = try dashboard(sim.apiURL, store: store, extra: ["--min-spacing", "0"])
        t.waitFor("STOPPED by a 404", timeout: 30)
        #expect(try polisenDash(["reset-404", "--store", store]).status == 0)
        // No key pressed: the dashboard hears the state file change between cycles.
        let s = t.waitFor("the stop cleared", timeout: 20) { $0.contains("404 stop cleared: polling resumes") }
        #expect(!s.contains("STOPPED by a 404"))
        #expect(!s.contains("polling stopped (404)"))
        #expect(s.contains("next poll in "))
        // Polling resumed: `p` now makes a call.
        try t.send("p")
        t.waitFor("cycle 2 ·", timeout: 30)
        #expect(try sim.log().count == 2)
        try t.send("q")
        #expect(t.exitStatus() == 0)
    }
}
