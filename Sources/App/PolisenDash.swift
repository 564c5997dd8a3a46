import ArgumentParser
import Engine

@main
struct PolisenDash: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "polisen-dash",
        abstract: "A terminal dashboard and archiver for the Swedish Police events API.",
        discussion: """
        With no subcommand, opens the dashboard with the poller running inside it.
        The store defaults to $XDG_DATA_HOME/polisen-dash (else ~/.local/share/polisen-dash).
        """,
        version: EngineConfig.version,
        subcommands: [Dashboard.self, Poll.self, Run.self, Status.self, Replay.self, Reset404.self, Demo.self],
        defaultSubcommand: Dashboard.self
    )
}
