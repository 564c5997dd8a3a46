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
        let poller = try await setup.openPoller(logger: logger)
        let metrics = try await setup.startMetricsServer(poller: poller, logger: logger)
        let scheduler = setup.makeScheduler(poller: poller)
        // A dashboard that polls is a service too: `attach` and `tail` can join it.
        let control = await setup.serveControl(poller: poller, scheduler: scheduler, logger: logger)
        await LiveDashboard.run(poller: poller, scheduler: scheduler, apiURL: redactingUserInfo(setup.apiURL),
                                noColor: noColorRequested, watches: setup.settings.watchRules,
                                environment: ProcessInfo.processInfo.environment)
        await control?.stop()
        await metrics?.stop()
    }
}

/// NO_COLOR (no-color.org): present and not empty.
var noColorRequested: Bool { !(ProcessInfo.processInfo.environment["NO_COLOR"] ?? "").isEmpty }
