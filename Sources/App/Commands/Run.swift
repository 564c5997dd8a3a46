import ArgumentParser
import Config
import Engine
import Logging
import FoundationEssentials

struct Run: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Poll headless on an interval, one log line per cycle, until SIGINT or SIGTERM.")

    @OptionGroup var options: EngineOptions

    func run() async throws {
        let setup = try options.resolve()
        let logger = setup.makeLogger()
        let poller = try await setup.openPoller(logger: logger)
        let scheduler = setup.makeScheduler(poller: poller)
        let metrics = try await setup.startMetricsServer(poller: poller, logger: logger)
        logger.info("polling \(redactingUserInfo(setup.apiURL)) \(scheduler.scheduleDescription) into \(setup.storeDescription)")
        await withShutdownSignals {
            await scheduler.run { report in
                switch report.outcome {
                case .ok: logger.info("\(report.summaryLine)")
                case .failed: logger.error("\(report.summaryLine)")
                // Skipped: a wait for the rate budget (one notice per wait), or a 404 stop.
                case .skipped:
                    if await poller.stop != nil { logger.warning("\(report.summaryLine)") } else { logger.notice("\(report.summaryLine)") }
                }
            }
        }
        await metrics?.stop()
        logger.info("stopped")
    }
}
