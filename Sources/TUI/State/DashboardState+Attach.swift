import Engine

/// What an attached dashboard hears from its service besides engine events.
public enum AttachMessage: Sendable {
    /// The answer to a command this dashboard sent (poll_now, reset_404).
    case answer(command: String, ok: Bool, reason: String?, until: Double? = nil)
    /// The connection ended: the service stopped.
    case serviceStopped
}

extension DashboardState {
    /// Opens on the picture a service sent when this dashboard attached.
    public mutating func seed(from s: ServiceSnapshot) {
        attachedTo = s.pid
        apiURL = s.apiURL
        schedule = s.schedule
        phase = s.phase
        runningCycle = s.runningCycle
        nextPollAt = s.nextPollAt
        budget = s.budget
        reports = Array(s.reports.suffix(Self.keptReports))
        failures = Array(s.failures.suffix(Self.keptFailures))
        events = Array(s.events.prefix(Self.keptEvents))
        lastSuccessAt = s.reports.last { $0.outcome == .ok }.map { $0.startedAt + ($0.totalMs + $0.waitedMs) / 1000 }
    }

    mutating func reduceAttach(_ message: AttachMessage) -> [DashboardEffect] {
        switch message {
        case .answer(let command, let ok, let reason, let until):
            if command == ControlCommand.reset404 {
                return reduce(.resetDone(error: ok ? nil : reason ?? "refused"))
            }
            // The service's refusal comes as an engine event too (`pollRefused`); whichever
            // arrives first answers the key.
            if !ok && manualRequested {
                manualRequested = false
                let when = until.map { "; possible at \(clockTime($0)) (in \(countdown($0 - now)))" } ?? ""
                say("poll refused by the service: \(TerminalText.sanitize(reason ?? "no reason given"))\(when)", .alert)
            }
        case .serviceStopped:
            serviceStopped = true
            runningCycle = nil
            say("the service (pid \(attachedTo.map(String.init) ?? "?")) stopped: t takes over polling here, q quits", .alert)
        }
        return []
    }
}
