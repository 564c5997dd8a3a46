import Engine

/// The failure and retry log, newest first: time, stage, attempt, outcome, and the error on a
/// second line (cut with "…"; Enter on the selected failure shows it whole with a hint).
struct FailuresPane {
    let state: DashboardState
    let theme: Theme

    func draw(_ buf: inout CellBuffer, _ r: Rect) {
        let focused = state.focus == .failures
        let title = "Failures and retries · \(state.failures.count)"
        let titles =
            (focused && !state.failures.isEmpty ? [title + " · Enter: whole error", title + " · Enter opens"] : []) + [
                title, "Failures · \(state.failures.count)",
            ]
        buf.box(r, title: fit(titles, r.width - 6), style: focused ? theme.focusedBorder : theme.border, titleStyle: theme.paneTitle)
        let inner = r.inset(1)
        guard !state.failures.isEmpty else {
            buf.put("none", x: inner.x + 1, y: inner.y, style: theme.ok)
            return
        }
        // Keep the selected failure in view.
        let perPage = max(1, inner.height / 2)
        let first = max(0, state.failureScroll - perPage + 1)
        var y = inner.y
        for (offset, f) in state.failures.reversed().dropFirst(first).enumerated() {
            guard y + 1 < inner.maxY || (y < inner.maxY && inner.height == 1) else { break }
            let (outcome, outcomeStyle) = describe(f)
            var x = inner.x
            x += buf.put(clockTime(f.at) + " ", x: x, y: y, style: theme.dim)
            x += buf.put(truncate("\(f.stage.title) #\(f.attempt) ", inner.maxX - x), x: x, y: y)
            buf.put(truncate(outcome, inner.maxX - x), x: x, y: y, style: outcomeStyle)
            buf.put(truncate(TerminalText.sanitize(f.error), inner.width - 2), x: inner.x + 2, y: y + 1, style: theme.dim)
            if focused && first + offset == state.failureScroll {
                buf.restyle(Rect(x: inner.x, y: y, width: inner.width, height: 2)) { $0.reverse = true }
            }
            y += 2
        }
    }

    private func describe(_ f: FailureEntry) -> (String, Style) {
        switch f.outcome {
        case .retrying:
            // The real time of the next attempt: the backoff, or later when the rate budget's
            // spacing holds it back.
            var at = f.at + (f.backoff ?? 0)
            if f == state.failures.last {
                switch state.phase {
                case .backingOff(let until), .waitingForBudget(let until):
                    at = max(at, until, state.budget?.nextAllowedAt ?? 0)
                default: break
                }
            }
            return ("retry in \(countdown(at - f.at))", theme.warn)
        case .gaveUp: return ("gave up", theme.error)
        case .recovered: return ("recovered", theme.ok)
        case .stopped: return ("STOPPED", theme.error)
        }
    }
}
