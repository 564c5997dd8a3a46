import ArgumentParser
import Config
import Engine
import FoundationEssentials
import Logging
import TUI

struct Dashboard: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "The live dashboard with the poller running inside it (the default).",
        discussion: "Example: polisen-dash --store ~/polisen-archive --metrics-addr 127.0.0.1:9464")

    @OptionGroup var options: EngineOptions

    func run() async throws {
        // Log lines would tear the screen: the dashboard shows notices and failures itself.
        let logger = Logger(label: "polisen-dash") { _ in SwiftLogNoOpLogHandler() }
        let setup = try options.resolve()
        // A service already polls this store: attach to it instead of being refused its lock.
        while let link = try? await ControlClient.connect(path: setup.controlSocketPath) {
            guard await setup.attach(link) == .takeOver else { return }
        }
        let poller = try await setup.openPoller(logger: logger)
        let metrics = try await setup.startMetricsServer(poller: poller, logger: logger)
        let watch = WatchSession.start(setup, poller: poller, logger: logger)
        let scheduler = setup.makeScheduler(poller: poller)
        // A dashboard that polls is a service too: `attach` and `tail` can join it.
        let control = await setup.serveControl(poller: poller, scheduler: scheduler, logger: logger)
        await LiveDashboard.run(
            poller: poller, scheduler: scheduler, apiURL: redactingUserInfo(setup.apiURL),
            noColor: noColorRequested, watches: setup.settings.watchRules,
            environment: ProcessInfo.processInfo.environment)
        watch?.stop()
        await control?.stop()
        await metrics?.stop()
    }
}

struct Attach: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Open the dashboard on the service polling the store (run under systemd, or another dashboard).",
        discussion: """
            q detaches and leaves the service running; if the service stops, t takes over polling here.

            Example: polisen-dash attach --config /etc/polisen-dash/config.toml
            """)

    @OptionGroup var options: EngineOptions

    func run() async throws {
        let setup = try options.resolve()
        let link: ControlClient
        do { link = try await ControlClient.connect(path: setup.controlSocketPath) } catch {
            throw CommandFailure(description: "\(error): is `polisen-dash run` polling \(setup.storeDescription)?")
        }
        guard await setup.attach(link) == .takeOver else { return }
        // Taking over: the dashboard that polls (it attaches again if a service came back).
        var dashboard = try Dashboard.parse([])
        dashboard.options = options
        try await dashboard.run()
    }
}

extension Setup {
    /// The dashboard attached to `link`'s service, reading replays from the store directly.
    func attach(_ link: ControlClient) async -> AttachedDashboard.Ending {
        let store: any EventStore
        do { store = try makeStore() } catch {
            link.close()
            StandardStreams.error("attach: cannot open the store for replay: \(error)\n")
            return .detached
        }
        return await AttachedDashboard.run(
            link: link, store: store, noColor: noColorRequested, watches: settings.watchRules,
            environment: ProcessInfo.processInfo.environment)
    }
}

/// NO_COLOR (no-color.org): present and not empty.
var noColorRequested: Bool { !(ProcessInfo.processInfo.environment["NO_COLOR"] ?? "").isEmpty }
