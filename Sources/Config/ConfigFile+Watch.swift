import Engine
import TOMLKit

/// The `[[watch]]` tables of a config file, read into rules. Every problem is an error that
/// names the file and the rule (by name when it has one, else by its place), so a bad rule
/// stops the program before any call.
enum WatchRulesReader {
    static let keys = ["name", "query", "bell", "command", "timeout"]

    static func read(_ value: TOMLValueConvertible, path: String) throws(SettingError) -> [WatchRule] {
        guard let array = value.array else {
            throw SettingError("\(path): watch rules are [[watch]] tables (with name and query), not a \(value.type)")
        }
        var rules: [WatchRule] = []
        for (index, element) in array.enumerated() {
            guard let table = element.table else {
                throw SettingError("\(path): watch rule \(index + 1) must be a table, not a \(element.type)")
            }
            let name = table["name"]?.string
            let label = name.map { "watch rule \"\($0)\"" } ?? "watch rule \(index + 1)"
            func fail(_ problem: String) -> SettingError { SettingError("\(path): \(label): \(problem)") }
            for (key, _) in table where !keys.contains(key) {
                throw fail("unknown key \"\(key)\"; known keys: \(keys.joined(separator: ", "))")
            }
            guard let name, !name.allSatisfy(\.isWhitespace) else {
                throw fail(table["name"] == nil ? "missing name" : "name must be a non-empty string")
            }
            guard !rules.contains(where: { $0.name == name }) else { throw fail("a second rule with the same name") }
            guard let query = table["query"] else { throw fail("missing query") }
            guard let queryText = query.string else { throw fail("query must be a string, not a \(query.type)") }
            var bell = false
            if let b = table["bell"] {
                guard let flag = b.bool else { throw fail("bell must be true or false, not a \(b.type)") }
                bell = flag
            }
            var command: String?
            if let c = table["command"] {
                guard let text = c.string else { throw fail("command must be a string, not a \(c.type)") }
                guard !text.allSatisfy(\.isWhitespace) else { throw fail("command is empty") }
                command = text
            }
            var timeout: Double?
            if let t = table["timeout"] {
                guard let seconds = t.double ?? t.int.map(Double.init), seconds > 0, seconds <= 3600 else {
                    throw fail("timeout must be a number of seconds above 0 and at most 3600")
                }
                guard command != nil else { throw fail("timeout is for a command, and the rule has none") }
                timeout = seconds
            }
            do {
                rules.append(
                    try WatchRule(
                        name: name, query: queryText, bell: bell, command: command, timeout: timeout,
                        colorIndex: index))
            } catch {
                throw fail("query \"\(queryText)\": \(error)")
            }
        }
        return rules
    }
}
