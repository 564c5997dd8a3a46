import ArgumentParser
import Engine

#if canImport(Glibc)
    import Glibc
#endif

@main
struct PolisenDash: AsyncParsableCommand {
    static func main() async {
        _ = processStartTime
        // What the dynamic loader read (relocation and symbol tables, set-up code) is not read again.
        CleanFilePages.release()
        // A file-size limit (RLIMIT_FSIZE) must fail a write with EFBIG, not kill the process.
        signal(SIGXFSZ, SIG_IGN)
        MemoryRelease.limitArenas()
        if let unknown = unknownSubcommand(CommandLine.arguments.dropFirst()) {
            StandardStreams.error(
                "Error: unknown subcommand '\(unknown)'. Subcommands: \(subcommandNames.joined(separator: ", "))\n"
                    + "See 'polisen-dash --help'.\n")
            ProcessEnd.exit(ExitStatus.usage.rawValue)
        }
        do {
            var command = try parseAsRoot()
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch let failure as CommandFailure {
            StandardStreams.error("Error: \(TerminalText.sanitize(failure.description))\n")
            ProcessEnd.exit(failure.status.rawValue)
        } catch let code as ExitCode {
            ProcessEnd.exit(code.rawValue)  // a status alone: the parser would print nothing either
        } catch where isArgumentParserError(error) {
            // Usage, help and version: the parser's own text, where its exit(withError:) puts it.
            let text = fullMessage(for: error), code = exitCode(for: error)
            if !text.isEmpty {
                if code == .success { print(text) } else { StandardStreams.error(text + "\n") }
            }
            ProcessEnd.exit(code.rawValue)
        } catch {
            // Any other error can carry a server's or an event's text: never raw to a terminal.
            StandardStreams.error("Error: \(TerminalText.sanitize("\(error)"))\n")
            ProcessEnd.exit(exitCode(for: error).rawValue)
        }
        ProcessEnd.exit(ExitStatus.ok.rawValue)
    }

    /// Errors whose message the argument parser writes (usage, help, version, validation).
    static func isArgumentParserError(_ error: any Error) -> Bool {
        error is ValidationError || error is CleanExit || error is ExitCode
            || String(reflecting: type(of: error)).hasPrefix("ArgumentParser.")
    }

    static var subcommandNames: [String] {
        configuration.subcommands.map { $0._commandName } + ["help"]
    }

    /// The dashboard (the default subcommand) takes no positional argument, so a first word
    /// that is not an option and not a subcommand is a mistyped subcommand: say which exist.
    static func unknownSubcommand(_ arguments: ArraySlice<String>) -> String? {
        guard let first = arguments.first, !first.hasPrefix("-"), !subcommandNames.contains(first) else { return nil }
        return first
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

            \(ExitStatus.helpTable)
            """,
        version: EngineConfig.version,
        subcommands: [
            Dashboard.self, Attach.self, Poll.self, Run.self, Tail.self, Status.self, Replay.self, Export.self, Compact.self, Reset404.self,
            Demo.self, Config.self,
        ],
        defaultSubcommand: Dashboard.self
    )
}
