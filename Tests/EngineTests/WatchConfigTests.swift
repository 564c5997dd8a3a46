import Engine
import Testing

@testable import Config

@Suite struct WatchConfigTests {
    func file(_ text: String) throws -> ConfigFile { try ConfigFile(path: "/etc/test/config.toml", text: text) }

    func error(_ text: String) -> String? {
        do {
            _ = try file(text)
            return nil
        } catch { return "\(error)" }
    }

    @Test func rulesAreReadInOrderWithTheirColour() throws {
        let f = try file(
            """
            interval = 600
            [[watch]]
            name = "skåne shootings"
            query = "type:skottlossning place:skåne"
            bell = true
            [[watch]]
            name = "fires"
            query = "type:brand -type:\\"brand i byggnad\\""
            command = "cat >> /tmp/fires.jsonl"
            timeout = 2.5
            """)
        #expect(f.watchRules.map(\.timeout) == [nil, 2.5])
        #expect(f.values["interval"] == .integer(600))
        #expect(f.watchRules.map(\.name) == ["skåne shootings", "fires"])
        #expect(f.watchRules.map(\.colorIndex) == [0, 1])
        #expect(f.watchRules.map(\.bell) == [true, false])
        #expect(f.watchRules.map(\.command) == [nil, "cat >> /tmp/fires.jsonl"])
        #expect(f.watchRules[1].query == EventQuery("type:brand -type:\"brand i byggnad\""))
        let shooting = PoliceEvent(
            id: 1, datetime: "2026-08-22 17:54:00 +02:00", name: "22 augusti 17.50, Skottlossning, Malmö",
            summary: "", type: "Skottlossning", location: .init(name: "Skåne län"))
        #expect(f.watchRules.matching(shooting).map(\.name) == ["skåne shootings"])
        let s = try Settings.resolve(flags: [:], environment: [:], file: f)
        #expect(s.watchRules == f.watchRules)
    }

    @Test func badRulesAreErrorsNamingTheFileAndTheRule() {
        let cases: [(String, String)] = [
            ("[[watch]]\nquery = \"brand\"", "/etc/test/config.toml: watch rule 1: missing name"),
            (
                "[[watch]]\nname = \"a\"\nquery = \"x\"\n[[watch]]\nname = \"fires\"",
                "/etc/test/config.toml: watch rule \"fires\": missing query"
            ),
            (
                "[[watch]]\nname = \"fires\"\nquery = \"type:\\\"brand\"",
                "/etc/test/config.toml: watch rule \"fires\": query \"type:\"brand\": unclosed quote (opened at character 6)"
            ),
            (
                "[[watch]]\nname = \"fires\"\nquery = \"brand\"\nbel = true",
                "/etc/test/config.toml: watch rule \"fires\": unknown key \"bel\"; known keys: name, query, bell, command, timeout"
            ),
            (
                "[[watch]]\nname = \"fires\"\nquery = \"brand\"\ncommand = \"true\"\ntimeout = 0",
                "watch rule \"fires\": timeout must be a number of seconds above 0"
            ),
            (
                "[[watch]]\nname = \"fires\"\nquery = \"brand\"\ntimeout = 5",
                "watch rule \"fires\": timeout is for a command, and the rule has none"
            ),
            ("[[watch]]\nname = \"fires\"\nquery = \"brand\"\nbell = \"yes\"", "watch rule \"fires\": bell must be true or false"),
            ("[[watch]]\nname = \"fires\"\nquery = 3", "watch rule \"fires\": query must be a string"),
            ("[[watch]]\nname = \"fires\"\nquery = \"brand\"\ncommand = \" \"", "watch rule \"fires\": command is empty"),
            ("[[watch]]\nname = \"\"\nquery = \"brand\"", "watch rule \"\": name must be a non-empty string"),
            (
                "[[watch]]\nname = \"a\"\nquery = \"x\"\n[[watch]]\nname = \"a\"\nquery = \"y\"",
                "watch rule \"a\": a second rule with the same name"
            ),
            ("watch = \"brand\"", "/etc/test/config.toml: watch rules are [[watch]] tables"),
        ]
        for (text, expected) in cases {
            let message = error(text)
            #expect(message?.contains(expected) == true, "\(text): \(message ?? "accepted")")
        }
    }
}
