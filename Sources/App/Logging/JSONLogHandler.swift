import FoundationEssentials
import Logging

/// One JSON object per line on stderr: time, level, label, message and the metadata as fields
/// of their own (numbers and booleans as such), so Loki, Vector or journald can query
/// `cycle`, `outcome`, `new`, `updated`, `duration_ms`, `stage`, `error_kind`, `retry_in_s`.
struct JSONLogHandler: LogHandler {
    var label: String
    let level: LogLevelSetting
    var metadata: Logger.Metadata = [:]

    var logLevel: Logger.Level {
        get { level.value }
        set { level.value = newValue }
    }

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        var object: [String: JSONOutput.Value] = [
            "time": .string(JSONOutput.timestamp(Date().timeIntervalSince1970)),
            "level": .string(event.level.rawValue), "label": .string(label), "message": .string(event.message.description),
        ]
        for (k, v) in metadata.merging(event.metadata ?? [:], uniquingKeysWith: { $1 }) { object[k] = JSONOutput.Value(v) }
        if let error = event.error { object["error"] = .string("\(error)") }
        StandardStreams.error(JSONOutput.Value.object(object).text + "\n")
    }
}
