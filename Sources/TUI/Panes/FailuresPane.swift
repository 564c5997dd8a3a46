import Engine

/// The failure and retry log, newest first: time, stage, error, attempt, backoff, outcome.
struct FailuresPane {
    let state: DashboardState
    let theme: Theme

    func draw(_ buf: inout CellBuffer, _ r: Rect) {
        buf.box(r, title: "Failures and retries · \(state.failures.count)", style: state.focus == .failures ? theme.focusedBorder : theme.border, titleStyle: theme.paneTitle)
        let inner = r.inset(1)
        guard !state.failures.isEmpty else {
            buf.put("none", x: inner.x + 1, y: inner.y, style: theme.ok)
            return
        }
        var y = inner.y
        for f in state.failures.reversed().dropFirst(state.failureScroll) {
            guard y + 1 < inner.maxY || (y < inner.maxY && inner.height == 1) else { break }
            let outcomeStyle: Style
            let outcome: String
            switch f.outcome {
            case .retrying: outcome = "retry in \(countdown(f.backoff ?? 0))"; outcomeStyle = theme.warn
            case .gaveUp: outcome = "gave up"; outcomeStyle = theme.error
            case .recovered: outcome = "recovered"; outcomeStyle = theme.ok
            case .stopped: outcome = "STOPPED"; outcomeStyle = theme.error
            }
            var x = inner.x
            x += buf.put(clockTime(f.at) + " ", x: x, y: y, style: theme.dim)
            x += buf.put("\(f.stage.title) #\(f.attempt) ", x: x, y: y)
            buf.put(outcome, x: x, y: y, style: outcomeStyle, maxWidth: inner.maxX - x)
            buf.put(f.error, x: inner.x + 2, y: y + 1, style: theme.dim, maxWidth: inner.width - 2)
            y += 2
        }
    }
}
