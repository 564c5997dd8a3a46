import Foundation
import Testing

/// The dashboard as a person uses it: the real binary in tmux against the real simulator.
@Suite(.serialized) struct DashboardTests {
    func dashboard(
        _ sim: APISimulator, store: String, term: String = "xterm-256color", extra: [String] = [],
        env: [String: String] = [:]
    ) throws -> TmuxSession {
        try TmuxSession(
            [binaryPath, "--api-url", sim.apiURL, "--store", store] + extra,
            env: ["TERM": term, "LANG": "C.UTF-8"].merging(env) { $1 })
    }

    @Test func eventsAppearAndPollNowMakesExactlyOneCall() throws {
        let sim = try APISimulator()
        let store = temporaryDirectory()
        let metricsPort = freePort()
        let t = try dashboard(sim, store: store, extra: ["--min-spacing", "1", "--metrics-addr", "127.0.0.1:\(metricsPort)"])
        t.waitFor("Latest events · 500 · 500 new")
        // A real event from the window, with its Swedish text intact.
        let window = try JSONSerialization.jsonObject(with: sim.get("/_window")) as! [[String: Any]]
        t.waitFor("cycle 1 ·")
        #expect(try sim.log().count == 1)
        #expect(window.count == 500)
        // The dashboard serves the same metrics and health as `run`.
        let metrics = try httpGet("http://127.0.0.1:\(metricsPort)/metrics")
        #expect(metrics.status == 200)
        #expect(metrics.body.contains("polisen_events_total{kind=\"new\"} 500"))
        #expect(try httpGet("http://127.0.0.1:\(metricsPort)/healthz").status == 200)
        try t.send("p")
        let after = t.waitFor("cycle 2 idle") { $0.contains("cycle 2 ·") && $0.contains("● idle") }
        #expect(after.contains("· 2 new"))
        #expect(try sim.log().count == 2)
        #expect(after.contains("next poll in 29:") || after.contains("next poll in 30:"))
        try t.send("q")
        #expect(t.exitStatus() == 0)
        #expect(try sim.log().count == 2)
    }

    @Test func aPollTooSoonCountsDownThenRunsOnce() throws {
        let sim = try APISimulator()
        let t = try dashboard(sim, store: temporaryDirectory(), extra: ["--min-spacing", "4"])
        t.waitFor("cycle 1 ·")
        try t.send("p")
        t.waitFor("manual poll in")
        t.waitFor("waiting for the rate budget")
        t.waitFor("cycle 2 ·")
        try t.send("p", "p", "p")  // pressed while the next wait runs: still one call
        t.waitFor("cycle 3 ·", timeout: 15)
        t.waitFor("● idle")
        #expect(try sim.log().count == 3)
        let log = try sim.log()
        // Server receipt times: allow a few milliseconds of delivery jitter.
        #expect((log[2]["t"] as! Double) - (log[1]["t"] as! Double) >= 3.95)
    }

    @Test func anInjected503ShowsInTheFailurePaneWithItsRetry() throws {
        let sim = try APISimulator()
        try sim.faults([["status": 503, "retry_after": "1"]])
        let t = try dashboard(sim, store: temporaryDirectory(), extra: ["--min-spacing", "0"])
        let s = t.waitFor("recovered") { $0.contains("fetch #2 recovered") }
        #expect(s.contains("fetch #1 retry in"))
        #expect(s.contains("HTTP 503"))
        #expect(s.contains("Failures and retries · 2"))
    }

    @Test func helpResizeAndQuit() throws {
        let sim = try APISimulator()
        let t = try dashboard(sim, store: temporaryDirectory(), term: "screen")
        t.waitFor("cycle 1 ·")
        try t.send("?")
        t.waitFor("Keys · any key closes")
        #expect(t.screen().contains("poll now (within the rate budget)"))
        try t.send("Escape")
        t.waitFor("help closed") { !$0.contains("Keys · any key closes") }
        try t.resize(width: 60, height: 20)
        t.waitFor("terminal too small: 60×20")
        try t.resize(width: 120, height: 40)
        t.waitFor("Stage latency")
        try t.send("q")
        #expect(t.exitStatus() == 0)
    }

    @Test func filterDetailAndReplay() throws {
        let sim = try APISimulator()
        let t = try dashboard(sim, store: temporaryDirectory(), extra: ["--min-spacing", "0"])
        t.waitFor("cycle 1 ·")
        try t.send("/", "Trafikolycka", "Enter")
        t.waitFor("filter \"Trafikolycka\"")
        try t.send("Enter")
        let detail = t.waitFor("Esc close")
        #expect(detail.contains("summary") && detail.contains("https://polisen.se/aktuellt/handelser/"))
        try t.send("Escape", "Escape")
        t.waitFor("filter cleared") { !$0.contains("filter \"") && !$0.contains("Esc close") }
        try t.send("r")
        t.waitFor("REPLAY")
        let replay = t.waitFor("replayed day") { $0.contains("Replay 20") && $0.contains("events · day") }
        #expect(replay.contains("←→ day"))
        try t.send("Left")
        t.waitFor("previous day") { $0.contains("day ") && !$0.contains("loading…") }
        try t.send("Escape")
        t.waitFor("LIVE")
        try t.send("q")
        #expect(t.exitStatus() == 0)
    }

    @Test func sigtermRestoresTheTerminalAndExitsCleanly() throws {
        let sim = try APISimulator()
        let store = temporaryDirectory()
        let t = try dashboard(sim, store: store, env: ["NO_COLOR": "1"])
        t.waitFor("cycle 1 ·")
        let pid = try t.tmux(["list-panes", "-F", "#{pane_pid}"]).trimmingCharacters(in: .whitespacesAndNewlines)
        // The pane runs a shell; signal its child, the dashboard.
        let child = try String(contentsOfFile: "/proc/\(pid)/task/\(pid)/children", encoding: .utf8).split(separator: " ").first.map(
            String.init)
        let dashPid = try #require(child.flatMap { Int32($0) })
        kill(dashPid, SIGTERM)
        #expect(t.exitStatus() == 0)
        #expect(!allFiles(store).contains { $0.contains(".tmp-") })
        // Back on the normal screen: the shell's own output, not the dashboard.
        #expect(!t.screen().contains("Stage latency"))
    }

    @Test func ctrlCRestoresTheTerminalAndExitsCleanly() throws {
        let sim = try APISimulator()
        let t = try dashboard(sim, store: temporaryDirectory())
        t.waitFor("cycle 1 ·")
        try t.send("C-c")
        #expect(t.exitStatus() == 0)
        t.waitFor("the normal screen") { !$0.contains("Stage latency") }
    }

    @Test func aFatalSignalStillRestoresTheTerminal() throws {
        let sim = try APISimulator()
        let t = try dashboard(sim, store: temporaryDirectory())
        t.waitFor("cycle 1 ·")
        let pid = try t.tmux(["list-panes", "-F", "#{pane_pid}"]).trimmingCharacters(in: .whitespacesAndNewlines)
        let child = try String(contentsOfFile: "/proc/\(pid)/task/\(pid)/children", encoding: .utf8).split(separator: " ").first.map(
            String.init)
        let dashPid = try #require(child.flatMap { Int32($0) })
        kill(dashPid, SIGABRT)  // what a failed precondition does
        let status = t.exitStatus()
        #expect(status != nil && status != 0)
        t.waitFor("the normal screen") { !$0.contains("Stage latency") }
    }
}
