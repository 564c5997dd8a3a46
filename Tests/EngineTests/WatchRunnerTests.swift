import Foundation
import Logging
import Synchronization
import Testing

@testable import Engine

/// The watch runner with real shell commands: what runs, with what input, and that nothing a
/// command does holds up the caller.
@Suite struct WatchRunnerTests {
    /// Stored lines of a real response, as the store holds them.
    static let stored: [StoredEvent] = Fixtures.objects(Fixtures.latest).prefix(120).map { object in
        let line = String(decoding: try! JSONSerialization.data(withJSONObject: object, options: [.withoutEscapingSlashes]), as: UTF8.self)
        return StoredEvent(id: object["id"] as! Int, line: line, isNew: true)
    }

    final class Published: Sendable {
        let failures = Mutex<[FailureEntry]>([])
        func add(_ e: EngineEvent) { if case .failure(let f) = e { failures.withLock { $0.append(f) } } }
        var all: [FailureEntry] { failures.withLock { $0 } }
    }

    func runner(_ rules: [WatchRule], _ limits: WatchRunner.Limits = .init(), _ published: Published) -> WatchRunner {
        WatchRunner(
            rules: rules, limits: limits, logger: Logger(label: "test") { _ in SwiftLogNoOpLogHandler() },
            now: { 0 }, publish: published.add)
    }

    func finished(_ stored: [StoredEvent], cycle: Int = 7) -> EngineEvent {
        .cycleFinished(CycleReport(cycle: cycle, trigger: .once, startedAt: 0), stored: stored)
    }

    func waitFor(_ what: String, within seconds: Double = 60, _ condition: () -> Bool) throws {
        let deadline = Date().addingTimeInterval(seconds)
        while !condition() {
            guard Date() < deadline else { throw Failure("timed out waiting for \(what)") }
            usleep(20_000)
        }
    }

    struct Failure: Error, CustomStringConvertible {
        var description: String
        init(_ d: String) { description = d }
    }

    func lines(_ path: String) -> [String] {
        ((try? String(contentsOfFile: path, encoding: .utf8)) ?? "").split(separator: "\n").map(String.init)
    }

    @Test func aCommandGetsEachMatchingStoredLineOnceWithItsName() async throws {
        let dir = temporaryDirectory()
        let rule = try WatchRule(
            name: "trafik", query: "type:trafik",
            command: "cat >> \(dir)/out.jsonl; echo \"$POLISEN_WATCH_NAME $POLISEN_WATCH_EVENT_ID $POLISEN_WATCH_CHANGE\" >> \(dir)/env.txt"
        )
        let quiet = try WatchRule(name: "no command", query: "brand", colorIndex: 1)
        let published = Published()
        let r = runner([rule, quiet], .init(), published)
        let edited = StoredEvent(id: Self.stored[0].id, line: Self.stored[0].line, isNew: false)
        r.consume(finished(Self.stored))
        r.consume(.notice("ignored"))
        await r.drain()
        let matching = Self.stored.filter { rule.matches($0.decoded()!) }
        #expect(matching.count > 5 && matching.count < Self.stored.count)
        #expect(Set(lines("\(dir)/out.jsonl")) == Set(matching.map(\.line)))
        #expect(lines("\(dir)/out.jsonl").count == matching.count)
        #expect(Set(lines("\(dir)/env.txt")) == Set(matching.map { "trafik \($0.id) new" }))
        // A new version of an event runs the command again if it matches, marked as an edit.
        let matchingEdit = rule.matches(edited.decoded()!)
        r.consume(finished([edited]))
        await r.drain()
        #expect(lines("\(dir)/env.txt").contains("trafik \(edited.id) edited") == matchingEdit)
        #expect(published.all.isEmpty)
    }

    @Test func consumeNeverWaitsForACommand() async throws {
        let dir = temporaryDirectory()
        // The command waits until the test has got control back from consume.
        let rule = try WatchRule(
            name: "waits", query: "", command: "touch \(dir)/started; while [ ! -f \(dir)/go ]; do sleep 0.02; done; touch \(dir)/done")
        let published = Published()
        let r = runner([rule], .init(), published)
        r.consume(finished([Self.stored[0]]))
        #expect(!FileManager.default.fileExists(atPath: "\(dir)/done"))
        try waitFor("the command to start") { FileManager.default.fileExists(atPath: "\(dir)/started") }
        _ = FileManager.default.createFile(atPath: "\(dir)/go", contents: nil)
        await r.drain()
        #expect(FileManager.default.fileExists(atPath: "\(dir)/done"))
    }

    @Test func aFailingCommandIsPublishedAsAWatchFailureWithItsErrorOutput() async throws {
        let rule = try WatchRule(name: "fails", query: "", command: "echo first >&2; echo 'no such webhook' >&2; exit 3")
        let published = Published()
        let r = runner([rule], .init(), published)
        r.consume(finished([Self.stored[0]], cycle: 12))
        await r.drain()
        let f = try #require(published.all.first)
        #expect(published.all.count == 1)
        #expect(f.stage == .watch && f.kind == .command && f.cycle == 12 && f.outcome == .gaveUp)
        #expect(f.error == "watch \"fails\", event \(Self.stored[0].id): command exited with status 3: no such webhook")
    }

    @Test func aHangingCommandIsKilledWithItsProcessGroupAtTheTimeLimit() async throws {
        let dir = temporaryDirectory()
        // A pipeline with a child in the background: the whole group must go.
        let rule = try WatchRule(name: "hangs", query: "", command: "sleep 60 & echo $! > \(dir)/child; wait")
        let published = Published()
        let r = runner([rule], .init(timeout: 1), published)
        r.consume(finished([Self.stored[0]]))
        await r.drain()
        let f = try #require(published.all.first)
        #expect(f.kind == .timeout && f.stage == .watch)
        #expect(f.error.contains("command killed at its time limit of 1 s"))
        let child = try #require(Int32(lines("\(dir)/child").first ?? ""))
        // Killed: gone, or a zombie waiting for init to reap it.
        try waitFor("the background child to be gone") {
            kill(child, 0) != 0 || ((try? String(contentsOfFile: "/proc/\(child)/stat", encoding: .utf8))?.contains(") Z ") ?? true)
        }
    }

    @Test func atMostTheConcurrencyLimitRunAtOnceAndTheQueueIsBounded() async throws {
        let dir = temporaryDirectory()
        try FileManager.default.createDirectory(atPath: "\(dir)/running", withIntermediateDirectories: true)
        // Each command notes how many run beside it, holds a little, then leaves.
        let rule = try WatchRule(
            name: "busy", query: "",
            command: """
                touch \(dir)/running/$POLISEN_WATCH_EVENT_ID; ls \(dir)/running | wc -l >> \(dir)/counts; \
                sleep 0.2; rm \(dir)/running/$POLISEN_WATCH_EVENT_ID; echo $POLISEN_WATCH_EVENT_ID >> \(dir)/ran
                """)
        let published = Published()
        let r = runner([rule], .init(concurrency: 3, queueLimit: 100), published)
        let twelve = Array(Self.stored.prefix(12))
        r.consume(finished(twelve))
        await r.drain()
        #expect(Set(lines("\(dir)/ran")) == Set(twelve.map { String($0.id) }))
        let counts = lines("\(dir)/counts").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }
        #expect(counts.count == 12)
        #expect(counts.allSatisfy { $0 >= 1 && $0 <= 3 }, "\(counts)")
        #expect(published.all.isEmpty)
    }

    @Test func pastTheQueueBoundCommandsAreDroppedAndSaySo() async throws {
        let dir = temporaryDirectory()
        let rule = try WatchRule(name: "slow", query: "", command: "while [ ! -f \(dir)/go ]; do sleep 0.02; done; cat >> \(dir)/out")
        let published = Published()
        let r = runner([rule], .init(concurrency: 1, queueLimit: 2), published)
        let five = Array(Self.stored.prefix(5))
        r.consume(finished(five))
        // One runs (held until "go"), two wait, two are dropped at once.
        #expect(published.all.count == 2)
        #expect(published.all.allSatisfy { $0.kind == .command && $0.error.contains("not run: 2 commands were already waiting") })
        _ = FileManager.default.createFile(atPath: "\(dir)/go", contents: nil)
        await r.drain()
        #expect(lines("\(dir)/out") == five.prefix(3).map(\.line))
    }

    @Test func theCommandInheritsNoDescriptorOfOurs() async throws {
        let dir = temporaryDirectory()
        let held = open("\(dir)/held", O_CREAT | O_WRONLY, 0o600)  // inheritable, like a lock file
        defer { close(held) }
        let rule = try WatchRule(name: "fds", query: "", command: "ls /proc/self/fd > \(dir)/fds")
        let r = runner([rule], .init(), Published())
        r.consume(finished([Self.stored[0]]))
        await r.drain()
        // 0, 1, 2 and the descriptor ls opens to list them: nothing else.
        let fds = lines("\(dir)/fds").compactMap(Int32.init)
        #expect(fds.contains(0) && fds.contains(2))
        #expect(!fds.contains(held), "\(fds)")
        #expect(fds.count <= 4, "\(fds)")
    }

    /// Another thread opening descriptors without FD_CLOEXEC at the moment of the spawn (as
    /// other tests starting processes do) passes none of them to the command.
    @Test func aDescriptorOpenedByAnotherThreadDuringTheSpawnIsNotInherited() async throws {
        let dir = temporaryDirectory()
        let stop = Mutex(false)
        let ended = DispatchSemaphore(value: 0)
        // Opens without O_CLOEXEC on purpose (what the spawn must not pass on); joined before
        // the test ends, so it never opens descriptors while other tests run.
        let churn = Thread {
            while !stop.withLock({ $0 }) {
                let fd = open("\(dir)/churn", O_CREAT | O_WRONLY, 0o600)
                if fd >= 0 { close(fd) }
            }
            ended.signal()
        }
        churn.start()
        defer {
            stop.withLock { $0 = true }
            #expect(ended.wait(timeout: .now() + 60) == .success, "the churn thread did not end")
        }
        let rule = try WatchRule(name: "fds", query: "", command: "ls /proc/self/fd >> \(dir)/fds; echo end >> \(dir)/fds")
        let r = runner([rule], .init(concurrency: 1, queueLimit: 200), Published())
        r.consume(finished(Array(Self.stored.prefix(100))))
        await r.drain()
        // Each listing: 0, 1, 2 and the descriptor ls opens; nothing else, in 100 spawns.
        var listings: [[Int32]] = [[]]
        for line in lines("\(dir)/fds") {
            if line == "end" { listings.append([]) } else if let fd = Int32(line) { listings[listings.count - 1].append(fd) }
        }
        listings.removeLast()
        #expect(listings.count == 100)
        let leaky = listings.filter { $0.count > 4 }
        #expect(leaky.isEmpty, "\(leaky.count) of \(listings.count) commands inherited more: \(leaky.prefix(3))")
    }
}
