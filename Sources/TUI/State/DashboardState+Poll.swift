import Engine

/// `p`: the request goes to the engine, whose rule (`ManualPoll`) decides; the engine answers
/// by starting a cycle or with `EngineEvent.pollRefused`, said here in the status line.
extension DashboardState {
    mutating func pollNow() -> [DashboardEffect] {
        if runningCycle != nil {
            say("a cycle is running: this poll is part of it", .info)
        } else if let b = budget, b.nextAllowedAt > now {
            // Only a wait the engine may still refuse; its answer replaces this one.
            say(
                "poll at \(clockTime(b.nextAllowedAt)) (in \(countdown(b.nextAllowedAt - now))): calls are spaced by the API's rules", .info
            )
        } else {
            say("polling now", .info)
        }
        manualRequested = true
        return [.pollNow]
    }

    /// The engine's refusal, with when it will be possible (the status line's full and short
    /// wordings).
    mutating func sayRefused(_ r: ManualPoll.Refusal) {
        let reason = TerminalText.sanitize(r.reason)
        let when = r.until.map { "\(clockTime($0)) (in \(countdown($0 - now)))" }
        switch r.kind {
        case .stopped:
            // The key's own wording of the stop: R is this screen's way to reset it.
            let stop = phase.stopReason.map { "polling is stopped (\(TerminalText.sanitize($0)))" } ?? "polling is stopped by a 404"
            say("poll refused: \(stop); R resets the stop", .alert, short: "poll refused: stopped by a 404; R resets it")
        case .hourBudget, .dayBudget, .notBefore:
            let short = r.kind == .hourBudget ? "hour budget used up" : r.kind == .dayBudget ? "day budget used up" : "the API asked to wait"
            say(
                "poll refused: \(reason)\(when.map { "; possible at \($0)" } ?? "")", .alert,
                short: "poll refused: \(short)\(when.map { "; at \($0)" } ?? "")")
        }
    }

    mutating func sayStopCleared() {
        say("404 stop cleared: polling resumes with the next cycle (p polls now)", .info, short: "404 stop cleared: polling resumes")
    }
}

extension EnginePhase {
    var isStopped: Bool { stopReason != nil }

    var stopReason: String? {
        if case .stopped(let reason) = self { return reason }
        return nil
    }
}
