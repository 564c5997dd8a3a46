import ArgumentParser
import Config
import Engine
import FoundationEssentials
import Logging

#if canImport(Glibc)
    import Glibc
#endif

struct Tail: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print the events stored from now on (new ones and new versions), one a line, as they are stored.",
        discussion: """
            Attaches to the service polling the store when there is one (its control socket), else \
            polls itself, holding the store's lock like `run`. Stops on SIGINT, SIGTERM, or when \
            stdout is closed (`polisen-dash tail --json | head -3` ends after three lines).

            Example: polisen-dash tail --query 'type:brand place:skåne'
            """)

    @OptionGroup var options: EngineOptions
    // Unconditional: a query may start with "-" (an exclusion), which is not an option here.
    @Option(
        name: .long, parsing: .unconditional,
        help: ArgumentHelp("Only the events matching this query (words, \"phrases\", type:, place:, -word).", valueName: "query"))
    var query: String?
    @Flag(name: .long, help: "Print each event's stored JSON line, byte for byte.") var json = false

    func run() async throws {
        // A closed stdout must fail a write (the end of the tail), not kill the process.
        signal(SIGPIPE, SIG_IGN)
        let setup = try options.resolve()
        let filter: EventQuery?
        do { filter = try query.map { q throws(EventQuery.ParseError) in try EventQuery.parse(q) } } catch {
            throw CommandFailure(description: "--query: \(error)", status: .usage)
        }
        let output = TailOutput(json: json, query: filter)
        if let client = try? await ControlClient.connect(path: setup.controlSocketPath) {
            StandardStreams.error("tail: attached to pid \(client.snapshot.pid) polling \(setup.storeDescription)\n")
            let ended = await TailOutput.until(stopped: {
                for await message in client.messages {
                    if case .cycleFinished(_, let stored)? = message.event, !output.write(stored) { return false }
                }
                return true
            })
            client.close()
            if ended == .sourceEnded {
                throw CommandFailure(description: "tail: the service (pid \(client.snapshot.pid)) stopped")
            }
            return
        }
        let logger = setup.makeLogger()
        let poller = try await setup.openPoller(logger: logger)
        let scheduler = setup.makeScheduler(poller: poller)
        let control = await setup.serveControl(poller: poller, scheduler: scheduler, logger: logger)
        let watch = WatchSession.start(setup, poller: poller, logger: logger)  // it stores events, so its rules run
        let events = poller.subscribe()
        let polling = Task { await scheduler.run { report in report.log(to: logger, stopped: await poller.stop != nil) } }
        _ = await TailOutput.until(stopped: {
            for await event in events {
                if case .cycleFinished(_, let stored) = event, !output.write(stored) { return false }
            }
            return true
        })
        polling.cancel()
        await polling.value
        watch?.stop()
        await control?.stop()
        await poller.finishEvents()
    }
}
