import Foundation
import Synchronization
@testable import Engine
import EngineTesting

extension ScriptedTransport {
    func push(fixture: String) { push(.success(HTTPResponse(status: 200, body: Fixtures.bytes(fixture)))) }
}

struct Harness {
    let root = temporaryDirectory()
    let clock: ManualClock
    let transport: ScriptedTransport
    var config = EngineConfig(apiURL: "http://sim/api/events")

    init(now: Double = 1_780_000_000) {
        clock = ManualClock(now: now)
        transport = ScriptedTransport(clock: clock)
    }

    var store: LocalStore { LocalStore(root: root) }

    func poller() async throws -> Poller {
        let p = try Poller(config: config, store: store, apiStateFile: APIStateFile(path: "\(root)/api-state.json"),
                           transport: transport, clock: clock, random: { 0.5 })
        try await p.open()
        return p
    }

    /// Runs a cycle, moving the manual clock whenever the cycle sleeps on it.
    func cycle(_ poller: Poller, maxBudgetWait: Double = 3600) async -> CycleReport {
        let task = Task { await poller.runCycle(trigger: .once, maxBudgetWait: maxBudgetWait) }
        let done = Mutex(false)
        let watcher = Task { _ = await task.value; done.withLock { $0 = true } }
        while !done.withLock({ $0 }) {
            if clock.sleeperCount > 0 { clock.advance(by: 0.5) } else { await Task.yield() }
        }
        _ = await watcher.value
        return await task.value
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
