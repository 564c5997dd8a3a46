import ArgumentParser
import Engine

/// Every exit status the program uses, in one place: scripts and the systemd unit
/// (RestartPreventExitStatus) rely on these numbers, and `--help` and the README list them.
/// The 6x/7x values follow BSD sysexits.h, which other daemons and supervisors already know.
enum ExitStatus: Int32, CaseIterable, Sendable {
    case ok = 0
    /// A cycle (or the start: store, network, metrics address) failed, or `run`'s stop did not
    /// finish in time; worth retrying.
    case failed = 1
    /// `poll --once`: the rate budget does not allow a call within the wait allowed.
    case budgetWait = 2
    /// Polling is stopped by an earlier HTTP 404 until `reset-404`.
    case stopped404 = 3
    /// Bad command line (swift-argument-parser's validation errors use the same number).
    case usage = 64
    /// `status`, `replay`, `export`, `compact`: the store does not exist or is not a folder.
    case noStore = 66
    /// Another polisen-dash holds the store's lock.
    case storeLocked = 75
    /// A missing or bad config file, or a bad setting: restarting will not help.
    case configError = 78

    var meaning: String {
        switch self {
        case .ok: "success"
        case .failed: "a cycle failed, or the start did (store, network, metrics address), or run's stop took over 8 s"
        case .budgetWait: "poll --once: the rate budget allows no call in time"
        case .stopped404: "polling is stopped by an HTTP 404 until `polisen-dash reset-404`"
        case .usage: "bad command line"
        case .noStore: "status, replay, export, compact: no store at that place, or it is not a folder"
        case .storeLocked: "another polisen-dash is polling the store"
        case .configError: "missing or bad config file or setting"
        }
    }

    /// The table for `--help` and the man page.
    static var helpTable: String {
        "Exit status:\n" + allCases.map { "  \(padRight(String($0.rawValue), 3))  \($0.meaning)" }.joined(separator: "\n")
    }

    var exitCode: ExitCode { ExitCode(rawValue) }
}

/// Fails a command with a one-line reason and its exit status.
struct CommandFailure: Error, CustomStringConvertible {
    var description: String
    var status: ExitStatus = .failed
}
