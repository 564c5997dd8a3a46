import Foundation
import Testing

/// The archive in S3-compatible object storage: the real binary against a real moto server
/// with signature checking on, cross-checked with boto3.
@Suite(.serialized) struct S3Tests {
    func poll(
        _ sim: APISimulator, _ s3: S3Server, state: String, prefix: String = "polisen", extraEnv: [String: String] = [:]
    ) throws -> RunResult {
        try polisenDash(
            ["poll", "--once", "--api-url", sim.apiURL, "--min-spacing", "0", "--json"] + s3.storeArgs(prefix),
            env: s3.env.merging(["XDG_STATE_HOME": state]) { $1 }.merging(extraEnv) { $1 })
    }

    @Test func whatIsStoredIsExactlyWhatTheAPIServed() throws {
        let sim = try APISimulator()
        let s3 = try S3Server()
        let state = temporaryDirectory()
        for round in 0..<3 {
            if round == 1 {
                let window = try JSONSerialization.jsonObject(with: sim.get("/_window")) as! [[String: Any]]
                try sim.post("/_control/edit", ["id": window[3]["id"]!, "fields": ["summary": "Ändrad i efterhand."]])
            }
            let r = try poll(sim, s3, state: state)
            #expect(r.status == 0, "\(r.stdout) \(r.stderr)")
        }
        let stored = try s3.lines(prefix: "polisen/events/")
        #expect(stored.keys.allSatisfy { $0.hasPrefix("polisen/events/") && $0.contains("/part-0000000") })
        var byID: [Int: [String]] = [:]
        for key in stored.keys.sorted() {
            for line in stored[key]! { byID[parseJSON(line)!["id"] as! Int, default: []].append(line) }
        }
        let served = try sim.served()
        #expect(Set(byID.keys) == Set(served.keys))
        for (id, versions) in served { #expect(byID[id] == versions, "id \(id)") }
        let status = try polisenDash(["status"] + s3.storeArgs(), env: s3.env.merging(["XDG_STATE_HOME": state]) { $1 })
        #expect(status.stdout.contains("last cycle:   3"))
        // Replay reads the bucket: each event once, at the newest version served.
        let replay = try polisenDash(["replay", "--json"] + s3.storeArgs(), env: s3.env)
        #expect(replay.status == 0, "\(replay.stderr)")
        #expect(Set(replay.stdout.split(separator: "\n").map(String.init)) == Set(served.values.map { $0.last! }))
    }

    @Test func aWrongSecretIsAClearErrorThatNeverShowsTheSecret() throws {
        let sim = try APISimulator()
        let s3 = try S3Server()
        let secret = "wrong-secret-\(UUID().uuidString)"
        let r = try poll(sim, s3, state: temporaryDirectory(), extraEnv: ["AWS_SECRET_ACCESS_KEY": secret])
        #expect(r.status != 0)
        #expect((r.stdout + r.stderr).contains("SignatureDoesNotMatch"))
        #expect(!(r.stdout + r.stderr).contains(secret))
        #expect(try s3.lines(prefix: "polisen/").isEmpty)
    }

    @Test func aCredentialsFileOthersCanReadIsRefused() throws {
        let s3 = try S3Server()
        let dir = temporaryDirectory()
        let file = "\(dir)/credentials"
        try "[default]\naws_access_key_id = \(s3.accessKey)\naws_secret_access_key = \(s3.secretKey)\n".write(
            toFile: file, atomically: true, encoding: .utf8)
        chmod(file, 0o644)
        let env = ["AWS_ACCESS_KEY_ID": "", "AWS_SHARED_CREDENTIALS_FILE": file, "XDG_STATE_HOME": dir]
        let refused = try polisenDash(["status"] + s3.storeArgs(), env: env)
        #expect(refused.status != 0)
        #expect(refused.stderr.contains("can be read by others"))
        chmod(file, 0o600)
        let ok = try polisenDash(["status"] + s3.storeArgs(), env: env)
        #expect(ok.status == 0, "\(ok.stderr)")
    }

    @Test func twoPollersOnOneBucketLoseNothingAndStoreNothingTwice() throws {
        let sim = try APISimulator(["--step", "3"])
        let s3 = try S3Server()
        let states = [temporaryDirectory(), temporaryDirectory()]
        for _ in 0..<4 {
            // Both pollers at once, each with its own budget ledger.
            let group = DispatchGroup()
            let results = LockedResults()
            for state in states {
                group.enter()
                DispatchQueue.global().async {
                    results.append(try? self.poll(sim, s3, state: state))
                    group.leave()
                }
            }
            group.wait()
            #expect(
                results.all.allSatisfy { $0?.status == 0 },
                "\(results.all.map { r in r.map { "exit \($0.status): \($0.stdout) \($0.stderr)" } ?? "did not finish" })")
        }
        let stored = try s3.lines(prefix: "polisen/events/")
        var lines: [String] = []
        for key in stored.keys.sorted() { lines += stored[key]! }
        // Every served version is stored, and no version twice.
        let served = try sim.served()
        #expect(lines.count == Set(lines).count)
        #expect(Set(lines) == Set(served.values.flatMap { $0 }))
    }

    @Test func listingFollowsContinuationPastAThousandKeys() throws {
        let sim = try APISimulator()
        let s3 = try S3Server()
        // 1,100 parts and no metadata: the rebuild must list them all (two pages) to number the
        // next cycle past the highest one; 2020 is beyond the seen window, so it stays with the
        // archive rather than the seen state.
        try s3.fill(prefix: "polisen/events/2020/01/01/", count: 1100)
        let state = temporaryDirectory()
        #expect(try poll(sim, s3, state: state).status == 0)
        let status = try polisenDash(["status", "--json"] + s3.storeArgs(), env: s3.env.merging(["XDG_STATE_HOME": state]) { $1 })
        let json = try #require(parseJSON(status.stdout))
        #expect(json["last_cycle"] as? Int == 1101)
        #expect(json["seen"] as? Int == 500)
    }

    @Test func theOriginalCollectorsBucketIsContinuedWithoutStoringTwice() throws {
        let sim = try APISimulator()
        let s3 = try S3Server()
        // The Python collector's layout, holding the oldest 300 events of the current window.
        let windowFile = temporaryDirectory() + "/window.json"
        try sim.get("/_window").write(to: URL(fileURLWithPath: windowFile))
        try s3.legacy(prefix: "legacy/", windowFile: windowFile, count: 300)
        let r = try poll(sim, s3, state: temporaryDirectory(), prefix: "legacy")
        #expect(r.status == 0, "\(r.stderr)")
        let report = try #require(parseJSON(r.stdout))
        // The 300 it already had are known, despite their different escaping; 200 are new.
        #expect(report["new"] as? Int == 200)
        #expect(report["updated"] as? Int == 0)
        #expect(report["unchanged"] as? Int == 300)
        let stored = try s3.lines(prefix: "legacy/events/")
        #expect(stored.keys.filter { $0.contains("/part-") }.flatMap { stored[$0]! }.count == 200)
    }

    /// A part adopted at start (written by a cycle whose metadata never landed) is taken as
    /// observed when S3 says it was written (its Last-Modified): a version in the journal
    /// observed after that write is newer and stored; without the stamp it would be timed by
    /// the start itself and dropped as older.
    @Test func anAdoptedPartIsTimedByItsLastModified() throws {
        let sim = try APISimulator()
        let s3 = try S3Server()
        let state = temporaryDirectory()
        #expect(try poll(sim, s3, state: state).status == 0)
        func version(_ summary: String) -> String {
            #"{"id":990000001,"datetime":"2026-05-25 9:00:00 +02:00","name":"n","summary":"\#(summary)","url":"/u","type":"Brand","location":{"name":"Lund","gps":"55.7,13.1"}}"#
        }
        let (adopted, journaled) = (version("in the adopted part"), version("observed after it was written"))
        let file = temporaryDirectory() + "/part.jsonl"
        try (adopted + "\n").write(toFile: file, atomically: true, encoding: .utf8)
        try s3.put(key: "polisen/events/2026/05/25/part-00000002.jsonl", file: file)
        let written = Date().timeIntervalSince1970
        // The journal of this machine for the bucket, holding a version observed 4 s after the write.
        let dir = state + "/polisen-dash"
        let ledger = try #require(try FileManager.default.contentsOfDirectory(atPath: dir).first { $0.hasPrefix("api-state-") })
        let journal = dir + "/" + ledger.replacingOccurrences(of: "api-state-", with: "journal-").replacingOccurrences(of: ".json", with: ".jsonl")
        try (#"{"format":"polisen-dash/journal","version":1}"# + "\n\(written + 4) \(journaled)\n").write(
            toFile: journal, atomically: true, encoding: .utf8)
        // Started once that moment has passed (so the start's own time is later still).
        let deadline = Date().addingTimeInterval(60)
        while Date().timeIntervalSince1970 < written + 6 {
            try #require(Date() < deadline)
            usleep(100_000)
        }
        let r = try poll(sim, s3, state: state)
        #expect(r.status == 0, "\(r.stdout) \(r.stderr)")
        let stored = try s3.lines(prefix: "polisen/events/2026/05/25/")
        let versions = stored.keys.sorted().flatMap { stored[$0]! }.filter { $0.contains("990000001") }
        #expect(versions == [adopted, journaled], "\(stored)")
    }
}

final class LockedResults: @unchecked Sendable {
    private let lock = NSLock()
    private var items: [RunResult?] = []
    func append(_ r: RunResult?) {
        lock.lock()
        items.append(r)
        lock.unlock()
    }
    var all: [RunResult?] {
        lock.lock()
        defer { lock.unlock() }
        return items
    }
}
