import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// A store outage longer than the API window loses nothing: `run` keeps polling the API on
/// schedule while the object store refuses connections, keeps every fetched response in its
/// journal, and once the store is back the archive holds, for every id the simulator served,
/// exactly its newest served version (0 missing, 0 stale).
@Suite(.serialized) struct OutageTests {
    /// Events the simulator publishes per API request: with a 2 s interval the 500-event
    /// window is gone after 9 requests (about 18 s), well inside the outage.
    static let step = 60

    @Test func aStoreOutageLongerThanTheWindowLosesNoEventAndLeavesNoneStale() throws {
        let sim = try APISimulator(["--step", "\(OutageTests.step)"])
        let s3 = try S3Server()
        let proxy = try FaultProxy(targetPort: s3.port)
        let p = try RunningProcess(
            [
                "run", "--api-url", sim.apiURL, "--interval", "2", "--min-spacing", "0", "--store-timeout", "2",
                "--max-per-hour", "100000", "--max-per-day", "100000",
                "--store", "s3://\(s3.bucket)/polisen", "--s3-endpoint", proxy.endpoint,
            ], env: s3.env.merging(["XDG_STATE_HOME": temporaryDirectory()]) { $1 })
        let log = p.log
        func okCycles() -> Int { log.text.split(separator: "\n").filter { $0.contains(" ok ·") }.count }
        func answered() throws -> [[String: Any]] { try sim.log().filter { $0["status"] as? Int == 200 } }

        try p.read(until: { $0.contains("cycle 1 ok") }, within: 90, what: "a first good cycle")
        try proxy.set(.refuse)
        let before = try answered().count
        let windowAtOutage = try windowIDs(sim)

        // Two edits of the newest event while the store is down, each served before the next:
        // the newer version must be the one stored, never the older.
        let edited = try windowOrder(sim)[0]
        let edit = "second edit during the outage"
        for summary in ["first edit during the outage", edit] {
            try sim.post("/_control/edit", ["id": edited, "fields": ["summary": summary]])
            try waitFor(within: 60, "\(summary) served") { try sim.served()[edited]?.last?.contains(summary) == true }
        }

        // The API keeps being polled while the store refuses: the window moves past every
        // event it held when the outage began.
        let needed = 500 / OutageTests.step + 2
        try waitFor(within: 90, "\(needed) API answers during the outage") { try answered().count >= before + needed }
        #expect(try windowIDs(sim).isDisjoint(with: windowAtOutage), "the window did not move past the outage's start")
        // The log (read now, with a deadline) shows cycles that failed on the refused store.
        let text = try p.read(
            until: { $0.contains("cycle ") && $0.contains(" failed (") }, within: 30, what: "a cycle failed on the refused store")
        let failure = text.split(separator: "\n").first { $0.contains("cycle ") && $0.contains(" failed (") }!
        #expect(failure.contains("s3") || failure.contains("store"), "\(failure)")

        try proxy.set(.pass)
        while log.readSome(timeout: 0.2) {}  // everything logged up to the switch
        let okAfterOutage = okCycles()
        try p.read(until: { _ in okCycles() > okAfterOutage + 1 }, within: 90, what: "good cycles once the store answers again")
        // Right after a good cycle: the next starts an interval later.
        #expect(p.stop(within: 30), "\(p.context)")

        // The archive's newest version of each id equals the newest the simulator served,
        // read straight from the S3 server (not through the proxy).
        let served = try sim.served()
        let replay = try polisenDash(["replay", "--json"] + s3.storeArgs(), env: s3.env)
        #expect(replay.status == 0, "\(replay.stderr)")
        var stored: [Int: String] = [:]
        for line in replay.stdout.split(separator: "\n").map(String.init) {
            if let id = parseJSON(line)?["id"] as? Int { stored[id] = line }
        }
        let missing = served.keys.filter { stored[$0] == nil }
        let stale = served.filter { id, versions in stored[id].map { $0 != versions.last! } ?? false }.map(\.key)
        #expect(served.count >= 500 + needed * OutageTests.step, "served only \(served.count) events")
        #expect(missing.isEmpty, "\(missing.count) of \(served.count) served events missing: \(missing.prefix(10))")
        #expect(stale.isEmpty, "\(stale.count) of \(served.count) served events stale: \(stale.prefix(10))")
        #expect(stored[edited]?.contains(edit) == true, "\(stored[edited] ?? "none")")
        #expect(Set(stored.keys) == Set(served.keys))
    }

    private func windowIDs(_ sim: APISimulator) throws -> Set<Int> { Set(try windowOrder(sim)) }

    /// The ids of the window as served next, newest first.
    private func windowOrder(_ sim: APISimulator) throws -> [Int] {
        let events = try JSONSerialization.jsonObject(with: sim.get("/_window")) as! [[String: Any]]
        return events.compactMap { $0["id"] as? Int }
    }

    /// Polls `condition` every 200 ms until it holds; throws after `seconds`.
    private func waitFor(within seconds: Double, _ what: String, _ condition: () throws -> Bool) throws {
        let deadline = Date().addingTimeInterval(seconds)
        while try !condition() {
            guard Date() < deadline else { throw ReadTimedOut(what: what, seconds: seconds, got: "") }
            usleep(200_000)
        }
    }
}
