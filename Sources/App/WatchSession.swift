import Config
import Engine
import Logging

/// The watch rules of the config file running over a poller's stream, wherever events are
/// stored (`poll`, `run`, the dashboard). Their failures are published on the same stream, so
/// the dashboard's failures pane and an attached one show them.
struct WatchSession {
    let runner: WatchRunner
    let consuming: Task<Void, Never>

    /// Subscribes before any cycle runs; nil when the config file has no rules. Start it after
    /// the metrics server, so its counters are registered with Prometheus.
    static func start(_ setup: Setup, poller: Poller, logger: Logger) -> WatchSession? {
        let rules = setup.settings.watchRules
        guard !rules.isEmpty else { return nil }
        let runner = WatchRunner(rules: rules, logger: logger) { poller.broadcaster.publish($0) }
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
