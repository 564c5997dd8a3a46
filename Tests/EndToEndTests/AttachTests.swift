import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// A dashboard attached to a running service: the real `run`, the real dashboard in tmux.
@Suite(.serialized) struct AttachTests {
    func attached(_ store: String, _ sim: APISimulator, command: [String] = []) throws -> TmuxSession {
        try TmuxSession(
            [binaryPath] + command + ["--api-url", sim.apiURL, "--store", store],
            env: ["TERM": "xterm-256color", "LANG": "C.UTF-8"])
    }

    @Test func aDashboardOnAPolledStoreAttachesPollsThroughTheServiceAndDetaches() throws {
        let sim = try APISimulator()
        let store = temporaryDirectory()
        let (run, _) = try startRun(["--api-url", sim.apiURL, "--store", store, "--interval", "3600", "--min-spacing", "1"])
        defer {
            kill(run.processIdentifier, SIGTERM)
            _ = waitForExit(run, within: 20)
        }
        let t = try attached(store, sim)
        let screen = t.waitFor("attached to pid \(run.processIdentifier)")
        #expect(screen.contains("Stage latency"))
        t.waitFor("Latest events · 500")
        #expect(try sim.log().count == 1)
        // p asks the service: one cycle there, one API call.
        try t.send("p")
        t.waitFor("cycle 2 on screen") { $0.contains("cycle 2 ·") && $0.contains("● idle") }
        #expect(try sim.log().count == 2)
        // q detaches; the service runs on and still answers.
        try t.send("q")
        #expect(t.exitStatus() == 0)
        #expect(run.isRunning)
        let client = try ControlSocketClient(path: store + "/.control.sock")
        _ = try client.message()
        try client.command("poll_now")
        let next = try client.message(within: 60) { $0.finishedReport != nil }
        #expect(next.finishedReport?["cycle"] as? Int == 3)
        #expect(try sim.log().count == 3)
    }

    @Test func aStoppedServiceIsReportedAndCanBeTakenOver() throws {
        let sim = try APISimulator()
        let store = temporaryDirectory()
        let (run, _) = try startRun(["--api-url", sim.apiURL, "--store", store, "--interval", "3600", "--min-spacing", "1"])
        let t = try attached(store, sim, command: ["attach"])
        t.waitFor("attached to pid \(run.processIdentifier)")
        kill(run.processIdentifier, SIGKILL)
        run.waitUntilExit()
        t.waitFor("pid \(run.processIdentifier) STOPPED · t take over")
        // t: this dashboard polls now, holding the store's lock.
        try t.send("t")
        t.waitFor("taken over") { !$0.contains("attached to pid") && !$0.contains("STOPPED") && $0.contains("cycle 2 ·") }
        #expect(try sim.log().count == 2)
        try t.send("q")
        #expect(t.exitStatus() == 0)
    }

    @Test func attachWithoutAServiceSaysSo() throws {
        let store = temporaryDirectory()
        let r = try polisenDash(["attach", "--store", store])
        #expect(r.status != 0)
        #expect(r.stderr.contains("no polisen-dash service answers on \(store)/.control.sock"))
    }
}
