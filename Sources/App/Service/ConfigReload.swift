import Config
import Dispatch
import Engine
import Logging

#if canImport(Glibc)
    import Glibc
#endif

/// SIGHUP in `run`: read the config file again, the way a daemon is expected to. log_level
/// changes at once; every other key is named in the log as needing a restart (the store, the
/// API and the schedule belong to the running engine). A file that no longer parses or checks
/// is reported and the running configuration is kept — a reload never stops the service.
final class ConfigReload: @unchecked Sendable {
    private let source: any DispatchSourceSignal
    private let state: State

    init(options: EngineOptions, current: Settings, level: LogLevelSetting, logger: Logger) {
        state = State(options: options, current: current, level: level, logger: logger)
        signal(SIGHUP, SIG_IGN)
        source = DispatchSource.makeSignalSource(signal: SIGHUP, queue: .global())
        let state = self.state
        source.setEventHandler { Task { await state.reload() } }
        source.resume()
    }

    deinit { source.cancel() }

    private actor State {
        let options: EngineOptions
        let running: Settings
        let level: LogLevelSetting
        let logger: Logger

        init(options: EngineOptions, current: Settings, level: LogLevelSetting, logger: Logger) {
            self.options = options
            self.running = current
            self.level = level
            self.logger = logger
        }

        func reload() {
            let fresh: Setup
            do { fresh = try options.resolve() } catch {
                logger.error("SIGHUP: \(error); keeping the running configuration", metadata: ["reload": "failed"])
                return
            }
            var applied: [String] = []
            var pending: [String] = []
            if fresh.logLevel != level.value {
                level.value = fresh.logLevel
                applied.append("log_level = \(fresh.logLevel.rawValue)")
            }
            // Compared with what the engine started with, so a second reload still names them.
            for entry in fresh.settings.entries where entry.key != .logLevel && entry != running.entry(entry.key) {
                pending.append(entry.key.name)
            }
            var message = "SIGHUP: reloaded \(fresh.settings.filePath ?? "(no config file)")"
            message += applied.isEmpty ? "" : "; applied \(applied.joined(separator: ", "))"
            message += pending.isEmpty ? "" : "; changed, taking effect at the next start: \(pending.joined(separator: ", "))"
            if applied.isEmpty && pending.isEmpty { message += "; nothing changed" }
            logger.notice("\(message)", metadata: ["reload": "ok"])
        }
    }
}
