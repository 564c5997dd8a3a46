import Engine

/// The commands a control-socket client can send, answered against the service's engine.
/// `poll_now` is the dashboard's `p`: the scheduler's, refused by the same rule, else
/// single-flight (at most one API call, within the rate budget).
struct ControlCommands: Sendable {
    let poller: Poller
    let scheduler: Scheduler
    let state: ServiceState
    let clock: any WallClock

    func answer(_ line: [UInt8]) async -> (message: ControlMessage, understood: Bool) {
        guard let command = try? ControlWire.decode(ControlCommand.self, line: line) else {
            return (
                ControlMessage(
                    reply: "error", ok: false, reason: "not a command: expected one JSON object a line, e.g. {\"command\":\"snapshot\"}"),
                false
            )
        }
        switch command.command {
        case ControlCommand.pollNow: return (await pollNow(), true)
        case ControlCommand.reset404: return (await reset404(), true)
        case ControlCommand.snapshot: return (ControlMessage(reply: ControlCommand.snapshot, ok: true, snapshot: state.snapshot()), true)
        default:
            let known = ControlCommand.all.joined(separator: ", ")
            return (ControlMessage(reply: "error", ok: false, reason: "unknown command \"\(command.command)\" (known: \(known))"), false)
        }
    }

    private func pollNow() async -> ControlMessage {
        let now = clock.now()
        let budget = await poller.budget()
        switch await scheduler.pollNow() {
        case .refused(let refusal):
            return ControlMessage(reply: ControlCommand.pollNow, ok: false, reason: refusal.reason, until: refusal.until)
        case .started:
            let waits = budget.nextAllowedAt > now
            return ControlMessage(
                reply: ControlCommand.pollNow, ok: true,
                reason: waits ? "waiting for the spacing between calls" : nil, until: waits ? budget.nextAllowedAt : nil)
        case .alreadyRunning:
            return ControlMessage(
                reply: ControlCommand.pollNow, ok: true, reason: "a cycle is already running or asked for: this poll is part of it")
        }
    }

    private func reset404() async -> ControlMessage {
        guard await poller.stop != nil else {
            return ControlMessage(reply: ControlCommand.reset404, ok: true, reason: "polling was not stopped")
        }
        do {
            try await poller.clearStop()
            return ControlMessage(reply: ControlCommand.reset404, ok: true)
        } catch {
            return ControlMessage(reply: ControlCommand.reset404, ok: false, reason: "\(error)")
        }
    }
}
