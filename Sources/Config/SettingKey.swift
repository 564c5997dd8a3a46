import Engine

/// One configurable value: its name in the config file, its environment variable and flag,
/// how its text is read, and its default. `SettingKey.all` is the one table the resolver,
/// the `config` command and the sample config file agree on.
public struct SettingKey: Sendable, Hashable {
    public enum Kind: Sendable, Hashable {
        case string, url
        case number(minimum: Double, exclusive: Bool)
        case integer(minimum: Int)
        case boolean
        case choice([String])
        case hostPort
    }

    /// The config-file key, e.g. `min_spacing`.
    public let name: String
    public let kind: Kind
    /// The default as text; nil when the setting is off unless given.
    public let defaultText: String?
    public let help: String
    /// Shown as <redacted> by `config`.
    public let secret: Bool

    public init(_ name: String, _ kind: Kind, default defaultText: String?, secret: Bool = false, help: String) {
        self.name = name
        self.kind = kind
        self.defaultText = defaultText
        self.secret = secret
        self.help = help
    }

    /// POLISEN_DASH_MIN_SPACING
    public var environmentVariable: String { "POLISEN_DASH_" + name.uppercased() }
    /// --min-spacing
    public var flag: String { "--" + name.replacing("_", with: "-") }

    public static let apiURL = SettingKey("api_url", .url, default: EngineConfig.defaultAPIURL, help: "The events API address.")
    public static let userAgent = SettingKey(
        "user_agent", .string, default: EngineConfig.defaultUserAgent,
        help: "The User-Agent sent to the API; it must name the application.")
    public static let store = SettingKey(
        "store", .string, default: nil,
        help: "A folder, or s3://BUCKET/PREFIX. Default: $XDG_DATA_HOME/polisen-dash.")
    public static let s3Endpoint = SettingKey("s3_endpoint", .url, default: nil, help: "The S3-compatible endpoint of an s3:// store.")
    public static let s3Region = SettingKey("s3_region", .string, default: "us-east-1", help: "The region for SigV4 signing.")
    public static let minSpacing = SettingKey(
        "min_spacing", .number(minimum: 0, exclusive: false), default: "10",
        help: "Minimum seconds between API calls (the API's rule is 10).")
    public static let maxPerHour = SettingKey(
        "max_per_hour", .integer(minimum: 1), default: "60",
        help: "Maximum API calls in any hour (the API's rule is 60).")
    public static let maxPerDay = SettingKey(
        "max_per_day", .integer(minimum: 1), default: "1440",
        help: "Maximum API calls in any 24 hours (the API's rule is 1440).")
    public static let timeout = SettingKey(
        "timeout", .number(minimum: 0, exclusive: true), default: "30",
        help: "Seconds before a request is abandoned.")
    public static let storeTimeout = SettingKey(
        "store_timeout", .number(minimum: 0, exclusive: true), default: "\(Int(S3Client.defaultTimeout))",
        help:
            "Seconds an object-store request may take (no byte for half of it also ends it); retries stop once an operation has spent this long."
    )
    public static let maxAttempts = SettingKey(
        "max_attempts", .integer(minimum: 1), default: "4",
        help: "Attempts per cycle, the first included.")
    public static let interval = SettingKey(
        "interval", .number(minimum: 0, exclusive: true), default: "1800",
        help: "Seconds between scheduled cycles (with --adaptive, the usual cadence: sooner when busy, up to twice this when quiet).")
    public static let adaptive = SettingKey(
        "adaptive", .boolean, default: "false",
        help: "Poll sooner when the window fills or a gap is seen, slower when quiet.")
    public static let metricsAddr = SettingKey(
        "metrics_addr", .hostPort, default: nil,
        help: "HOST:PORT serving Prometheus /metrics and /healthz (off by default).")
    public static let logLevel = SettingKey(
        "log_level", .choice(["trace", "debug", "info", "notice", "warning", "error", "critical"]),
        default: "info", help: "The least severe log level written.")
    public static let logFormat = SettingKey(
        "log_format", .choice(["text", "json"]), default: "text",
        help: "Log lines as text or as one JSON object per line.")

    public static let all: [SettingKey] = [
        apiURL, userAgent, store, s3Endpoint, s3Region, minSpacing, maxPerHour, maxPerDay,
        timeout, storeTimeout, maxAttempts, interval, adaptive, metricsAddr, logLevel, logFormat,
    ]
}
