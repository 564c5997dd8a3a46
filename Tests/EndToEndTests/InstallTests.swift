import Foundation
import Testing

/// scripts/install.sh into a temporary prefix, with the built binary (no second build).
@Suite struct InstallTests {
    /// swift-argument-parser's man page generator: the one scripts/test.sh builds, else built here
    /// (a bare `swift test` does not build it) into a build folder of its own, since SwiftPM's
    /// lock on the package's build folder is held while `swift test` runs.
    func manualGenerator() throws -> String {
        let built = packageRoot.appendingPathComponent(".build/debug/generate-manual").path
        if FileManager.default.isExecutableFile(atPath: built) { return built }
        let scratch = packageRoot.appendingPathComponent(".build/manual-generator").path
        let r = try runTool(
            "/usr/bin/env",
            ["swift", "build", "--package-path", packageRoot.path, "--scratch-path", scratch, "--product", "generate-manual"],
            within: 900)
        try #require(r.status == 0, "building generate-manual failed (\(r.status)): \(r.stdout.suffix(2000)) \(r.stderr.suffix(2000))")
        let tool = scratch + "/debug/generate-manual"
        try #require(FileManager.default.isExecutableFile(atPath: tool), "no \(tool) after building it")
        return tool
    }

    @Test func installPutsEveryPieceInPlaceAndTheyWork() throws {
        let manualTool = try manualGenerator()
        let prefix = temporaryDirectory() + "/opt-pd"
        let script = packageRoot.appendingPathComponent("scripts/install.sh").path
        let env = ["POLISEN_DASH_BIN": binaryPath, "POLISEN_DASH_MAN_TOOL": manualTool]
        let r = try runTool("/bin/bash", [script, prefix], env: env)
        #expect(r.status == 0, "\(r.stderr)")
        for path in [
            "bin/polisen-dash", "share/man/man1/polisen-dash.1", "share/bash-completion/completions/polisen-dash",
            "share/zsh/site-functions/_polisen-dash", "share/fish/vendor_completions.d/polisen-dash.fish",
            "lib/systemd/system/polisen-dash.service", "share/doc/polisen-dash/config.toml", "etc/polisen-dash/config.toml",
        ] {
            #expect(FileManager.default.fileExists(atPath: prefix + "/" + path), "\(path)")
        }
        // The installed binary runs; the man page renders and documents subcommands and exit statuses.
        #expect(try runTool(prefix + "/bin/polisen-dash", ["--version"]).stdout == "0.1.0\n")
        let man = try runTool(
            "/usr/bin/man", ["-l", prefix + "/share/man/man1/polisen-dash.1"], env: ["MANPAGER": "cat", "MANWIDTH": "100"])
        #expect(man.status == 0)
        for text in ["polisen-dash", "replay", "--metrics-addr", "Exit status", "78"] { #expect(man.stdout.contains(text), "\(text)") }
        #expect(
            try String(contentsOfFile: prefix + "/share/bash-completion/completions/polisen-dash", encoding: .utf8).contains("polisen-dash")
        )
        // The unit points at what was installed, and systemd accepts it as it is.
        let unit = try String(contentsOfFile: prefix + "/lib/systemd/system/polisen-dash.service", encoding: .utf8)
        #expect(unit.contains("ExecStart=\(prefix)/bin/polisen-dash run --config \(prefix)/etc/polisen-dash/config.toml"))
        let verify = try runTool(
            "/usr/bin/systemd-analyze", ["verify", prefix + "/lib/systemd/system/polisen-dash.service"],
            env: ["MANPATH": prefix + "/share/man"])
        #expect(verify.status == 0, "\(verify.stdout) \(verify.stderr)")
        // The installed config is what the unit's command reads.
        let config = try runTool(prefix + "/bin/polisen-dash", ["config", "--json", "--config", prefix + "/etc/polisen-dash/config.toml"])
        #expect(config.status == 0, "\(config.stderr)")

        // A second install keeps an edited config.
        try "interval = 900\n".write(toFile: prefix + "/etc/polisen-dash/config.toml", atomically: true, encoding: .utf8)
        let again = try runTool("/bin/bash", [script, prefix], env: env)
        #expect(again.status == 0)
        #expect(try String(contentsOfFile: prefix + "/etc/polisen-dash/config.toml", encoding: .utf8) == "interval = 900\n")
    }
}
