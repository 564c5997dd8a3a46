import Engine
import Logging

/// The log's view of the engine: one line per cycle and one per failed attempt, each with
/// its facts as metadata (JSON log lines carry them as fields of their own).
extension CycleReport {
    var logMetadata: Logger.Metadata {
        var fields: Logger.Metadata = [
            "cycle": .stringConvertible(cycle), "outcome": .string(outcome.rawValue), "new": .stringConvertible(new),
            "updated": .stringConvertible(updated), "fetched": .stringConvertible(fetched),
            "duration_ms": .stringConvertible(JSONOutput.rounded(totalMs)), "retries": .stringConvertible(retries),
        ]
        if let status = http?.status { fields["http_status"] = .stringConvertible(status) }
        if gap { fields["gap"] = .stringConvertible(true) }
        return fields
    }

    /// `stopped`: polling is stopped by a 404 (a skipped cycle is otherwise a wait for the
    /// rate budget, worth a notice, not a warning).
    func log(to logger: Logger, stopped: Bool) {
        switch outcome {
        case .ok: logger.info("\(summaryLine)", metadata: logMetadata)
        case .failed: logger.error("\(summaryLine)", metadata: logMetadata)
        case .skipped where stopped: logger.warning("\(summaryLine)", metadata: logMetadata)
        case .skipped: logger.notice("\(summaryLine)", metadata: logMetadata)
        }
    }
}

extension FailureEntry {
    var logMetadata: Logger.Metadata {
        var fields: Logger.Metadata = [
            "cycle": .stringConvertible(cycle), "stage": .string(stage.rawValue), "attempt": .stringConvertible(attempt),
            "error_kind": .string(kind?.rawValue ?? stage.rawValue), "outcome": .string(outcome.rawValue),
        ]
        if let backoff { fields["retry_in_s"] = .stringConvertible(JSONOutput.rounded(backoff)) }
        return fields
    }

    var logMessage: String {
        let next =
            switch outcome {
            case .retrying: backoff.map { "; retrying in \(formatDuration($0))" } ?? "; retrying"
            case .gaveUp: "; giving up this cycle"
            case .stopped: "; polling stopped"
            case .recovered: ""
            }
        return "cycle \(cycle): \(stage.rawValue) attempt \(attempt): \(error)\(next)"
    }
}

/// Logs every failed attempt from the engine's stream until it ends: warnings while retrying,
/// errors when the cycle gives up or polling stops.
func logFailures(of poller: Poller, to logger: Logger) -> Task<Void, Never> {
    let events = poller.subscribe()
    return Task {
        for await event in events {
            // A watch rule's failure is logged by its runner, which knows it ends no cycle.
            guard case .failure(let entry) = event, entry.outcome != .recovered, entry.stage != .watch else { continue }
            if entry.outcome == .retrying {
                logger.warning("\(entry.logMessage)", metadata: entry.logMetadata)
            } else {
                logger.error("\(entry.logMessage)", metadata: entry.logMetadata)
            }
        }
    }
}
