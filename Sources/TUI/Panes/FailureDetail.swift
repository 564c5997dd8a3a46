import Engine

/// One failure whole, over the list: when, where, the attempt and outcome, the whole error
/// wrapped, and one line on what to do about that kind of failure.
struct FailureDetail {
    let state: DashboardState
    let theme: Theme

    func draw(_ buf: inout CellBuffer, _ f: FailureEntry, over r: Rect) {
        buf.fill(r.inset(1))
        let box = Rect(x: r.x + 1, y: r.y + 1, width: r.width - 2, height: r.height - 2)
        buf.box(box, title: "Failure · cycle \(f.cycle) · Esc to close", style: theme.focusedBorder, titleStyle: theme.paneTitle)
        let inner = box.inset(2)
        var y = inner.y
        func line(_ label: String, _ value: String, _ style: Style = Style()) {
            guard y < inner.maxY else { return }
            buf.put(label, x: inner.x, y: y, style: theme.dim)
            for part in wrap(value, inner.width - 9) where y < inner.maxY {
                buf.put(part, x: inner.x + 9, y: y, style: style)
                y += 1
            }
        }
        line("when", "\(clockTime(f.at)) \(zoneLabel(f.at)) (\(relativeTime(f.at, now: state.now)))")
        line("stage", "\(f.stage.title), attempt \(f.attempt)")
        line("outcome", f.outcome.rawValue.replacingUnderscores + (f.backoff.map { ", next attempt after \(spoken($0))" } ?? ""))
        if let kind = f.kind { line("kind", kind.rawValue) }
        y += 1
        line("error", TerminalText.sanitize(f.error, breaks: .visible), theme.error)
        y += 1
        line("hint", failureHint(f, store: state.storeLocation), theme.warn)
    }
}

/// What to do about a failure, by its kind: one line.
func failureHint(_ f: FailureEntry, store: String) -> String {
    let error = f.error.lowercased()
    switch f.stage {
    case .getMetadata, .saveEvents, .updateMetadata:
        return "the store failed during \(f.stage.title): check \(store) (space, permissions, credentials, reachability)"
    case .process:
        return "the response could not be processed: it is kept and retried with the next cycle"
    case .watch:
        return "a watch rule's command failed (no cycle is affected): run it by hand with the event's line on its input"
    case .fetch: break
    }
    switch f.kind {
    case .connection?, .timeout?:
        return "the API could not be reached: check the network or a proxy"
    case .http(403)?:
        return "the API refuses this client: check the User-Agent (--user-agent must name the app)"
    case .http(404)?:
        return "check --api-url, then reset the stop (R here, or polisen-dash reset-404)"
    case .http(429)?, .budget?:
        return "the API's rate limit: wait; the budget spaces the next calls"
    case .http(let status)? where (300..<400).contains(status):
        return "the site's rate limiter answered with a redirect: wait, polling resumes on its own"
    case .http(let status)? where status >= 500:
        return "the API had a server error: retries back off; nothing to do unless it persists"
    case .badBody? where error.contains("html"):
        return "the site's rate limiter answered with a page: wait, polling resumes on its own"
    case .badBody?:
        return "the answer was not a complete list of events: the next cycle tries again"
    case .store?, .journalFull?:
        return "the store failed: check \(store) (space, permissions, credentials, reachability)"
    default:
        if error.contains("redirect") { return "the site's rate limiter answered with a redirect: wait, polling resumes on its own" }
        return "see the error above; the next cycle tries again"
    }
}

extension String {
    var replacingUnderscores: String { String(map { $0 == "_" ? " " : $0 }) }
}
