import ArgumentParser
import Engine
import Foundation
import Logging
import TUI

struct Dashboard: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "The live dashboard with the poller running inside it (the default).")

    @OptionGroup var options: EngineOptions

    @Option(name: .long, help: "Seconds between scheduled polls.")
    var interval: Double = 1800

    func validate() throws {
        guard interval > 0 else { throw ValidationError("--interval must be positive") }
    }

    func run() async throws {
        // Log lines would tear the screen: the dashboard shows notices and failures itself.
        let logger = Logger(label: "polisen-dash") { _ in SwiftLogNoOpLogHandler() }
        let poller = try await options.openPoller(logger: logger)
        await LiveDashboard.run(poller: poller, interval: interval, apiURL: options.apiURL, noColor: noColorRequested)
    }
}

/// NO_COLOR (no-color.org): present and not empty.
var noColorRequested: Bool { !(ProcessInfo.processInfo.environment["NO_COLOR"] ?? "").isEmpty }
