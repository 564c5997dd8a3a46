import Engine

/// What an attached dashboard hears from its service besides engine events.
public enum AttachMessage: Sendable {
    /// The answer to a command this dashboard sent (poll_now, reset_404).
    case answer(command: String, ok: Bool, reason: String?)
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
        case .answer(let command, let ok, let reason):
            if command == ControlCommand.reset404 {
                return reduce(.resetDone(error: ok ? nil : reason ?? "refused"))
            }
            // A poll the service refused (the key's own check saw an older budget): say why.
            if !ok {
                manualRequested = false
                say("poll refused by the service: \(reason ?? "no reason given")", .alert)
            }
        case .serviceStopped:
            serviceStopped = true
            runningCycle = nil
            say("the service (pid \(attachedTo.map(String.init) ?? "?")) stopped: t takes over polling here, q quits", .alert)
        }
        return []
    }
}
