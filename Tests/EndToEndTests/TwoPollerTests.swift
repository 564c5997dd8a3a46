import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// Two `run` processes on one S3 prefix for minutes while the simulator publishes steadily and
/// edits about a fifth of its events; one of them is killed (SIGKILL) mid-cycle and restarted
/// with its journal left over, while the other stores newer versions of what that journal
/// holds. Afterwards: no version stored twice, no id's stored versions out of the order the
/// API served them, nothing stray in the bucket, and `replay --json` is the newest served
/// version of every id.
@Suite(.serialized) struct TwoPollerTests {
    /// Events published per API request: about 3 × 60 requests over the run.
    static let step = 3
    /// Each phase of steady polling with edits.
    static let phaseSeconds: Double = 30

    @Test func twoPollersWithEditsAndARestartStoreEachVersionOnceAndNeverRollBack() throws {
        let sim = try APISimulator(["--step", "\(TwoPollerTests.step)", "--recent"])
        let s3 = try S3Server()
        let a = try BucketPoller(sim: sim, s3: s3)
        // The other one's store writes are slow, so its cycles overlap the first one's (the
        // conditional metadata write decides) and a kill lands mid-cycle.
        let b = try BucketPoller(sim: sim, s3: s3, extraEnv: ["POLISEN_DASH_FAULT_WRITE_DELAY_MS": "800"])
        defer {
            a.stop(signal: SIGKILL)
            b.stop(signal: SIGKILL)
        }
        try a.waitForOK(1, "a first good cycle of the first poller")
        try b.waitForOK(1, "a first good cycle of the second poller")

        var editor = Editor(sim: sim)
        try editor.run(for: TwoPollerTests.phaseSeconds, pollers: [a, b])

        // Killed while its journal holds a fetched response (between fetch and commit).
        let leftover = try b.killWhileJournalHolds()
        // Newer versions of what that journal holds, stored by the other poller meanwhile.
        let window = try editor.windowIDs()
        let rewritten = Array(leftover.filter { window.contains($0) }.prefix(10))
        #expect(rewritten.count == 10, "only \(rewritten.count) of the leftover journal's ids are still served")
        for id in rewritten { try editor.edit(id) }
        let okBefore = a.okCycles()
        try a.waitForOK(okBefore + 2, "two good cycles of the first poller after the edits")
        try b.start()
        // Its leftover (observed before those edits) is older than the archive's versions: not stored.
        try b.waitFor({ $0.contains("not stored: the archive holds a version observed later") }, "the restarted poller's supersede notice")
        try b.waitForOK(1, "a good cycle of the restarted poller")

        try editor.run(for: TwoPollerTests.phaseSeconds, pollers: [a, b])

        // Nothing new is served from now on; two good cycles each commit every journal.
        try sim.post("/_control/config", ["step": 0])
        let settled = [a.okCycles(), b.okCycles()]
        try a.waitForOK(settled[0] + 2, "two good cycles of the first poller after the freeze")
        try b.waitForOK(settled[1] + 2, "two good cycles of the second poller after the freeze")
        #expect(a.stop(signal: SIGTERM), "the first poller did not stop on SIGTERM")
        #expect(b.stop(signal: SIGTERM), "the second poller did not stop on SIGTERM")

        let served = try sim.served()
        let stored = try s3.lines(prefix: "polisen/events/")
        // Reading order: date, then cycle (the keys sort so).
        var versions: [Int: [String]] = [:]
        for key in stored.keys.sorted() {
            for line in stored[key]! { versions[parseJSON(line)!["id"] as! Int, default: []].append(line) }
        }
        let twice = versions.filter { Set($0.value).count < $0.value.count }.map(\.key).sorted()
        #expect(twice.isEmpty, "\(twice.count) ids with a version stored twice: \(twice.prefix(10)) \(placesOf(twice.first, stored))")
        // Stored versions follow the order they were served in (none rolls back), and the newest is the newest served.
        let outOfOrder = versions.filter { id, lines in !isInServedOrder(lines, served[id] ?? []) }.map(\.key).sorted()
        #expect(outOfOrder.isEmpty, "\(outOfOrder.count) ids stored out of the served order: \(outOfOrder.prefix(10))")
        let missing = Set(served.keys).subtracting(versions.keys).sorted()
        #expect(missing.isEmpty, "\(missing.count) of \(served.count) served ids not stored: \(missing.prefix(10))")
        #expect(Set(versions.keys).isSubset(of: Set(served.keys)))

        let replay = try polisenDash(["replay", "--json"] + s3.storeArgs(), env: s3.env)
        #expect(replay.status == 0, "\(replay.stderr)")
        var newest: [Int: String] = [:]
        for line in replay.stdout.split(separator: "\n").map(String.init) {
            let id = try #require(parseJSON(line)?["id"] as? Int)
            #expect(newest.updateValue(line, forKey: id) == nil, "replay shows \(id) twice")
        }
        let stale = served.filter { id, lines in newest[id] != lines.last }.map(\.key).sorted()
        #expect(stale.isEmpty, "\(stale.count) of \(served.count) ids not at their newest served version: \(stale.prefix(10))")

        // Only metadata and committed parts: each part of a cycle whose report is kept is one it lists.
        let keys = try s3.keys(prefix: "polisen/")
        let strange = keys.filter { $0 != "polisen/metadata.json" && !isPartKey($0) }
        #expect(strange.isEmpty, "unexpected objects: \(strange)")
        let meta = try #require(parseJSON(try s3.get(key: "polisen/metadata.json")))
        var dates: [Int: Set<String>] = [:]
        for r in meta["reports"] as? [[String: Any]] ?? [] {
            if let c = r["cycle"] as? Int { dates[c] = Set(r["partition_dates"] as? [String] ?? []) }
        }
        let stray = keys.filter { key in
            guard let (date, cycle) = partOf(key), let listed = dates[cycle] else { return false }
            return !listed.contains(date)
        }
        #expect(stray.isEmpty, "parts their cycle's report does not list: \(stray)")

        // The run was what it claims: steady publishing, a fifth of the events edited, both polling.
        let editedShare = Double(editor.edited.count) / Double(served.count)
        #expect(served.count >= 600, "served only \(served.count) events")
        #expect(editedShare >= 0.15, "edited \(editor.edited.count) of \(served.count) events")
        #expect(a.okCycles() >= 5 && b.okCycles() >= 3, "good cycles: \(a.okCycles()), \(b.okCycles())")
        let logs = a.allText + b.allText
        try? a.allText.write(toFile: a.state + "/run.log", atomically: true, encoding: .utf8)
        try? b.allText.write(toFile: b.state + "/run.log", atomically: true, encoding: .utf8)
        print("logs: \(a.state)/run.log \(b.state)/run.log")
        print(
            "two pollers: \(served.count) ids served, \(served.values.map(\.count).reduce(0, +)) versions, \(editor.edited.count) ids edited (\(editor.edited.values.reduce(0, +)) edits), \(stored.values.map(\.count).reduce(0, +)) lines stored in \(stored.count) parts; good cycles \(a.okCycles()) + \(b.okCycles()) (after the restart); conflicts redone \(logs.components(separatedBy: "redoing process and save").count - 1); leftover ids \(leftover.count)"
        )
    }

    /// One state folder holds one poller's journal and call ledger: a second `run` (or `poll
    /// --once`) on the same bucket from the same state folder is refused with exit status 75,
    /// and the first keeps polling.
    @Test func aSecondPollerFromTheSameStateFolderIsRefusedAndTheFirstKeepsPolling() throws {
        let sim = try APISimulator()
        let s3 = try S3Server()
        let first = try BucketPoller(sim: sim, s3: s3)
        defer { first.stop(signal: SIGKILL) }
        try first.waitForOK(1, "a first good cycle")
        for command in [first.args, ["poll", "--once", "--api-url", sim.apiURL, "--min-spacing", "0"] + s3.storeArgs()] {
            let second = try runTool(binaryPath, command, env: first.env, within: 60)
            #expect(second.status == 75, "\(command[0]): exit \(second.status): \(second.stderr)")
            #expect(second.stderr.contains("is already polling s3://archive/polisen from this state folder"), "\(second.stderr)")
            #expect(second.stderr.contains("XDG_STATE_HOME"), "\(second.stderr)")
        }
        // The first poller holds on: its next cycles are good, and it stops cleanly.
        try first.waitForOK(first.okCycles() + 2, "two more good cycles of the first poller")
        try first.checkRunning()
        #expect(first.stop(signal: SIGTERM))
        // Once it has ended, the same state folder serves a poller again.
        let after = try runTool(binaryPath, ["poll", "--once", "--api-url", sim.apiURL, "--min-spacing", "0"] + s3.storeArgs(), env: first.env, within: 90)
        #expect(after.status == 0, "\(after.stderr)")
    }

    /// A part of one cycle or a compacted one (`part-<first>-<last>.jsonl`) of a day.
    private func isPartKey(_ key: String) -> Bool {
        let p = key.split(separator: "/")
        guard p.count == 6, p[0] == "polisen", p[1] == "events", p[5].hasPrefix("part-"), p[5].hasSuffix(".jsonl") else { return false }
        let cycles = p[5].dropFirst(5).dropLast(6).split(separator: "-", omittingEmptySubsequences: false)
        return (1...2).contains(cycles.count) && cycles.allSatisfy { Int($0) != nil }
    }

    /// One cycle's part `polisen/events/YYYY/MM/DD/part-<cycle>.jsonl` → ("YYYY-MM-DD", cycle).
    private func partOf(_ key: String) -> (String, Int)? {
        let p = key.split(separator: "/")
        guard isPartKey(key), let cycle = Int(p[5].dropFirst(5).dropLast(6)) else { return nil }
        return ("\(p[2])-\(p[3])-\(p[4])", cycle)
    }

    /// Stored versions in reading order must appear in the served order (a subsequence).
    private func isInServedOrder(_ stored: [String], _ served: [String]) -> Bool {
        var next = served.startIndex
        for line in stored {
            guard let at = served[next...].firstIndex(of: line) else { return false }
            next = at + 1
        }
        return true
    }

    private func placesOf(_ id: Int?, _ stored: [String: [String]]) -> String {
        guard let id else { return "" }
        let keys = stored.filter { $0.value.contains { parseJSON($0)?["id"] as? Int == id } }.keys.sorted()
        return "(\(id) is in \(keys))"
    }
}

/// Edits the simulator's events at about a fifth of those served: one edit whenever the share
/// falls below it, each a new summary (some ids are edited again).
private struct Editor {
    let sim: APISimulator
    var edited: [Int: Int] = [:]
    var random = SplitMix(seed: 12)

    init(sim: APISimulator) { self.sim = sim }

    func windowIDs() throws -> [Int] {
        let events = try JSONSerialization.jsonObject(with: sim.get("/_window")) as! [[String: Any]]
        return events.compactMap { $0["id"] as? Int }
    }

    mutating func edit(_ id: Int) throws {
        let n = edited[id, default: 0] + 1
        try sim.post("/_control/edit", ["id": id, "fields": ["summary": "Ändrad i efterhand (\(n)) – \(id)."]])
        edited[id] = n
    }

    /// Edits for `seconds` while the pollers run; throws when one of them has ended.
    mutating func run(for seconds: Double, pollers: [BucketPoller]) throws {
        let end = Date().addingTimeInterval(seconds)
        while Date() < end {
            for p in pollers { try p.checkRunning() }
            let served = try sim.served().count
            let window = try windowIDs()
            let wanted = Int(0.22 * Double(served)) - edited.count
            if wanted > 0 {
                // Mostly among the newest (edits come early), sometimes an older one; not yet
                // edited. Up to four at a time, so a loaded machine keeps the share.
                for _ in 0..<min(wanted, 4) {
                    let fresh = window.filter { edited[$0] == nil }
                    let near = Array(fresh.prefix(40))
                    let from = random.next() % 3 == 0 || near.isEmpty ? fresh : near
                    if !from.isEmpty { try edit(from[Int(random.next() % UInt64(from.count))]) }
                }
            } else if random.next() % 4 == 0 {
                // An event edited again.
                let again = window.filter { edited[$0] != nil }
                if !again.isEmpty { try edit(again[Int(random.next() % UInt64(again.count))]) }
                usleep(200_000)
            } else {
                usleep(200_000)
            }
        }
    }
}

private struct SplitMix {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// One `polisen-dash run` on the shared bucket with a state folder (XDG_STATE_HOME) of its own,
/// which survives a restart.
final class BucketPoller: @unchecked Sendable {
    let state = temporaryDirectory()
    let args: [String]
    let env: [String: String]
    private var process: Process?
    private var log: PipeReader?
    /// What earlier lives logged (before a kill).
    private var earlier = ""

    init(sim: APISimulator, s3: S3Server, extraEnv: [String: String] = [:]) throws {
        args = [
            "run", "--api-url", sim.apiURL, "--interval", "2", "--min-spacing", "0", "--max-per-hour", "100000",
            "--max-per-day", "100000",
        ] + s3.storeArgs()
        env = ProcessInfo.processInfo.environment.merging(s3.env) { $1 }.merging(["XDG_STATE_HOME": state]) { $1 }
            .merging(extraEnv) { $1 }
        try start()
    }

    var journalPath: String { "\(state)/polisen-dash/journal-archive-polisen.jsonl" }

    func start() throws {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: binaryPath)
        p.arguments = args
        p.environment = env
        let err = Pipe()
        p.standardError = err
        p.standardOutput = FileHandle.nullDevice
        try p.run()
        earlier += log?.text ?? ""
        process = p
        log = PipeReader(err.fileHandleForReading)
    }

    /// This life's log, as far as it has arrived.
    var text: String {
        guard let log else { return "" }
        while log.readSome(timeout: 0) {}
        return log.text
    }

    /// Every life's log.
    var allText: String { earlier + text }

    /// Good cycles of this life.
    func okCycles() -> Int { text.split(separator: "\n").filter { $0.contains(" ok · ") }.count }

    func checkRunning() throws {
        guard let process, process.isRunning else {
            throw ReadTimedOut(what: "running poller (it ended)", seconds: 0, got: earlier + text)
        }
    }

    func waitFor(_ done: (String) -> Bool, _ what: String, within seconds: Double = 120) throws {
        try log!.read(until: done, within: seconds, what: what)
    }

    func waitForOK(_ count: Int, _ what: String) throws {
        try waitFor({ $0.split(separator: "\n").filter { $0.contains(" ok · ") }.count >= count }, what)
    }

    /// SIGKILL at a moment the journal holds a fetched response; returns the ids it holds.
    /// A kill that lands just after a commit (journal cleared) is retried after a restart.
    func killWhileJournalHolds() throws -> [Int] {
        let deadline = Date().addingTimeInterval(120)
        while Date() < deadline {
            if let ids = journalIDs(), !ids.isEmpty {
                kill(process!.processIdentifier, SIGKILL)
                process!.waitUntilExit()
                if let left = journalIDs(), !left.isEmpty { return left }
                try start()
                try waitForOK(1, "a good cycle after a kill that missed")
            }
            usleep(20_000)
        }
        throw ReadTimedOut(what: "a kill while the journal holds events", seconds: 120, got: earlier + text)
    }

    /// The ids in the journal file (lines `<observed-at> <event>` after the header).
    private func journalIDs() -> [Int]? {
        guard let text = try? String(contentsOfFile: journalPath, encoding: .utf8) else { return nil }
        return text.split(separator: "\n").dropFirst().compactMap { line in
            line.firstIndex(of: " ").flatMap { parseJSON(String(line[line.index(after: $0)...]))?["id"] as? Int }
        }
    }

    /// Stops this life; true when it ended within 30 s of the signal.
    @discardableResult
    func stop(signal: Int32) -> Bool {
        guard let process, process.isRunning else { return true }
        kill(process.processIdentifier, signal)
        return waitForExit(process, within: 30)
    }
}
