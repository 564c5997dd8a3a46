import ArgumentParser
import Demo
import Engine
import FoundationEssentials
import Logging
import TUI

struct Demo: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "The dashboard against the built-in simulator serving bundled real events (no network).",
        discussion: "Example: polisen-dash demo --interval 10")

    @Option(name: .long, help: "Where the demo stores events. Default: a new temporary folder.")
    var store: String?

    @Option(name: .long, help: "Seconds between scheduled polls.")
    var interval: Double = 20

    @Option(name: .long, help: "Minimum seconds between calls (the real API's rule is 10).")
    var minSpacing: Double = 10

    func run() async throws {
        let api = try DemoAPI(bundle: Array(DemoAPI.bundledEvents.utf8))
        let root =
            store ?? FileManager.default.temporaryDirectory.appendingPathComponent("polisen-dash-demo-\(UUID().uuidString.prefix(8))").path
        var config = EngineConfig(apiURL: "demo://polisen.se/api/events")
        config.rules = RateRules(minSpacing: minSpacing, maxPerHour: 60, maxPerDay: 1440)
        let lock: StoreLock
        do { lock = try StoreLock(storeRoot: root) } catch {
            throw CommandFailure(description: "\(error)", status: error is StoreLock.Held ? .storeLocked : .failed)
        }
        let quiet = Logger(label: "polisen-dash") { _ in SwiftLogNoOpLogHandler() }
        let poller = try Poller(
            config: config, store: LocalStore(root: root),
            apiStateFile: APIStateFile(path: "\(root)/api-state.json"), transport: api, logger: quiet, lock: lock)
        try await poller.open()
        let scheduler = Scheduler(poller: poller, clock: SystemClock(), interval: interval)
        // `polisen-dash attach --store STORE` can watch the demo as it would a service.
        let control = await ControlServer.serve(
            at: "\(root)/.control.sock", store: root, apiURL: "simulated polisen.se API",
            poller: poller, scheduler: scheduler, logger: quiet)
        await LiveDashboard.run(
            poller: poller, scheduler: scheduler, apiURL: "simulated polisen.se API", demo: true, noColor: noColorRequested,
            environment: ProcessInfo.processInfo.environment)
        await control?.stop()
        print("demo events were stored in \(root)")
    }
}
