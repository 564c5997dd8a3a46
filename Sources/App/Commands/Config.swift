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
        """)

    @OptionGroup var options: EngineOptions

    @Flag(name: .long, help: "Print as JSON.")
    var json = false

    func run() async throws {
        let setup = try options.resolve()
        let rows = setup.settings.entries.map { entry in
            (key: entry.key.name, value: Settings.shown(entry), source: entry.source.description)
        }
        let credentials = setup.s3Location == nil ? nil : S3CredentialsLoader.describeSource(environment: setup.environment)
        if json {
            var object: [String: [String: String]] = [:]
            for row in rows { object[row.key] = ["value": row.value, "source": row.source] }
            if let credentials { object["s3_credentials"] = ["value": "<redacted>", "source": credentials] }
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .prettyPrinted]
            print(String(decoding: try encoder.encode(object), as: UTF8.self))
            return
        }
        print("config file: \(setup.settings.filePath ?? "none (\(ConfigFile.defaultPath(environment: setup.environment)) does not exist)")")
        let keyWidth = rows.map(\.key.count).max() ?? 0
        let valueWidth = min(60, rows.map(\.value.count).max() ?? 0)
        for row in rows {
            print(padded(row.key, keyWidth) + "  " + padded(row.value, valueWidth) + "  " + row.source)
        }
        if let credentials {
            print(padded("s3_credentials", keyWidth) + "  " + padded("<redacted>", valueWidth) + "  " + credentials)
        }
    }
}

private func padded(_ s: String, _ width: Int) -> String {
    s.count >= width ? s : s + String(repeating: " ", count: width - s.count)
}
