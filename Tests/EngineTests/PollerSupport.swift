import EngineTesting
import Foundation
import Synchronization
import Testing

@testable import Engine

extension ScriptedTransport {
    func push(fixture: String) { push(.success(HTTPResponse(status: 200, body: Fixtures.bytes(fixture)))) }
}

struct Harness {
    let root = temporaryDirectory()
    let clock: ManualClock
    let transport: ScriptedTransport
    var config = EngineConfig(apiURL: "http://sim/api/events")

    init(now: Double = 1_780_000_000, latency: Double = 0) {
        clock = ManualClock(now: now)
        transport = ScriptedTransport(clock: clock, latency: latency)
    }

    var store: LocalStore { LocalStore(root: root) }

    func poller() async throws -> Poller {
        let p = try Poller(
            config: config, store: store, apiStateFile: APIStateFile(path: "\(root)/api-state.json"),
            transport: transport, clock: clock, random: { 0.5 })
        try await p.open()
        return p
    }

    /// Runs a cycle, moving the manual clock to each deadline the cycle sleeps until. Waits for
    /// the clock to report a sleeper (or the cycle to end) instead of spinning.
    func cycle(_ poller: Poller, maxBudgetWait: Double = 3600) async -> CycleReport {
        let task = Task { await poller.runCycle(trigger: .once, maxBudgetWait: maxBudgetWait) }
        let done = Mutex(false)
        let clock = self.clock
        let watcher = Task {
            _ = await task.value
            done.withLock { $0 = true }
            clock.notify()
        }
        while true {
            let generation = clock.generation
            if done.withLock({ $0 }) { break }
            if let deadline = clock.nextDeadline {
                clock.set(deadline)
                continue
            }
            await clock.waitForChange(after: generation)
        }
        _ = await watcher.value
        return await task.value
    }

    /// The failure lines metadata holds for one cycle.
    func failures(of report: CycleReport) async throws -> [FailureEntry] {
        try Metadata.decode(try #require(try await store.readMetadata()).bytes).failures.filter { $0.cycle == report.cycle }
    }

    /// Every stored line, in reading order.
    func storedLines() async throws -> [String] {
        var lines: [String] = []
        for part in try await store.listParts(date: nil) {
            let text = String(decoding: try await store.readPart(part), as: UTF8.self)
            lines += text.split(separator: "\n").map(String.init)
        }
        return lines
    }
}

func ids(_ lines: [String]) -> [Int] { lines.compactMap { jsonObject(Array($0.utf8))?["id"] as? Int } }
