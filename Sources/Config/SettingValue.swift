import Engine

/// A raw value before its key's rules are applied: text from a flag or the environment,
/// or a typed value from the config file.
public enum RawSetting: Sendable, Equatable {
    case text(String)
    case integer(Int)
    case number(Double)
    case boolean(Bool)

    var shown: String {
        switch self {
        case .text(let s): "\"\(s)\""
        case .integer(let i): String(i)
        case .number(let d): String(d)
        case .boolean(let b): String(b)
        }
    }
}

/// Where a resolved value came from, highest precedence first.
public enum SettingSource: Sendable, Equatable, CustomStringConvertible {
    case flag(String)
    case environment(String)
    case file(String)
    case defaultValue

    public var description: String {
        switch self {
        case .flag(let f): "flag \(f)"
        case .environment(let v): "environment \(v)"
        case .file(let p): "file \(p)"
        case .defaultValue: "default"
        }
    }
}

/// A value that broke its key's rules, or a key no one knows: names the key and where it was.
public struct SettingError: Error, CustomStringConvertible, Sendable, Equatable {
    public var description: String
    public init(_ description: String) { self.description = description }
}

/// A checked value.
public enum SettingValue: Sendable, Equatable {
    case text(String)
    case number(Double)
    case integer(Int)
    case boolean(Bool)

    /// The value as its key's kind allows, or why not.
    static func check(_ raw: RawSetting, for key: SettingKey) throws(SettingError) -> SettingValue {
        switch (key.kind, raw) {
        case (.string, .text(let s)):
            return .text(s)
        case (.url, .text(let s)):
            guard s.hasPrefix("http://") || s.hasPrefix("https://"), s.count > 8 else {
                throw SettingError("expected an http:// or https:// address, got \(raw.shown)")
            }
            return .text(s)
        case (.hostPort, .text(let s)):
            guard let colon = s.lastIndex(of: ":"), let port = Int(s[s.index(after: colon)...]), (0...65535).contains(port),
                !s[..<colon].isEmpty
            else {
                throw SettingError("expected HOST:PORT such as 127.0.0.1:9464, got \(raw.shown)")
            }
            return .text(s)
        case (.choice(let options), .text(let s)):
            guard options.contains(s.lowercased()) else {
                throw SettingError("expected one of \(options.joined(separator: ", ")), got \(raw.shown)")
            }
            return .text(s.lowercased())
        case (.number(let minimum, let exclusive), _):
            let value: Double?
            switch raw {
            case .number(let d): value = d
            case .integer(let i): value = Double(i)
            case .text(let s): value = Double(trimmedWhitespace(s))
            case .boolean: value = nil
            }
            guard let value, value.isFinite else { throw SettingError("expected a number, got \(raw.shown)") }
            guard exclusive ? value > minimum : value >= minimum else {
                throw SettingError("expected a number \(exclusive ? "above" : "of at least") \(format(minimum)), got \(raw.shown)")
            }
            return .number(value)
        case (.integer(let minimum), _):
            let value: Int?
            switch raw {
            case .integer(let i): value = i
            case .text(let s): value = Int(trimmedWhitespace(s))
            case .number, .boolean: value = nil
            }
            guard let value else { throw SettingError("expected a whole number, got \(raw.shown)") }
            guard value >= minimum else { throw SettingError("expected a whole number of at least \(minimum), got \(raw.shown)") }
            return .integer(value)
        case (.boolean, .boolean(let b)):
            return .boolean(b)
        case (.boolean, .text(let s)):
            switch s.lowercased() {
            case "true", "1", "yes", "on": return .boolean(true)
            case "false", "0", "no", "off": return .boolean(false)
            default: throw SettingError("expected true or false, got \(raw.shown)")
            }
        default:
            throw SettingError("expected \(key.kind.expected), got \(raw.shown)")
        }
    }

    public var text: String {
        switch self {
        case .text(let s): s
        case .number(let d): format(d)
        case .integer(let i): String(i)
        case .boolean(let b): String(b)
        }
    }
}

extension SettingKey.Kind {
    var expected: String {
        switch self {
        case .string: "a string"
        case .url: "an http(s) address"
        case .hostPort: "a HOST:PORT string"
        case .choice(let o): "one of \(o.joined(separator: ", "))"
        case .number: "a number"
        case .integer: "a whole number"
        case .boolean: "true or false"
        }
    }
}

/// 10 → "10", 0.5 → "0.5".
private func format(_ d: Double) -> String {
    d == d.rounded() && abs(d) < 1e15 ? String(Int(d)) : String(d)
}
