import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// API faults from the simulator, each with its documented reaction; the simulator's request
/// log shows the rules kept.
@Suite(.serialized) struct FaultTests {
    func poll(_ sim: APISimulator, _ store: String, _ extra: [String] = []) throws -> RunResult {
        try polisenDash(["poll", "--once", "--api-url", sim.apiURL, "--store", store, "--min-spacing", "0", "--json"] + extra)
    }

    @Test func a503WithRetryAfterIsRetriedThenStored() throws {
        let sim = try APISimulator()
        let store = temporaryDirectory()
        try sim.faults([["status": 503, "retry_after": "1"]])
        let r = try poll(sim, store)
        #expect(r.status == 0)
        let report = try #require(parseJSON(r.stdout))
        #expect(report["retries"] as? Int == 1 && report["new"] as? Int == 500)
        let log = try sim.log()
        #expect((report["http"] as? [String: Any])?["status"] as? Int == 200)
        #expect(log.count == 2)
        #expect((log[1]["t"] as! Double) - (log[0]["t"] as! Double) >= 1.0)
    }

    @Test(arguments: ["truncate", "gzip_truncate", "reset", "empty_body"])
    func transientBodyAndConnectionFaultsAreRetried(kind: String) throws {
        let sim = try APISimulator()
        let store = temporaryDirectory()
        try sim.faults([["kind": kind]])
        let r = try poll(sim, store)
        #expect(r.status == 0, "\(kind): \(r.stdout) \(r.stderr)")
        #expect(parseJSON(r.stdout)?["retries"] as? Int == 1)
        #expect(try storedLines(store).count == 500)
    }

    @Test(arguments: [("html", "HTML"), ("redirect", "redirect"), ("not_array", "not a JSON array")])
    func anHTMLPageOrARedirectIsAFailureNeverDataAndNotRetried(kind: String, reason: String) throws {
        let sim = try APISimulator()
        let store = temporaryDirectory()
        try sim.faults([["kind": kind]])
        let r = try poll(sim, store)
        #expect(r.status == 1)
        #expect(reportError(r).contains(reason))
        #expect(try sim.log().count == 1)
        #expect(try storedLines(store).isEmpty)
    }

    @Test func aHugeBodyIsAnErrorNotAnOutOfMemory() throws {
        let sim = try APISimulator()
        let store = temporaryDirectory()
        try sim.faults([["kind": "huge", "bytes": 20_000_000]])
        let r = try poll(sim, store)
        #expect(r.status == 1)
        #expect(reportError(r).contains("larger than"))
    }

    @Test func oneMalformedEventIsSkippedAndCounted() throws {
        let sim = try APISimulator()
        let store = temporaryDirectory()
        try sim.faults([["kind": "bad_event"]])
        let r = try poll(sim, store)
        #expect(r.status == 0)
        let report = try #require(parseJSON(r.stdout))
        #expect(report["skipped"] as? Int == 1 && report["new"] as? Int == 499)
    }

    @Test func a404StopsAllCallsUntilReset() throws {
        let sim = try APISimulator()
        let store = temporaryDirectory()
        try sim.faults([["status": 404]])
        let r = try poll(sim, store)
        #expect(r.status == 3)
        #expect(reportError(r).contains("404"))
        let again = try poll(sim, store)
        #expect(again.status == 3)
        #expect(reportError(again).contains("reset-404"))
        #expect(try sim.log().count == 1)
        let status = try polisenDash(["status", "--store", store])
        #expect(status.stdout.contains("STOPPED"))
        #expect(try polisenDash(["reset-404", "--store", store]).status == 0)
        #expect(try poll(sim, store).status == 0)
        #expect(try sim.log().count == 2)
    }

    @Test func aPollTooSoonSaysHowLongAndMakesNoCall() throws {
        let sim = try APISimulator()
        let store = temporaryDirectory()
        let args = ["poll", "--once", "--api-url", sim.apiURL, "--store", store]
        #expect(try polisenDash(args).status == 0)
        let r = try polisenDash(args + ["--no-wait"])
        #expect(r.status == 2)  // budget wait, distinct from a failed cycle
        #expect(r.stdout.contains("rate budget: next call allowed in"))
        #expect(try sim.log().count == 1)
    }

    @Test func runLogsACycleAndStopsCleanlyOnSIGTERM() throws {
        let sim = try APISimulator()
        let store = temporaryDirectory()
        let (p, text) = try startRun(["--api-url", sim.apiURL, "--store", store, "--interval", "3600"])
        #expect(text.contains("cycle 1 ok · fetched 500, new 500"))
        let sent = Date()
        kill(p.processIdentifier, SIGTERM)
        p.waitUntilExit()
        #expect(p.terminationStatus == 0)
        #expect(Date().timeIntervalSince(sent) < 2)
        #expect(try storedLines(store).count == 500)
        #expect(!allFiles(store).contains { $0.contains(".tmp-") })
    }

    @Test func aSecondPollerOnTheSameStoreIsRefusedNotRaced() throws {
        let sim = try APISimulator()
        let store = temporaryDirectory()
        let (first, text) = try startRun(["--api-url", sim.apiURL, "--store", store, "--interval", "3600"])
        #expect(text.contains("cycle 1 ok"))
        let second = try poll(sim, store)
        #expect(second.status == 75)  // store locked
        #expect(second.stderr.contains("already polling this store"))
        #expect(second.stderr.contains("pid \(first.processIdentifier)"))
        #expect(try sim.log().count == 1)
        // Readers need no lock.
        #expect(try polisenDash(["status", "--store", store]).status == 0)
        kill(first.processIdentifier, SIGTERM)
        first.waitUntilExit()
        #expect(try poll(sim, store).status == 0)
    }

    @Test func jsonLogLinesAreOneObjectEach() throws {
        let sim = try APISimulator()
        let store = temporaryDirectory()
        let (p, text) = try startRun(["--api-url", sim.apiURL, "--store", store, "--interval", "3600", "--log-format", "json"])
        kill(p.processIdentifier, SIGTERM)
        p.waitUntilExit()
        let lines = text.split(separator: "\n").map(String.init)
        #expect(!lines.isEmpty)
        for line in lines { #expect(parseJSON(line) != nil, "not JSON: \(line)") }
        let cycle = try #require(lines.compactMap(parseJSON).first { ($0["message"] as? String ?? "").hasPrefix("cycle 1 ok") })
        #expect(cycle["level"] as? String == "info")
        #expect(cycle["time"] is String)
    }
}
