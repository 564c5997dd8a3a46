import Config
import Engine
import Logging

/// The watch rules of the config file running over a poller's stream, wherever events are
/// stored (`poll`, `run`, the dashboard). Their failures are published on the same stream, so
/// the dashboard's failures pane and an attached one show them, counted in
/// `polisen_failures_total{stage="watch"}` and kept in the store's failure log.
struct WatchSession {
    let runner: WatchRunner
    let consuming: Task<Void, Never>

    /// Subscribes before any cycle runs; nil when the config file has no rules. Start it after
    /// the metrics server, so its counters are registered with Prometheus.
    static func start(_ setup: Setup, poller: Poller, logger: Logger) -> WatchSession? {
        let rules = setup.settings.watchRules
        guard !rules.isEmpty else { return nil }
        let runner = WatchRunner(rules: rules, logger: logger) { poller.publishOutsideCycle($0) }
        let events = poller.subscribe()
        logger.info("watch rules: \(rules.map { "\"\(TerminalText.sanitize($0.name))\"" }.joined(separator: ", "))")
        return WatchSession(runner: runner, consuming: Task { await runner.run(events) })
    }

    /// After the stream has ended (`finishEvents`): every command of the events seen has run.
    func finish() async {
        await consuming.value
        await runner.drain()
    }

    func stop() {
        runner.stop()
        consuming.cancel()
    }
}

/// Writes the watch commands' failures since the last cycle into the store's failure log
/// before the process exits (a local store; see `Poller.persistOutsideFailures`).
func persistWatchFailures(_ poller: Poller, logger: Logger) async {
    do { try await poller.persistOutsideFailures() } catch {
        logger.warning("the watch commands' failures were not written to the failure log: \(TerminalText.sanitize(String(describing: error)))")
    }
}
