import ArgumentParser
import Engine

struct Dashboard: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "The live dashboard with the poller running inside it (the default).")

    @OptionGroup var options: EngineOptions

    func run() async throws {
        throw CommandFailure(description: "the dashboard is not built yet; use `poll --once` or `run`")
    }
}
