import Engine
import Testing

@testable import Config

@Suite struct SettingsTests {
    func file(_ text: String) throws -> ConfigFile { try ConfigFile(path: "/etc/test/config.toml", text: text) }

    @Test func flagsBeatEnvironmentBeatFileBeatDefaults() throws {
        let f = try file("min_spacing = 12\nmax_per_hour = 40\nmax_per_day = 1000\nadaptive = true\n")
        let s = try Settings.resolve(
            flags: ["min_spacing": "15"],
            environment: ["POLISEN_DASH_MIN_SPACING": "13", "POLISEN_DASH_MAX_PER_HOUR": "30"], file: f)
        #expect(s.number(.minSpacing) == 15)
        #expect(s.entry(.minSpacing).source == .flag("--min-spacing"))
        #expect(s.integer(.maxPerHour) == 30)
        #expect(s.entry(.maxPerHour).source == .environment("POLISEN_DASH_MAX_PER_HOUR"))
        #expect(s.integer(.maxPerDay) == 1000)
        #expect(s.entry(.maxPerDay).source == .file("/etc/test/config.toml"))
        #expect(s.boolean(.adaptive))
        #expect(s.number(.interval) == 1800)
        #expect(s.entry(.interval).source == .defaultValue)
        #expect(s.string(.metricsAddr) == nil)
    }

    @Test func anEmptyEnvironmentVariableDoesNotOverride() throws {
        let s = try Settings.resolve(flags: [:], environment: ["POLISEN_DASH_TIMEOUT": ""], file: try file("timeout = 7"))
        #expect(s.number(.timeout) == 7)
    }

    @Test func anUnknownKeyNamesItselfTheFileAndTheNearestKnownKey() {
        #expect(throws: SettingError.self) { try file("max-per-hour = 3") }
        do {
            _ = try file("max-per-hour = 3")
            Issue.record("accepted an unknown key")
        } catch {
            #expect("\(error)".contains("/etc/test/config.toml"))
            #expect("\(error)".contains("\"max-per-hour\""))
            #expect("\(error)".contains("did you mean \"max_per_hour\""))
        }
    }

    @Test func aBadValueNamesTheKeyAndWhereItCameFrom() throws {
        let cases: [([String: String], [String: String], String, String)] = [
            ([:], [:], "min_spacing = \"soon\"", "min_spacing (file /etc/test/config.toml): expected a number"),
            (
                [:], ["POLISEN_DASH_MAX_PER_DAY": "0"], "",
                "max_per_day (environment POLISEN_DASH_MAX_PER_DAY): expected a whole number of at least 1"
            ),
            (["log_level": "loud"], [:], "", "log_level (flag --log-level): expected one of trace"),
            (["metrics_addr": "9464"], [:], "", "metrics_addr (flag --metrics-addr): expected HOST:PORT"),
            ([:], [:], "api_url = \"ftp://x\"", "api_url (file /etc/test/config.toml): expected an http"),
            ([:], [:], "adaptive = 1.5", "adaptive (file /etc/test/config.toml): expected true or false"),
            ([:], [:], "timeout = 0", "timeout (file /etc/test/config.toml): expected a number above 0"),
        ]
        for (flags, env, text, expected) in cases {
            do {
                _ = try Settings.resolve(flags: flags, environment: env, file: try file(text))
                Issue.record("accepted: \(expected)")
            } catch {
                #expect("\(error)".hasPrefix(expected), "\(error)")
            }
        }
    }

    @Test func aTOMLSyntaxErrorGivesTheLineAndColumn() {
        do {
            _ = try file("interval = 60\nmin_spacing =\n")
            Issue.record("accepted broken TOML")
        } catch {
            #expect("\(error)".hasPrefix("/etc/test/config.toml:2:"))
        }
    }

    @Test func tablesAndArraysAreRefused() {
        #expect(throws: SettingError.self) { try file("store = [\"a\"]") }
    }

    @Test func integersAreAcceptedForNumbersButNotTheOtherWayRound() throws {
        #expect(try Settings.resolve(flags: [:], environment: [:], file: try file("interval = 60")).number(.interval) == 60)
        #expect(throws: SettingError.self) { try Settings.resolve(flags: [:], environment: [:], file: try file("max_attempts = 2.5")) }
    }

    @Test func shownValuesHideSecretsInAddresses() throws {
        let s = try Settings.resolve(flags: ["api_url": "https://me:hunter2@proxy.example/api/events"], environment: [:], file: nil)
        let shown = Settings.shown(s.entry(.apiURL))
        #expect(shown == "https://me:<redacted>@proxy.example/api/events")
        #expect(!shown.contains("hunter2"))
        #expect(redactingUserInfo("https://example.org/a@b") == "https://example.org/a@b")
    }

    @Test func everyKeyHasAFlagAndAnEnvironmentVariable() {
        #expect(Set(SettingKey.all.map(\.name)).count == SettingKey.all.count)
        #expect(SettingKey.maxPerHour.flag == "--max-per-hour")
        #expect(SettingKey.maxPerHour.environmentVariable == "POLISEN_DASH_MAX_PER_HOUR")
    }

    /// The sample in contrib/ must stay loadable as the keys change.
    @Test func theSampleConfigFileLoads() throws {
        let path = #filePath.split(separator: "/").dropLast(3).joined(separator: "/")
        let sample = try #require(try ConfigFile.load(path: "/" + path + "/contrib/config.toml", required: true))
        let s = try Settings.resolve(flags: [:], environment: [:], file: sample)
        #expect(s.entry(.interval).source == .file(sample.path))
    }
}
