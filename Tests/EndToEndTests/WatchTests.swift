import Engine
import Foundation
import Testing

/// Watch rules in the real binary against the simulator: what a rule's command receives, and
/// that a command that hangs or fails never holds up a cycle.
@Suite(.serialized) struct WatchTests {
    func lines(_ path: String) -> [String] {
        ((try? String(contentsOfFile: path, encoding: .utf8)) ?? "").split(separator: "\n").map(String.init)
    }

    func write(_ text: String, to path: String) throws { try text.write(toFile: path, atomically: true, encoding: .utf8) }

    @Test func aCommandReceivesExactlyTheMatchingEventsOfAPollOnceEach() throws {
        let sim = try APISimulator()
        let dir = temporaryDirectory()
        let store = "\(dir)/store"
        let query = "type:trafik place:göteborg"
        try write(
            """
            [[watch]]
            name = "trafik i göteborg"
            query = "\(query.replacing("\"", with: "\\\""))"
            command = "cat >> \(dir)/out.jsonl; echo \\"$POLISEN_WATCH_NAME|$POLISEN_WATCH_CHANGE\\" >> \(dir)/env"
            [[watch]]
            name = "marks only"
            query = "malmö"
            """, to: "\(dir)/config.toml")
        let args = ["poll", "--once", "--config", "\(dir)/config.toml", "--api-url", sim.apiURL, "--store", store, "--min-spacing", "0"]
        let first = try polisenDash(args)
        #expect(first.status == 0, "\(first.stderr)")
        let q = EventQuery(query)
        func storedMatching() throws -> [String] {
            try storedLines(store).map(\.line).filter { q.matches(PoliceEvent.decode(line: Array($0.utf8))!) }
        }
        let afterFirst = try storedMatching()
        #expect(afterFirst.count >= 3)
        // Exactly the matching stored lines, byte for byte, once each (the command has finished
        // before `poll --once` exits).
        #expect(lines("\(dir)/out.jsonl").sorted() == afterFirst.sorted())
        #expect(Set(lines("\(dir)/env")) == ["trafik i göteborg|new"])

        // An edit of a matching event is a new version: handed over once more; one of another
        // event is not.
        let edited = try #require(parseJSON(afterFirst[0])?["id"] as? Int)
        let other = try #require(
            try storedLines(store).map(\.line).compactMap(parseJSON).first { e in
                !q.matches(PoliceEvent.decode(line: Array(((try? JSONSerialization.data(withJSONObject: e)) ?? Data())))!)
            }?["id"] as? Int)
        try sim.post("/_control/edit", ["id": edited, "fields": ["summary": "Rättad: två bilar, ingen skadad."]])
        try sim.post("/_control/edit", ["id": other, "fields": ["summary": "Rättad."]])
        let second = try polisenDash(args)
        #expect(second.status == 0, "\(second.stderr)")
        let all = try storedMatching()
        #expect(lines("\(dir)/out.jsonl").sorted() == all.sorted())
        #expect(lines("\(dir)/out.jsonl").filter { $0.contains("Rättad: två bilar") }.count == 1)
        #expect(!lines("\(dir)/out.jsonl").contains { $0.contains("\"id\":\(other),") })
        #expect(lines("\(dir)/env").contains("trafik i göteborg|edited"))
    }

    @Test func aBadRuleStopsTheProgramBeforeAnyCall() throws {
        let sim = try APISimulator()
        let dir = temporaryDirectory()
        try write("[[watch]]\nname = \"fires\"\nquery = \"type:\\\"brand\"\n", to: "\(dir)/config.toml")
        let r = try polisenDash(["poll", "--once", "--config", "\(dir)/config.toml", "--api-url", sim.apiURL, "--store", "\(dir)/store"])
        #expect(r.status == 78)
        #expect(r.stderr.contains("\(dir)/config.toml: watch rule \"fires\": query \"type:\"brand\": unclosed quote"))
        #expect(try sim.log().isEmpty)
    }

    @Test func commandsThatHangOrFailDoNotDelayTheNextCycleAndAreLogged() throws {
        let sim = try APISimulator()
        let dir = temporaryDirectory()
        let store = "\(dir)/store"
        // "hang": the first matching event's command hangs (60 s limit) and says which process
        // sleeps; "fail" exits 1; "slow" runs past its 2 s limit.
        try write(
            """
            [[watch]]
            name = "hang"
            query = "type:trafik"
            command = "mkdir \(dir)/hung 2>/dev/null || exit 0; sleep 120 & echo $! > \(dir)/hung/pid; wait"
            timeout = 60
            [[watch]]
            name = "fail"
            query = "malmö"
            command = "echo no webhook here >&2; exit 1"
            [[watch]]
            name = "slow"
            query = "place:göteborg type:trafik"
            command = "mkdir \(dir)/slow 2>/dev/null || exit 0; sleep 30"
            timeout = 2
            """, to: "\(dir)/config.toml")
        let p = try RunningProcess([
            "run", "--config", "\(dir)/config.toml", "--api-url", sim.apiURL, "--store", store,
            "--interval", "1", "--min-spacing", "0",
        ])
        let log = p.log
        try p.read(until: { $0.contains("cycle 1 ok") }, within: 90, what: "the first cycle")
        let pidText = try waitForFile("\(dir)/hung/pid")
        let sleeper = try #require(Int32(pidText.trimmingCharacters(in: .whitespacesAndNewlines)))
        // Two more cycles while the command hangs (its limit is 60 s, far beyond them).
        try p.read(until: { $0.contains("cycle 3 ok") }, within: 50, what: "the third cycle while a command hangs")
        #expect(kill(sleeper, 0) == 0, "the hanging command should still run")
        #expect(!log.text.contains("watch \"hang\""))
        // The failures are logged, naming the rule and the event.
        try p.read(
            until: { $0.contains("watch \"fail\", event ") && $0.contains("command exited with status 1: no webhook here") },
            within: 60, what: "the failing command's log line")
        try p.read(
            until: { $0.contains("watch \"slow\", event ") && $0.contains("command killed at its time limit of 2 s") },
            within: 60, what: "the slow command's log line")
        // Stopping ends the hanging command's process group too.
        // (It once deadlocked here now and then: a command's failure published while the watch's
        // stream was being cancelled; see EventBroadcasterTests.)
        #expect(p.stop(within: 30), "\(p.context)")
        #expect(p.terminationStatus == 0, "\(p.context)")
        let rest = log.text
        #expect(rest.contains("watch: stopping; ") && rest.contains("running command(s) ended"))
        let deadline = Date().addingTimeInterval(20)
        while Date() < deadline && !isGone(sleeper) { usleep(50_000) }
        #expect(isGone(sleeper), "the hanging command outlived the service")
    }

    func waitForFile(_ path: String, within seconds: Double = 60) throws -> String {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if let text = try? String(contentsOfFile: path, encoding: .utf8), text.hasSuffix("\n") { return text }
            usleep(20_000)
        }
        throw ReadTimedOut(what: path, seconds: seconds, got: "")
    }

    /// Gone, or a zombie waiting to be reaped.
    func isGone(_ pid: Int32) -> Bool {
        kill(pid, 0) != 0 || ((try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8))?.contains(") Z ") ?? true)
    }
}
