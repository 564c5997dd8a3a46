import ArgumentParser
import Engine
import Foundation

struct Run: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Poll headless on an interval, one log line per cycle, until SIGINT or SIGTERM.")

    @OptionGroup var options: EngineOptions

    @Option(name: .long, help: "Seconds between cycles.")
    var interval: Double = 1800

    func validate() throws {
        guard interval > 0 else { throw ValidationError("--interval must be positive") }
    }

    func run() async throws {
        let logger = options.makeLogger()
        let poller = try await options.openPoller(logger: logger)
        let scheduler = Scheduler(poller: poller, clock: SystemClock(), interval: interval)
        logger.info("polling \(options.apiURL) every \(formatDuration(interval)) into \(options.storePath)")
        await withShutdownSignals {
            await scheduler.run { report in
                switch report.outcome {
                case .ok: logger.info("\(report.summaryLine)")
                case .failed: logger.error("\(report.summaryLine)")
                case .skipped: logger.warning("\(report.summaryLine)")
                }
            }
        }
        logger.info("stopped")
    }
}
