import ArgumentParser
import Config
import Engine
import FoundationEssentials

struct Config: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print the effective configuration and where each value came from (secrets redacted).",
        discussion: """
            Precedence: flags, then environment variables (POLISEN_DASH_<KEY>), then the config file
            ($XDG_CONFIG_HOME/polisen-dash/config.toml, or --config / POLISEN_DASH_CONFIG), then defaults.

            Example: polisen-dash config --config /etc/polisen-dash/config.toml --json
            """)

    @OptionGroup var options: EngineOptions

    @Flag(name: .long, help: "Print as JSON.")
    var json = false

    func run() async throws {
        let setup = try options.resolve()
        let rows = setup.settings.entries.map { entry in
            // The store's default is a place worked out from the environment: show that place.
            let shown = entry.key == .store && entry.value == nil ? setup.storePath : Settings.shown(entry)
            return (key: entry.key.name, value: shown, typed: typedValue(entry, store: setup.storePath), source: entry.source.description)
        }
        let credentials = setup.s3Location == nil ? nil : S3CredentialsLoader.describeSource(environment: setup.environment)
        if json {
            var object: [String: JSONOutput.Value] = [:]
            for row in rows { object[row.key] = .object(["value": row.typed, "source": .string(row.source)]) }
            if let credentials { object["s3_credentials"] = .object(["value": .string("<redacted>"), "source": .string(credentials)]) }
            object["config_file"] = .object([
                "value": setup.settings.filePath.map(JSONOutput.Value.string) ?? .null,
                "source": .string(setup.settings.filePath == nil ? "none" : "read"),
            ])
            print(JSONOutput.Value.object(object).prettyText)
            return
        }
        print(
            "config file: \(setup.settings.filePath ?? "none (\(ConfigFile.defaultPath(environment: setup.environment)) does not exist)")")
        let keyWidth = rows.map(\.key.count).max() ?? 0
        let valueWidth = min(60, rows.map(\.value.count).max() ?? 0)
        for row in rows {
            print(padRight(row.key, keyWidth) + "  " + padRight(row.value, valueWidth) + "  " + row.source)
        }
        if let credentials {
            print(padRight("s3_credentials", keyWidth) + "  " + padRight("<redacted>", valueWidth) + "  " + credentials)
        }
    }

    /// The value as its kind: numbers and booleans as such in JSON, secrets redacted, unset as null.
    private func typedValue(_ entry: Settings.Entry, store: String) -> JSONOutput.Value {
        if entry.key.secret, entry.value != nil { return .string("<redacted>") }
        switch entry.value {
        case nil: return entry.key == .store ? .string(store) : .null
        case .text: return .string(Settings.shown(entry))
        case .number(let d): return .double(d)
        case .integer(let i): return .int(i)
        case .boolean(let b): return .bool(b)
        }
    }
}
