import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// Every store request is bounded: a black-holed object store (the fault proxy swallowing
/// every connection) fails the cycle with an error naming the store and the operation, and
/// the service stores again once the store answers.
@Suite(.serialized) struct StoreTimeoutTests {
    @Test func aBlackHoledStoreFailsPollOnceWithinItsBoundNamingTheOperation() throws {
        let sim = try APISimulator()
        let s3 = try S3Server()
        let proxy = try FaultProxy(targetPort: s3.port, mode: .swallow)
        let started = Date()
        let r = try polisenDash(
            [
                "poll", "--once", "--api-url", sim.apiURL, "--min-spacing", "0", "--store-timeout", "2",
                "--store", "s3://\(s3.bucket)/polisen", "--s3-endpoint", proxy.endpoint,
            ],
            env: s3.env.merging(["XDG_STATE_HOME": temporaryDirectory()]) { $1 })
        let took = Date().timeIntervalSince(started)
        #expect(r.status != 0)
        // The store's first request (a listing or the metadata) is the one that got no answer.
        let said = r.stdout + r.stderr
        #expect(said.contains("s3 LIST s3://\(s3.bucket)/polisen/") || said.contains("s3 GET s3://\(s3.bucket)/polisen/"), "\(said)")
        #expect(said.contains("timed out after"), "\(said)")
        #expect(said.contains("store_timeout 2 s"), "\(said)")
        // Stall bound 1 s, retried once within the 2 s: far below what a hang would take.
        #expect(took < 30, "took \(took) s")
        #expect(try proxy.stats().faulted["swallow", default: 0] >= 1)
        // Nothing stuck was left behind: every swallowed connection was given up by the client.
        try proxy.waitFor(timeout: 30) { $0.open == 0 }
    }

    @Test func theDefaultStoreTimeoutIsThirtySeconds() throws {
        let r = try polisenDash(["config", "--json"], env: ["XDG_CONFIG_HOME": temporaryDirectory()])
        #expect(r.status == 0, "\(r.stderr)")
        let entry = try #require(parseJSON(r.stdout)?["store_timeout"] as? [String: Any])
        #expect((entry["value"] as? Double) == 30 && (entry["source"] as? String) == "default", "\(entry)")
    }

    @Test func runFailsCyclesWhileTheStoreIsBlackHoledAndRecoversWhenItAnswers() throws {
        let sim = try APISimulator()
        let s3 = try S3Server()
        let proxy = try FaultProxy(targetPort: s3.port)
        let p = try RunningProcess(
            [
                "run", "--api-url", sim.apiURL, "--min-spacing", "0", "--interval", "1", "--store-timeout", "2",
                "--store", "s3://\(s3.bucket)/polisen", "--s3-endpoint", proxy.endpoint,
            ], env: s3.env.merging(["XDG_STATE_HOME": temporaryDirectory()]) { $1 })
        let log = p.log
        func lines() -> [Substring] { log.text.split(separator: "\n") }

        try p.read(until: { $0.contains("cycle 1 ok") }, within: 90, what: "a first good cycle")
        try proxy.set(.swallow)
        // A cycle that started after the switch fails on the store, naming it and the operation.
        func cycleFailure(_ line: Substring) -> Bool {
            line.contains(": cycle ") && line.contains(" failed (") && line.contains("timed out after")
        }
        let failed = try p.read(
            until: { $0.split(separator: "\n").contains(where: cycleFailure) }, within: 90,
            what: "a cycle failed on the black-holed store")
        let failure = failed.split(separator: "\n").first(where: cycleFailure)!
        #expect(failure.contains("s3 ") && failure.contains(" s3://\(s3.bucket)/polisen/"), "\(failure)")
        try proxy.set(.pass)
        let okBefore = lines().filter { $0.contains(" ok ·") }.count
        try p.read(
            until: { text in text.split(separator: "\n").filter { $0.contains(" ok ·") }.count > okBefore + 1 },
            within: 90, what: "good cycles once the store answers again")
        #expect(p.stop(within: 30), "\(p.context)")
        // Everything the simulator served is in the bucket, read by a client we did not write.
        let stored = try s3.lines(prefix: "polisen/events/")
        let ids = Set(stored.values.flatMap { $0 }.compactMap { parseJSON($0)?["id"] as? Int })
        #expect(ids == Set(try sim.served().keys))
    }

    /// While the store cannot be reached, a cycle cannot read the store's number: it is
    /// numbered from the last one this machine knew (kept with the call ledger), and `status`
    /// says that number as such — never "cycle 1" each time.
    @Test func aPollWhileTheStoreIsDownIsNumberedFromTheLastKnownCycle() throws {
        let sim = try APISimulator()
        let s3 = try S3Server()
        let proxy = try FaultProxy(targetPort: s3.port)
        let env = s3.env.merging(["XDG_STATE_HOME": temporaryDirectory()]) { $1 }
        let store = ["--store", "s3://\(s3.bucket)/polisen", "--s3-endpoint", proxy.endpoint]
        func poll() throws -> RunResult {
            try polisenDash(
                ["poll", "--once", "--api-url", sim.apiURL, "--min-spacing", "0", "--json", "--store-timeout", "2"] + store, env: env)
        }
        for n in 1...2 {
            let r = try poll()
            #expect(r.status == 0 && parseJSON(r.stdout)?["cycle"] as? Int == n, "\(r.stdout) \(r.stderr)")
        }
        try proxy.set(.refuse)
        for _ in 1...2 {
            let r = try poll()
            #expect(r.status != 0)
            #expect(parseJSON(r.stdout)?["cycle"] as? Int == 3, "\(r.stdout) \(r.stderr)")
            #expect(!r.stderr.contains("cycle 1 "), "\(r.stderr)")
        }
        let status = try polisenDash(["status"] + store, env: env)
        #expect(status.stdout.contains("last cycle:   2 (as last known here"), "\(status.stdout) \(status.stderr)")
        try proxy.set(.pass)
        let back = try poll()
        #expect(back.status == 0 && parseJSON(back.stdout)?["cycle"] as? Int == 3, "\(back.stdout) \(back.stderr)")
    }
}
