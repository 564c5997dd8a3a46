import ArgumentParser
import Engine

#if canImport(Glibc)
import Glibc
#endif

@main
struct PolisenDash: AsyncParsableCommand {
    static func main() async {
        // A file-size limit (RLIMIT_FSIZE) must fail a write with EFBIG, not kill the process.
        signal(SIGXFSZ, SIG_IGN)
        MemoryRelease.limitArenas()
        do {
            var command = try parseAsRoot()
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch {
            exit(withError: error)
        }
    }

    static let configuration = CommandConfiguration(
        commandName: "polisen-dash",
        abstract: "A terminal dashboard and archiver for the Swedish Police events API.",
        discussion: """
        With no subcommand, opens the dashboard with the poller running inside it. \
        The store defaults to $XDG_DATA_HOME/polisen-dash (else ~/.local/share/polisen-dash).

        Every option can also be set as POLISEN_DASH_<NAME> (e.g. POLISEN_DASH_MIN_SPACING) or as \
        a key in $XDG_CONFIG_HOME/polisen-dash/config.toml (e.g. min_spacing = 12); flags win over \
        the environment, which wins over the file. `polisen-dash config` shows the result.
        """,
        version: EngineConfig.version,
        subcommands: [Dashboard.self, Poll.self, Run.self, Status.self, Replay.self, Compact.self, Reset404.self, Demo.self, Config.self],
        defaultSubcommand: Dashboard.self
    )
}
