import Logging
import Synchronization

/// The least severe level written, shared by every copy of the process's log handler, so a
/// SIGHUP reload can change it for loggers already handed out (swift-log copies handlers).
final class LogLevelSetting: Sendable {
    private let level: Mutex<Logger.Level>
    init(_ level: Logger.Level) { self.level = Mutex(level) }
    var value: Logger.Level {
        get { level.withLock { $0 } }
        set { level.withLock { $0 = newValue } }
    }
}

extension Logger.Level {
    /// sd-daemon(3) priority: what journald files a `<N>`-prefixed line under (`journalctl -p`).
    var syslogPriority: Int {
        switch self {
        case .trace, .debug: 7
        case .info: 6
        case .notice: 5
        case .warning: 4
        case .error: 3
        case .critical: 2
        }
    }
}
