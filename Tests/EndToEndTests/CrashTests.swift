import Engine
import EngineTesting
import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// Proof that nothing is lost and nothing stored twice: the poller is killed with SIGKILL at
/// random moments of its cycles (writes slowed to widen the windows), restarted each time,
/// and the store then checked against every version the simulator served.
@Suite(.serialized) struct CrashTests {
    static let rounds = 50

    /// Runs `run` and kills it with SIGKILL after a random delay of `from` up to `from + spread`
    /// microseconds.
    func crashOnce(
        _ args: [String], env: [String: String], rng: inout SplitMix64, from: UInt64 = 30_000, spread: UInt64 = 600_000
    ) throws {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: binaryPath)
        p.arguments = args
        p.environment = ProcessInfo.processInfo.environment.merging(env) { $1 }
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        try p.run()
        usleep(UInt32(from + rng.next() % spread))
        kill(p.processIdentifier, SIGKILL)
        p.waitUntilExit()
    }

    func crashLoop(sim: APISimulator, storeArgs: [String], env: [String: String], seed: UInt64) throws {
        var rng = SplitMix64(seed: seed)
        // The ledger survives every kill (it is written before each call), so the simulator's
        // budget must be large enough for 50 restarts' worth of calls.
        let storeArgs = storeArgs + ["--max-per-hour", "100000", "--max-per-day", "100000"]
        let slow = env.merging(["POLISEN_DASH_FAULT_WRITE_DELAY_MS": "40"]) { $1 }
        // The simulator's window drops its oldest events after each request; the oldest of the
        // first window are in no later response, so a response lost before it could be kept
        // (killed mid-transfer) would lose them for good. The real window keeps an event for
        // days; start from one clean cycle, as a first start would.
        let first = try polisenDash(["poll", "--once", "--api-url", sim.apiURL, "--min-spacing", "0"] + storeArgs, env: env)
        #expect(first.status == 0)
        for round in 0..<Self.rounds {
            if round % 10 == 7 {
                // An edit now and then, so versions change between crashes too.
                let window = try JSONSerialization.jsonObject(with: sim.get("/_window")) as! [[String: Any]]
                let id = window[Int(rng.next() % 400)]["id"]!
                try sim.post("/_control/edit", ["id": id, "fields": ["summary": "Uppdaterad \(round)."]])
            }
            try crashOnce(["run", "--api-url", sim.apiURL, "--interval", "0.25", "--min-spacing", "0"] + storeArgs, env: slow, rng: &rng)
        }
        // One clean cycle at the end, as the next start would make.
        let last = try polisenDash(["poll", "--once", "--api-url", sim.apiURL, "--min-spacing", "0", "--json"] + storeArgs, env: env)
        #expect(last.status == 0, "\(last.stdout) \(last.stderr)")
    }

    /// Every id served is stored; its newest stored version is its newest served; no version
    /// is stored twice (the edits here only move forward). `stored`: each line with its file.
    func verify(stored: [(file: String, line: String)], served: [Int: [String]]) {
        var files: [String: [String]] = [:]
        for (file, line) in stored { files[line, default: []].append(file) }
        let twice = files.filter { $0.value.count > 1 }
        let places = twice.map { "\(parseJSON($0.key)?["id"] as? Int ?? -1) in \($0.value.joined(separator: ", "))" }.sorted()
        #expect(twice.isEmpty, "\(twice.count) versions stored twice: \(places.prefix(10))")
        let lines = stored.map(\.line)
        var newest: [Int: String] = [:]
        for line in lines { newest[parseJSON(line)!["id"] as! Int] = line }
        let missing = Set(served.keys).subtracting(newest.keys)
        let extra = Set(newest.keys).subtracting(served.keys)
        #expect(
            missing.isEmpty && extra.isEmpty,
            "missing \(missing.sorted().prefix(20)) (\(missing.count)), extra \(extra.sorted().prefix(20))")
        let stale = served.filter { newest[$0.key] != $0.value.last }
        #expect(stale.isEmpty, "\(stale.count) ids not at their newest version")
    }

    @Test func killNineAtRandomMomentsOnALocalStore() throws {
        let sim = try APISimulator()
        let store = temporaryDirectory()
        try crashLoop(sim: sim, storeArgs: ["--store", store], env: [:], seed: 20_261_129)
        // Lines in reading order: date, then cycle.
        verify(stored: try storedLines(store), served: try sim.served())
        #expect(!allFiles(store).contains { $0.contains(".tmp-") })
        let status = try polisenDash(["status", "--store", store])
        #expect(status.status == 0 && !status.stdout.contains("UNREADABLE"))
    }

    @Test func killNineAtRandomMomentsOnAnS3Store() throws {
        let sim = try APISimulator()
        let s3 = try S3Server()
        let state = temporaryDirectory()
        let env = s3.env.merging(["XDG_STATE_HOME": state]) { $1 }
        try crashLoop(sim: sim, storeArgs: s3.storeArgs(), env: env, seed: 4242)
        let objects = try s3.lines(prefix: "polisen/events/")
        verify(stored: objects.keys.sorted().flatMap { key in objects[key]!.map { (key, $0) } }, served: try sim.served())
        let status = try polisenDash(["status"] + s3.storeArgs(), env: env)
        #expect(status.status == 0 && !status.stdout.contains("UNREADABLE"))
    }
}

/// The journal survives kill -9 at any moment of a store outage: `run` is killed at random
/// moments before, during and after a time the S3 store refuses connections (through the
/// tests' fault proxy), restarted each time (also while the store is down: it polls the API
/// regardless); once the store is back, every version the simulator served is stored exactly
/// once and at its newest, and no temp file is left.
@Suite(.serialized) struct OutageCrashTests {
    @Test func killNineAtRandomMomentsOfAnS3OutageLosesNothingAndStoresNothingTwice() throws {
        let sim = try APISimulator()
        let s3 = try S3Server()
        let proxy = try FaultProxy(targetPort: s3.port)
        let state = temporaryDirectory()
        let env = s3.env.merging(["XDG_STATE_HOME": state]) { $1 }
        let slow = env.merging(["POLISEN_DASH_FAULT_WRITE_DELAY_MS": "40"]) { $1 }
        let storeArgs = [
            "--store", "s3://\(s3.bucket)/polisen", "--s3-endpoint", proxy.endpoint, "--store-timeout", "1",
            "--max-per-hour", "100000", "--max-per-day", "100000",
        ]
        let run = ["run", "--api-url", sim.apiURL, "--interval", "0.25", "--min-spacing", "0"] + storeArgs
        func answered() throws -> Int { try sim.log().filter { $0["status"] as? Int == 200 }.count }
        func journalLines() -> Int {
            allFiles(state).filter { $0.hasSuffix(".jsonl") && $0.contains("journal") }.reduce(0) { n, f in
                n + ((try? String(contentsOfFile: "\(state)/\(f)", encoding: .utf8)) ?? "").split(separator: "\n").count
            }
        }
        var rng = SplitMix64(seed: 1_212)
        func edit(_ round: Int) throws {
            let window = try JSONSerialization.jsonObject(with: sim.get("/_window")) as! [[String: Any]]
            let id = window[Int(rng.next() % 400)]["id"]!
            try sim.post("/_control/edit", ["id": id, "fields": ["summary": "Uppdaterad under avbrottet \(round)."]])
        }

        let first = try polisenDash(["poll", "--once", "--api-url", sim.apiURL, "--min-spacing", "0"] + storeArgs, env: env)
        #expect(first.status == 0, "\(first.stderr)")
        for _ in 0..<4 { try crashOnce(run, env: slow, rng: &rng) }

        // The outage: a start cannot open the store (each store operation gives up after about
        // 1 s of retries), so these processes live long enough to fetch; some are killed while
        // fetching, keeping the journal or storing nothing.
        try proxy.set(.refuse)
        let beforeOutage = try answered()
        for round in 0..<12 {
            if round % 4 == 1 { try edit(round) }
            try CrashTests().crashOnce(run, env: slow, rng: &rng, from: 1_500_000, spread: 3_000_000)
        }
        let duringOutage = try answered() - beforeOutage
        #expect(duringOutage >= 4, "the API was answered only \(duringOutage) times during the outage")
        #expect(journalLines() > 1, "no fetched event waits in the journal at the end of the outage")

        try proxy.set(.pass)
        for _ in 0..<6 { try crashOnce(run, env: slow, rng: &rng) }
        let last = try polisenDash(["poll", "--once", "--api-url", sim.apiURL, "--min-spacing", "0", "--json"] + storeArgs, env: env)
        #expect(last.status == 0, "\(last.stdout) \(last.stderr)")

        // Read straight from the S3 server, not through the proxy.
        let objects = try s3.lines(prefix: "polisen/events/")
        CrashTests().verify(stored: objects.keys.sorted().flatMap { key in objects[key]!.map { (key, $0) } }, served: try sim.served())
        let leftovers = allFiles(state).filter { $0.contains(".tmp-") }
        #expect(leftovers.isEmpty, "temp files left: \(leftovers)")
        #expect(journalLines() == 0, "fetched events still wait in the journal")
    }

    func crashOnce(_ args: [String], env: [String: String], rng: inout SplitMix64) throws {
        try CrashTests().crashOnce(args, env: env, rng: &rng)
    }
}

@Suite(.serialized) struct DiskFullTests {
    @Test func aFullDiskFailsClearlyDamagesNothingAndTheNextCycleStoresWhatWasMissed() throws {
        let sim = try APISimulator()
        let store = temporaryDirectory()
        let args = ["poll", "--once", "--api-url", sim.apiURL, "--store", store, "--min-spacing", "0", "--json"]
        #expect(try polisenDash(args).status == 0)
        let before = try snapshot(store)
        try sim.post("/_control/advance", ["events": 80])
        // RLIMIT_FSIZE of 16 KB: the new part and the metadata no longer fit.
        let limited = try runTool("/bin/sh", ["-c", "ulimit -f 16; exec \"$0\" \"$@\"", binaryPath] + args)
        #expect(limited.status == 1)
        let error = (parseJSON(limited.stdout)?["error"] as? String) ?? ""
        #expect(error.contains("no space left") || error.contains("File too large"), "\(limited.stdout)")
        // Nothing already stored was touched, and no half-written file sits under a final name.
        let after = try snapshot(store)
        for (path, bytes) in before { #expect(after[path] == bytes, "\(path) changed") }
        #expect(!after.keys.contains { $0.contains(".tmp-") })
        // Space is back: the next cycle stores everything that was missed.
        let healed = try polisenDash(args)
        #expect(healed.status == 0)
        let served = try sim.served()
        let lines = try storedLines(store).map(\.line)
        #expect(Set(lines) == Set(served.values.flatMap { $0 }))
        #expect(lines.count == Set(lines).count)
    }

    func snapshot(_ root: String) throws -> [String: Data] {
        var out: [String: Data] = [:]
        for f in allFiles(root) where !f.hasSuffix("api-state.json") && !f.hasSuffix("metadata.json") && f != ".lock" {
            var isDir: ObjCBool = false
            if FileManager.default.fileExists(atPath: "\(root)/\(f)", isDirectory: &isDir), !isDir.boolValue {
                out[f] = try Data(contentsOf: URL(fileURLWithPath: "\(root)/\(f)"))
            }
        }
        return out
    }
}

@Suite(.serialized) struct FaultSequenceTests {
    /// Timeouts, resets, broken gzip, HTML with 200, 503 with Retry-After, 429, a huge body,
    /// an empty array and a 404 in a row: the request log shows the spacing kept, Retry-After
    /// honoured, and no call after the 404.
    @Test func everyRuleHoldsThroughASequenceOfFaults() throws {
        let sim = try APISimulator()
        let store = temporaryDirectory()
        try sim.faults([
            ["kind": "delay", "seconds": 3], ["kind": "reset"], ["kind": "gzip_truncate"], ["kind": "html"],
            ["status": 503, "retry_after": "2"], ["status": 429], ["kind": "huge", "bytes": 12_000_000],
            ["kind": "empty_array"], ["status": 404],
        ])
        let p = Process()
        p.executableURL = URL(fileURLWithPath: binaryPath)
        p.arguments = [
            "run", "--api-url", sim.apiURL, "--store", store, "--interval", "1", "--min-spacing", "1",
            "--timeout", "1", "--max-attempts", "3",
        ]
        p.standardError = FileHandle.nullDevice
        try p.run()
        // Until the 404 has been answered, then long enough to see that no call follows it.
        let deadline = Date().addingTimeInterval(60)
        while !(try sim.log().contains { $0["status"] as? Int == 404 }) && Date() < deadline { usleep(200_000) }
        usleep(3_000_000)
        kill(p.processIdentifier, SIGTERM)
        p.waitUntilExit()
        #expect(p.terminationStatus == 0)
        let log = try sim.log()
        let times = log.map { $0["t"] as! Double }
        for i in 1..<times.count { #expect(times[i] - times[i - 1] >= 0.95, "calls \(i - 1) and \(i) too close") }
        let stopAt = try #require(log.firstIndex { $0["status"] as? Int == 404 })
        #expect(stopAt == log.count - 1, "a call after the 404")
        // The 503 asked for 2 s.
        let i = try #require(log.firstIndex(where: { $0["status"] as? Int == 503 }), "the 503 was never served")
        try #require(i + 1 < times.count, "no call after the 503")
        #expect(times[i + 1] - times[i] >= 1.95)
        #expect(log.count <= 60)
        let status = try polisenDash(["status", "--store", store])
        #expect(status.stdout.contains("STOPPED"))
    }
}

/// A real small filesystem: tmpfs, mounted by the test (needs root, as CI has).
final class TmpfsMount: @unchecked Sendable {
    let path = temporaryDirectory()
    init(kilobytes: Int) throws {
        let r = try runTool("/bin/mount", ["-t", "tmpfs", "-o", "size=\(kilobytes)k", "tmpfs", path])
        guard r.status == 0 else { throw TmpfsError(message: r.stderr) }
    }
    func remount(readOnly: Bool) throws {
        let r = try runTool("/bin/mount", ["-o", "remount,\(readOnly ? "ro" : "rw")", path])
        guard r.status == 0 else { throw TmpfsError(message: r.stderr) }
    }
    deinit { _ = try? runTool("/bin/umount", ["-l", path]) }
    struct TmpfsError: Error { var message: String }

    static let available: Bool = {
        guard let probe = try? TmpfsMount(kilobytes: 64) else { return false }
        _ = probe
        return true
    }()
}

@Suite(.serialized, .enabled(if: TmpfsMount.available, "mounting a tmpfs needs root")) struct FilesystemFaultTests {
    func poll(_ sim: APISimulator, _ store: String) throws -> RunResult {
        try polisenDash(["poll", "--once", "--api-url", sim.apiURL, "--store", store, "--min-spacing", "0", "--json"])
    }

    @Test func aReadOnlyStoreFailsClearlyAndTheNextWritableCycleStoresWhatWasMissed() throws {
        let sim = try APISimulator()
        let fs = try TmpfsMount(kilobytes: 8192)
        let store = fs.path + "/store"
        #expect(try poll(sim, store).status == 0)
        let before = try storedLines(store).map(\.line)
        try sim.post("/_control/advance", ["events": 40])
        try fs.remount(readOnly: true)
        let failed = try poll(sim, store)
        #expect(failed.status == 1)
        #expect(reportError(failed).contains("Read-only file system"), "\(failed.stdout) \(failed.stderr)")
        try fs.remount(readOnly: false)
        #expect(try storedLines(store).map(\.line) == before)
        #expect(try poll(sim, store).status == 0)
        let lines = try storedLines(store).map(\.line)
        #expect(Set(lines) == Set(try sim.served().values.flatMap { $0 }))
        #expect(lines.count == Set(lines).count)
    }

    @Test func aFullFilesystemFailsClearlyAndTheNextCycleAfterSpaceReturnsStoresEverything() throws {
        let sim = try APISimulator()
        let fs = try TmpfsMount(kilobytes: 512)
        let store = fs.path + "/store"
        #expect(try poll(sim, store).status == 0)
        // Fill the filesystem, leaving no room for the next cycle's writes.
        let filler = fs.path + "/filler"
        _ = try runTool("/bin/sh", ["-c", "dd if=/dev/zero of=\(filler) bs=4k 2>/dev/null; true"])
        try sim.post("/_control/advance", ["events": 40])
        let failed = try poll(sim, store)
        #expect(failed.status == 1)
        #expect(reportError(failed).contains("no space left"), "\(failed.stdout)")
        try FileManager.default.removeItem(atPath: filler)
        #expect(try poll(sim, store).status == 0)
        let lines = try storedLines(store).map(\.line)
        #expect(Set(lines) == Set(try sim.served().values.flatMap { $0 }))
        #expect(lines.count == Set(lines).count)
    }
}
