import Foundation
import Testing

/// The command line's promises to scripts: exit statuses, clear refusals.
@Suite struct CLIContractTests {
    @Test func anUnknownSubcommandIsAUsageErrorThatListsTheSubcommands() throws {
        let r = try polisenDash(["statsu"])
        #expect(r.status == 64)
        #expect(r.stderr.contains("unknown subcommand 'statsu'"))
        for name in ["poll", "run", "status", "replay", "compact", "config"] { #expect(r.stderr.contains(name), "\(name)") }
    }

    @Test func readersRefuseAStoreThatDoesNotExistOrIsAFile() throws {
        let dir = temporaryDirectory()
        let file = dir + "/plain-file"
        try "x".write(toFile: file, atomically: true, encoding: .utf8)
        for command in ["status", "replay", "compact"] {
            let missing = try polisenDash([command, "--store", dir + "/nowhere"])
            #expect(missing.status == 66, "\(command): \(missing.stderr)")
            #expect(missing.stderr.contains("no store at \(dir)/nowhere"), "\(command)")
            let onFile = try polisenDash([command, "--store", file])
            #expect(onFile.status == 66, "\(command)")
            #expect(onFile.stderr.contains("is a file, not a store folder"), "\(command)")
        }
        // Nothing was created by asking.
        #expect(!FileManager.default.fileExists(atPath: dir + "/nowhere"))
    }

    @Test func commandsThatOnlyReadAStoreListOnlyTheStoresOptions() throws {
        for command in ["status", "replay", "compact", "export"] {
            let help = try polisenDash([command, "--help"])
            #expect(help.status == 0, "\(command): \(help.stderr)")
            for option in ["--config", "--store", "--s3-endpoint", "--s3-region"] {
                #expect(help.stdout.contains(option), "\(command) --help lacks \(option)")
            }
            for engineOption in ["--api-url", "--user-agent", "--min-spacing", "--max-per-hour", "--log-format"] {
                #expect(!help.stdout.contains(engineOption), "\(command) --help lists \(engineOption)")
            }
        }
    }

    @Test func aReversedDateRangeIsAUsageError() throws {
        let r = try polisenDash(["replay", "--store", temporaryDirectory(), "--from", "2024-03-10", "--to", "2024-03-01"])
        #expect(r.status == 64)
        #expect(r.stderr.contains("--from 2024-03-10 is after --to 2024-03-01"))
    }

    @Test func aMissingOrBadConfigHasItsOwnStatus() throws {
        let dir = temporaryDirectory()
        let missing = try polisenDash(["run", "--config", dir + "/missing.toml"])
        #expect(missing.status == 78)
        #expect(missing.stderr.contains("does not exist"))
        try "max_per_day = 0\n".write(toFile: dir + "/bad.toml", atomically: true, encoding: .utf8)
        let bad = try polisenDash(["poll", "--once", "--store", dir + "/store"], env: ["POLISEN_DASH_CONFIG": dir + "/bad.toml"])
        #expect(bad.status == 78)
        #expect(bad.stderr.contains("max_per_day"))
    }

    @Test func everyJSONOutputHasOneStyle() throws {
        let sim = try APISimulator()
        let store = temporaryDirectory()
        let poll = try polisenDash(["poll", "--once", "--json", "--api-url", sim.apiURL, "--store", store])
        #expect(poll.status == 0, "\(poll.stderr)")
        let report = try #require(parseJSON(poll.stdout))
        let started = try #require(report["started_at"] as? String)
        // ISO 8601, milliseconds, Stockholm's offset; the epoch beside it.
        #expect(
            started.range(of: #"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}\+0[12]:00$"#, options: .regularExpression) != nil, "\(started)")
        let epoch = try #require(report["started_at_epoch"] as? Double)
        #expect(abs(epoch - Date().timeIntervalSince1970) < 600)
        // Milliseconds with at most 3 decimals.
        for (key, value) in try #require(report["stages"] as? [String: Any]) {
            let text = "\(value)"
            #expect((text.split(separator: ".").dropFirst().first?.count ?? 0) <= 3, "\(key) \(text)")
        }
        let status = try polisenDash(["status", "--json", "--store", store])
        let object = try #require(parseJSON(status.stdout))
        let budget = try #require(object["budget"] as? [String: Any])
        #expect(budget["hour_used"] as? Int == 1)
        #expect(budget["next_allowed_at"] is String && budget["next_allowed_at_epoch"] is Double)
        // snake_case keys only, at every depth.
        for text in [poll.stdout, status.stdout] {
            let keys = text.matches(of: /"([A-Za-z_0-9]+)":/).map { String($0.output.1) }
            #expect(!keys.isEmpty && keys.allSatisfy { $0 == $0.lowercased() }, "\(keys.filter { $0 != $0.lowercased() })")
        }
    }
}
