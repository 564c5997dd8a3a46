import ArgumentParser
import Config
import Engine
import FoundationEssentials
import Logging

/// The flags every engine-running command shares. Each is optional here: an absent flag
/// falls through to the environment, the config file, then the default (see `Settings`).
struct EngineOptions: ParsableArguments {
    @Option(
        name: .long, help: ArgumentHelp("The config file (TOML). Default: $XDG_CONFIG_HOME/polisen-dash/config.toml.", valueName: "path"))
    var config: String?

    @Option(name: .long, help: help(.apiURL)) var apiURL: String?
    @Option(name: .long, help: help(.store)) var store: String?
    @Option(name: .long, help: help(.s3Endpoint)) var s3Endpoint: String?
    @Option(name: .long, help: help(.s3Region)) var s3Region: String?
    @Option(name: .long, help: help(.minSpacing)) var minSpacing: String?
    @Option(name: .long, help: help(.maxPerHour)) var maxPerHour: String?
    @Option(name: .long, help: help(.maxPerDay)) var maxPerDay: String?
    @Option(name: .long, help: help(.userAgent)) var userAgent: String?
    @Option(name: .long, help: help(.timeout)) var timeout: String?
    @Option(name: .long, help: help(.storeTimeout)) var storeTimeout: String?
    @Option(name: .long, help: help(.maxAttempts)) var maxAttempts: String?
    @Option(name: .long, help: help(.interval)) var interval: String?
    @Flag(name: .long, inversion: .prefixedNo, help: help(.adaptive)) var adaptive: Bool?
    @Option(name: .long, help: help(.metricsAddr)) var metricsAddr: String?
    @Option(name: .long, help: help(.logLevel)) var logLevel: String?
    @Option(name: .long, help: help(.logFormat)) var logFormat: String?

    /// The flags given, by setting name.
    var givenFlags: [String: String] {
        let pairs: [(SettingKey, String?)] = [
            (.apiURL, apiURL), (.store, store), (.s3Endpoint, s3Endpoint), (.s3Region, s3Region),
            (.minSpacing, minSpacing), (.maxPerHour, maxPerHour), (.maxPerDay, maxPerDay), (.userAgent, userAgent),
            (.timeout, timeout), (.storeTimeout, storeTimeout), (.maxAttempts, maxAttempts), (.interval, interval),
            (.adaptive, adaptive.map(String.init)),
            (.metricsAddr, metricsAddr), (.logLevel, logLevel), (.logFormat, logFormat),
        ]
        var out: [String: String] = [:]
        for (key, value) in pairs { if let value { out[key.name] = value } }
        return out
    }

    /// Flags over environment over config file over defaults, checked; a bad value or an
    /// unknown key in the file fails here, naming the key and where it came from.
    func resolve() throws -> Setup { try resolveSetup(configFlag: config, flags: givenFlags) }
}

/// Flags over environment over config file over defaults, checked; a bad value or an unknown
/// key in the file fails here (exit 78), naming the key and where it came from.
func resolveSetup(configFlag config: String?, flags: [String: String]) throws -> Setup {
    let env = ProcessInfo.processInfo.environment
    do {
        let file = try ConfigFile.load(
            path: config ?? env["POLISEN_DASH_CONFIG"].flatMap { $0.isEmpty ? nil : $0 }
                ?? ConfigFile.defaultPath(environment: env),
            required: config != nil || env["POLISEN_DASH_CONFIG"] != nil)
        let settings = try Settings.resolve(flags: flags, environment: env, file: file)
        return try Setup(settings: settings, environment: env)
    } catch let error as SettingError {
        throw CommandFailure(description: "configuration: \(error.description)", status: .configError)
    }
}

func help(_ key: SettingKey) -> ArgumentHelp {
    ArgumentHelp(key.help + (key.defaultText.map { " (default: \($0))" } ?? ""))
}
