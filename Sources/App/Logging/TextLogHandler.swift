import Engine
import FoundationEssentials
import Logging

/// Readable log lines on stderr: `TIME LEVEL LABEL: MESSAGE key=value …`. Under journald
/// (JOURNAL_STREAM set by systemd) each line starts with its sd-daemon priority, `<3>` for an
/// error, so `journalctl -p err` finds it, and the time is left to the journal. Text that may
/// come from the API or a server is sanitised: a log line cannot steer a terminal.
struct TextLogHandler: LogHandler {
    let label: String
    let level: LogLevelSetting
    let journald: Bool
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
        let fields = metadata.merging(event.metadata ?? [:]) { $1 }
        var line = journald ? "<\(event.level.syslogPriority)>" : Date().ISO8601Format() + " "
        line += "\(event.level.rawValue) \(label): " + TerminalText.sanitize(event.message.description)
        if !fields.isEmpty {
            line +=
                " "
                + fields.sorted { $0.key < $1.key }.map { "\($0.key)=\(TerminalText.sanitize($0.value.description))" }
                .joined(separator: " ")
        }
        if let error = event.error { line += " error=" + TerminalText.sanitize("\(error)") }
        StandardStreams.error(line + "\n")
    }
}
