import ArgumentParser
import Config
import Engine
import FoundationEssentials
import Logging

struct Run: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Poll headless on an interval, one log line per cycle, until SIGINT or SIGTERM.",
        discussion: """
            Under systemd (Type=notify) it reports READY=1 once the store is open (or, when the store cannot be reached at start, \
            once polling has begun without it) and WATCHDOG=1 while \
            the engine answers. SIGHUP reloads the config file: log_level changes at once, other keys \
            are logged as taking effect at the next start.

            Example: polisen-dash run --config /etc/polisen-dash/config.toml
            """)

    @OptionGroup var options: EngineOptions

    func run() async throws {
        let setup = try options.resolve()
        let level = LogLevelSetting(setup.logLevel)
        let logger = setup.makeLogger(level: level)
        let poller = try await setup.openPoller(logger: logger, keepPollingIfStoreIsDown: true)
        let failures = logFailures(of: poller, to: logger)
        let scheduler = setup.makeScheduler(poller: poller)
        let metrics = try await setup.startMetricsServer(poller: poller, logger: logger)
        let watch = WatchSession.start(setup, poller: poller, logger: logger)
        let reload = ConfigReload(options: options, current: setup.settings, level: level, logger: logger)
        let systemd = SystemdNotifier(environment: setup.environment)
        let control = await setup.serveControl(poller: poller, scheduler: scheduler, logger: logger)
        let compaction = AutoCompaction(store: poller.store, logger: logger)
        logger.info("polling \(redactingUserInfo(setup.apiURL)) \(scheduler.scheduleDescription) into \(setup.storeDescription)")
        systemd.notify("READY=1\nSTATUS=polling \(scheduler.scheduleDescription)")
        let watchdog = Task { await systemd.runWatchdog(poller: poller) }
        let stopping = StopDeadline.forService(logger: logger)
        await withShutdownSignals(onSignal: stopping.arm) {
            await scheduler.run { report in
                report.log(to: logger, stopped: await poller.stop != nil)
                systemd.notify("STATUS=cycle \(report.cycle) \(report.outcome.rawValue)")
                // Closed days are compacted beside the poller, never delaying a cycle.
                if report.outcome == .ok { Task { await compaction.runIfDue() } }
            }
        }
        systemd.notify("STOPPING=1")
        watch?.stop()
        watchdog.cancel()
        await stopping.step("the control socket to close") { await control?.stop() }
        await stopping.step("the metrics server to close") { await metrics?.stop() }
        await stopping.step("the failure log to be written") { await persistWatchFailures(poller, logger: logger) }
        await stopping.step("the engine to end its event stream") { await poller.finishEvents() }
        await stopping.step("the failure log to end") { await failures.value }
        stopping.finish()
        withExtendedLifetime(reload) {}
        logger.info("stopped")
    }
}
