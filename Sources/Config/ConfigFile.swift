import Engine
import TOMLKit

/// A TOML config file, read through TOMLKit: its top-level keys as raw settings, and its
/// `[[watch]]` rules. An unknown key, a table, or an array is an error that names the key and the file.
public struct ConfigFile: Sendable {
    public let path: String
    public let values: [String: RawSetting]
    public let watchRules: [WatchRule]

    public init(path: String, text: String) throws(SettingError) {
        self.path = path
        let table: TOMLTable
        do { table = try TOMLTable(string: text) } catch let error as TOMLParseError {
            throw SettingError("\(path):\(error.source.begin.line):\(error.source.begin.column): \(error.description)")
        } catch {
            throw SettingError("\(path): \(error)")
        }
        let known = Set(SettingKey.all.map(\.name))
        var values: [String: RawSetting] = [:]
        var watchRules: [WatchRule] = []
        for (key, value) in table {
            if key == "watch" {
                watchRules = try WatchRulesReader.read(value, path: path)
                continue
            }
            guard known.contains(key) else {
                let hint = SettingKey.all.map(\.name).min { editDistance($0, key) < editDistance($1, key) }
                    .flatMap { editDistance($0, key) <= 2 ? $0 : nil }
                throw SettingError(
                    "\(path): unknown key \"\(key)\"" + (hint.map { " (did you mean \"\($0)\"?)" } ?? "")
                        + "; known keys: " + SettingKey.all.map(\.name).joined(separator: ", "))
            }
            if let b = value.bool {
                values[key] = .boolean(b)
            } else if let i = value.int {
                values[key] = .integer(i)
            } else if let d = value.double {
                values[key] = .number(d)
            } else if let s = value.string {
                values[key] = .text(s)
            } else {
                throw SettingError("\(path): \(key) must be a string, number or boolean, not a \(value.type)")
            }
        }
        self.values = values
        self.watchRules = watchRules
    }

    /// The file at `path`, nil when it does not exist (only an explicit --config must exist).
    public static func load(path: String, required: Bool) throws(SettingError) -> ConfigFile? {
        var bytes: [UInt8]?
        do { bytes = try FileIO.readIfExists(path) } catch { throw SettingError("cannot read config file \(path): \(error)") }
        guard let bytes else {
            if required { throw SettingError("config file \(path) does not exist") }
            return nil
        }
        return try ConfigFile(path: path, text: String(decoding: bytes, as: UTF8.self))
    }

    /// $XDG_CONFIG_HOME/polisen-dash/config.toml, else ~/.config/polisen-dash/config.toml.
    public static func defaultPath(environment env: [String: String]) -> String {
        let base = env["XDG_CONFIG_HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? "\(env["HOME"] ?? ".")/.config"
        return "\(base)/polisen-dash/config.toml"
    }
}

/// Levenshtein distance, for "did you mean".
func editDistance(_ a: String, _ b: String) -> Int {
    let a = Array(a.lowercased().replacing("-", with: "_"))
    let b = Array(b.lowercased().replacing("-", with: "_"))
    var row = Array(0...b.count)
    for i in 1...max(a.count, 1) where !a.isEmpty {
        var previous = row[0]
        row[0] = i
        for j in stride(from: 1, through: b.count, by: 1) {
            let saved = row[j]
            row[j] = min(row[j] + 1, row[j - 1] + 1, previous + (a[i - 1] == b[j - 1] ? 0 : 1))
            previous = saved
        }
    }
    return a.isEmpty ? b.count : row[b.count]
}
