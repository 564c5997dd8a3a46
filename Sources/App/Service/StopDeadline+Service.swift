import Engine
import Logging

#if canImport(Glibc)
    import Glibc
#endif

extension StopDeadline {
    /// `run`'s stop after SIGINT/SIGTERM: 8 s, inside the unit's TimeoutStopSec=10, so a stop
    /// that hangs says what it was waiting for and exits 1 instead of being killed at the stop
    /// timeout without a word.
    static func forService(logger: Logger, limit: Double = 8) -> StopDeadline {
        StopDeadline(limit: limit, first: "the cycle in flight to end") { waitingFor in
            logger.critical(
                "stop did not finish within \(formatDuration(limit)): still waiting for \(waitingFor); exiting with status \(ExitStatus.failed.rawValue)")
            // At once: a stuck stop may hold locks that exit's clean-up would wait for.
            _exit(ExitStatus.failed.rawValue)
        }
    }
}
