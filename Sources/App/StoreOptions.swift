import ArgumentParser
import Config
import Engine

/// The flags of the commands that only read or tidy a store (`status`, `replay`, `compact`,
/// `reset-404`): where the store is, and nothing about polling, so their `--help` lists only
/// what means something to them. The other settings still come from the environment and
/// the config file.
struct StoreOptions: ParsableArguments {
    @Option(
        name: .long, help: ArgumentHelp("The config file (TOML). Default: $XDG_CONFIG_HOME/polisen-dash/config.toml.", valueName: "path"))
    var config: String?

    @Option(name: .long, help: help(.store)) var store: String?
    @Option(name: .long, help: help(.s3Endpoint)) var s3Endpoint: String?
    @Option(name: .long, help: help(.s3Region)) var s3Region: String?

    var givenFlags: [String: String] {
        var out: [String: String] = [:]
        for (key, value) in [(SettingKey.store, store), (.s3Endpoint, s3Endpoint), (.s3Region, s3Region)] {
            if let value { out[key.name] = value }
        }
        return out
    }

    func resolve() throws -> Setup { try resolveSetup(configFlag: config, flags: givenFlags) }
}
