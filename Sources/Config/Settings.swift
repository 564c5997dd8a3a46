import Engine

/// The effective configuration: every key's checked value and where it came from.
/// Precedence: flag, then environment (POLISEN_DASH_…), then config file, then default.
public struct Settings: Sendable {
    public struct Entry: Sendable, Equatable {
        public let key: SettingKey
        public let value: SettingValue?
        public let source: SettingSource
    }

    public let entries: [Entry]
    /// The config file that was read, if any.
    public let filePath: String?
    /// The file's `[[watch]]` rules (they have no flag or environment variable).
    public var watchRules: [WatchRule] = []

    /// - flags: raw text of the flags given on the command line, by key name.
    public static func resolve(
        flags: [String: String], environment: [String: String],
        file: ConfigFile?
    ) throws(SettingError) -> Settings {
        var entries: [Entry] = []
        for key in SettingKey.all {
            let candidate: (RawSetting, SettingSource)?
            if let text = flags[key.name] {
                candidate = (.text(text), .flag(key.flag))
            } else if let text = environment[key.environmentVariable], !text.isEmpty {
                candidate = (.text(text), .environment(key.environmentVariable))
            } else if let file, let raw = file.values[key.name] {
                candidate = (raw, .file(file.path))
            } else {
                candidate = key.defaultText.map { (.text($0), .defaultValue) }
            }
            guard let (raw, source) = candidate else {
                entries.append(Entry(key: key, value: nil, source: .defaultValue))
                continue
            }
            do { entries.append(Entry(key: key, value: try SettingValue.check(raw, for: key), source: source)) } catch {
                throw SettingError("\(key.name) (\(source)): \(error.description)")
            }
        }
        var settings = Settings(entries: entries, filePath: file?.path)
        settings.watchRules = file?.watchRules ?? []
        return settings
    }

    public func entry(_ key: SettingKey) -> Entry {
        entries.first { $0.key == key }!
    }

    public func string(_ key: SettingKey) -> String? { entry(key).value?.text }

    public func number(_ key: SettingKey) -> Double {
        guard case .number(let d) = entry(key).value else { preconditionFailure("\(key.name) is not a number with a default") }
        return d
    }

    public func integer(_ key: SettingKey) -> Int {
        guard case .integer(let i) = entry(key).value else { preconditionFailure("\(key.name) is not an integer with a default") }
        return i
    }

    public func boolean(_ key: SettingKey) -> Bool {
        guard case .boolean(let b) = entry(key).value else { return false }
        return b
    }

    /// What `config` shows for a value: secrets and passwords in addresses redacted.
    public static func shown(_ entry: Entry) -> String {
        guard let value = entry.value else { return "(not set)" }
        if entry.key.secret { return "<redacted>" }
        return redactingUserInfo(value.text)
    }
}

/// https://user:secret@host/ → https://user:<redacted>@host/
public func redactingUserInfo(_ address: String) -> String {
    guard let scheme = address.firstRange(of: "://") else { return address }
    let rest = address[scheme.upperBound...]
    let authorityEnd = rest.firstIndex(of: "/") ?? rest.endIndex
    guard let at = rest[..<authorityEnd].lastIndex(of: "@") else { return address }
    let userInfo = rest[..<at]
    let user = userInfo.prefix { $0 != ":" }
    guard user.count < userInfo.count else { return address }
    return String(address[..<scheme.upperBound]) + user + ":<redacted>" + String(rest[at...])
}
