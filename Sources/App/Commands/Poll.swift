import ArgumentParser
import Engine
import FoundationEssentials

struct Poll: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run one poll cycle (--once), or poll on an interval like `run`.",
        discussion: """
            Exit status of --once: 0 stored, 1 failed, 2 no call allowed in time by the rate budget, \
            3 stopped by an HTTP 404 (see `polisen-dash --help` for all).

            Example: polisen-dash poll --once --json --store ~/polisen-archive
            """)

    @OptionGroup var options: EngineOptions

    @Flag(name: .long, help: "Run exactly one cycle and exit: 0 on success, non-zero with a reason on failure.")
    var once = false

    @Flag(name: .long, help: "Print the cycle report as one JSON object.")
    var json = false

    @Flag(name: .long, help: "Fail at once when the rate budget does not allow a call now, instead of waiting.")
    var noWait = false

    func run() async throws {
        guard once else {
            var loop = Run()
            loop.options = options
            try await loop.run()
            return
        }
        let setup = try options.resolve()
        let logger = setup.makeLogger()
        let poller = try await setup.openPoller(logger: logger, overlapped: true)
        let watch = WatchSession.start(setup, poller: poller, logger: logger)
        let maxWait: Double = noWait ? 0 : 900
        // Known before the cycle (this process holds the store's lock): the cycle then makes no
        // call and reports why, and the exit status tells a budget wait from a failure.
        let budgetBlocked = await poller.budget().nextAllowedAt - SystemClock().now() > maxWait
        let report = await withShutdownSignals { await poller.runCycle(trigger: .once, maxBudgetWait: maxWait) }
        // The watch rules' commands for what this cycle stored finish (or time out) before the exit.
        await poller.finishEvents()
        await watch?.finish()
        await persistWatchFailures(poller, logger: logger)
        if json {
            print(try JSONOutput.text(report))
        } else {
            print(TerminalText.sanitize(report.summaryLine))
        }
        if report.outcome != .ok {
            let status: ExitStatus = await poller.stop != nil ? .stopped404 : budgetBlocked ? .budgetWait : .failed
            throw status.exitCode
        }
    }
}
