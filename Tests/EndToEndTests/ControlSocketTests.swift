import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// The service's control socket, driven by a client of the tests' own against the real `run`.
@Suite struct ControlSocketTests {
    func startService(_ sim: APISimulator, store: String, _ extra: [String] = []) throws -> RunningProcess {
        let (p, log) = try startRun(["--api-url", sim.apiURL, "--store", store, "--interval", "3600", "--min-spacing", "1"] + extra)
        #expect(log.contains("control socket on \(store)/.control.sock"))
        return p
    }

    /// `run` on a store that has history (its first cycle is not cycle 1): started once its
    /// control socket is served.
    func startServiceAgain(_ sim: APISimulator, store: String) throws -> RunningProcess {
        let p = try RunningProcess(["run", "--api-url", sim.apiURL, "--store", store, "--interval", "3600", "--min-spacing", "1"])
        try p.read(until: { $0.contains("control socket on") }, within: 60, what: "the control socket line")
        return p
    }

    func stop(_ p: RunningProcess) {
        #expect(p.stop(within: 20), "\(p.context)")
    }

    @Test func anOwnerOnlySocketOpensWithASnapshotAndIsRemovedOnExit() throws {
        let sim = try APISimulator()
        let store = temporaryDirectory()
        let p = try startService(sim, store: store)
        let socket = store + "/.control.sock"
        #expect(fileMode(socket) == 0o600)
        let client = try ControlSocketClient(path: socket)
        let first = try client.message()
        #expect(first["reply"] as? String == "snapshot")
        let snapshot = try #require(first["snapshot"] as? [String: Any])
        #expect(snapshot["pid"] as? Int == Int(p.processIdentifier))
        #expect((snapshot["events"] as? [Any])?.count == 500)
        #expect((snapshot["reports"] as? [Any])?.count == 1)
        #expect(snapshot["next_poll_at"] as? Double != nil)
        // Bad input is answered, not fatal.
        try client.send("not json\n")
        let bad = try client.message { $0["reply"] as? String == "error" }
        #expect(bad["reason"] as? String == "not a command: expected one JSON object a line, e.g. {\"command\":\"snapshot\"}")
        try client.command("launch")
        let unknown = try client.message { $0["reply"] as? String == "error" }
        #expect((unknown["reason"] as? String ?? "").hasPrefix("unknown command \"launch\""))
        stop(p)
        #expect(p.terminationStatus == 0)
        #expect(fileMode(socket) == nil)
        #expect(client.drainUntilClosed(within: 10))
    }

    @Test func pollNowOverTheSocketMakesExactlyOneCall() throws {
        let sim = try APISimulator()
        let store = temporaryDirectory()
        let p = try startService(sim, store: store)
        defer { stop(p) }
        let client = try ControlSocketClient(path: store + "/.control.sock")
        _ = try client.message()  // the snapshot
        // Three at once: single-flight, one cycle, one call.
        for _ in 0..<3 { try client.command("poll_now") }
        var replies: [[String: Any]] = []
        let finished = try client.message(within: 60) { m in
            if m["reply"] as? String == "poll_now" { replies.append(m) }
            return m.finishedReport?["cycle"] as? Int == 2
        }
        #expect(finished.finishedReport?["new"] as? Int == 2)
        #expect(finished.finishedReport?["trigger"] as? String == "manual")
        #expect(try sim.log().count == 2)
        // The replies may trail the cycle: read them all.
        while replies.count < 3 {
            let m = try client.message()
            if m["reply"] as? String == "poll_now" { replies.append(m) }
        }
        #expect(replies.allSatisfy { $0["ok"] as? Bool == true })
        #expect(replies.filter { ($0["reason"] as? String ?? "").hasPrefix("a cycle is already running") }.count == 2)
        #expect(try sim.log().count == 2)
    }

    @Test func aStaleSocketLeftByACrashIsReplaced() throws {
        let sim = try APISimulator()
        let store = temporaryDirectory()
        let p = try startService(sim, store: store)
        kill(p.processIdentifier, SIGKILL)  // a crash: the socket file stays behind
        p.waitUntilExit()
        #expect(fileMode(store + "/.control.sock") != nil)
        #expect(throws: (any Error).self) { try ControlSocketClient(path: store + "/.control.sock") }
        let again = try startServiceAgain(sim, store: store)
        defer { stop(again) }
        let snapshot = try ControlSocketClient(path: store + "/.control.sock").message()["snapshot"] as? [String: Any]
        #expect(snapshot?["pid"] as? Int == Int(again.processIdentifier))
    }

    @Test func clientsThatNeverReadOrSendGarbageDoNotStopTheCycles() throws {
        let sim = try APISimulator()
        let store = temporaryDirectory()
        let p = try startService(sim, store: store, ["--interval", "2"])
        defer { stop(p) }
        let socket = store + "/.control.sock"
        // Connects and never reads, while asking for one snapshot (about 200 KB) after another:
        // its unread answers pass the per-client bound and it is dropped.
        let stalled = try ControlSocketClient(path: socket)
        for _ in 0..<40 { try? stalled.command("snapshot") }
        // 1 MB without a newline: over the line cap, answered with the reason and hung up on.
        let garbage = try ControlSocketClient(path: socket)
        _ = try garbage.message()
        try? garbage.send(String(repeating: "x", count: 1 << 20))
        let refusal = try garbage.message { $0["reply"] as? String == "error" }
        #expect((refusal["reason"] as? String ?? "").contains("a line longer than 65536 bytes"))
        #expect(garbage.drainUntilClosed(within: 20))
        // 1 MB of short garbage lines: each answered, then the connection closed.
        let lines = try ControlSocketClient(path: socket)
        try? lines.send(String(repeating: "{]\n", count: (1 << 20) / 3))
        #expect(lines.drainUntilClosed(within: 30))
        // Meanwhile the cycles went on, every 2 s, and a well-behaved client still sees them.
        let watcher = try ControlSocketClient(path: socket)
        _ = try watcher.message()
        let before = try sim.log().count
        let next = try watcher.message(within: 60) { $0.finishedReport != nil }
        #expect(next.finishedReport?["outcome"] as? String == "ok")
        #expect(try eventually(within: 60) { try sim.log().count >= before + 2 })
        #expect(stalled.drainUntilClosed(within: 30), "the client that never read was not dropped")
    }
}
