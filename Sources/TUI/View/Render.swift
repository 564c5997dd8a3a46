import Engine

/// The whole screen as a pure function of the state.
public func render(_ state: DashboardState) -> CellBuffer {
    var buf = CellBuffer(width: state.width, height: state.height)
    let theme = Theme(noColor: state.noColor)
    guard let layout = DashboardLayout.compute(width: state.width, height: state.height) else {
        drawTooSmall(&buf, state)
        return buf
    }
    drawTitle(&buf, state, theme, layout.title)
    EventsPane(state: state, theme: theme).draw(&buf, layout.events)
    LatencyPane(state: state, theme: theme).draw(&buf, layout.latency)
    HeadroomPane(state: state, theme: theme).draw(&buf, layout.headroom)
    FailuresPane(state: state, theme: theme).draw(&buf, layout.failures)
    drawStatus(&buf, state, theme, layout.status)
    if state.helpOpen { drawHelp(&buf, state, theme) }
    return buf
}

private func drawTooSmall(_ buf: inout CellBuffer, _ state: DashboardState) {
    let lines = ["terminal too small: \(state.width)×\(state.height)",
                 "polisen-dash needs \(DashboardLayout.minWidth)×\(DashboardLayout.minHeight)",
                 "q quits"]
    for (i, line) in lines.enumerated() {
        let y = state.height / 2 - 1 + i
        buf.put(line, x: max(0, (state.width - displayWidth(line)) / 2), y: y, style: Style(bold: i == 0))
    }
}

private func drawTitle(_ buf: inout CellBuffer, _ s: DashboardState, _ theme: Theme, _ r: Rect) {
    buf.fill(r, style: theme.title)
    var x = buf.put(" polisen-dash ", x: 0, y: r.y, style: theme.title)
    if s.demo { x += buf.put(" DEMO · simulated API, real events ", x: x, y: r.y, style: theme.demoBadge) }
    if s.replay != nil { x += buf.put(" REPLAY ", x: x, y: r.y, style: theme.replayBadge) } else {
        x += buf.put(" LIVE ", x: x, y: r.y, style: theme.title)
    }
    buf.put(" \(s.apiURL)", x: x, y: r.y, style: theme.title, maxWidth: r.width - x - 10)
    buf.put(clockTime(s.now) + " ", x: r.width - 9, y: r.y, style: theme.title)
}

private func phaseText(_ s: DashboardState) -> (String, Bool) {
    switch s.phase {
    case .idle: return ("idle", false)
    case .waitingForBudget(let until): return ("waiting for the rate budget (\(countdown(until - s.now)))", true)
    case .fetching(let attempt): return (attempt > 1 ? "fetching (attempt \(attempt))" : "fetching", false)
    case .backingOff(let until): return ("backing off (\(countdown(until - s.now)))", true)
    case .processing: return ("processing", false)
    case .saving: return ("saving", false)
    case .updatingMetadata: return ("updating metadata", false)
    case .stopped: return ("STOPPED by a 404: polisen-dash reset-404 clears it", true)
    }
}

private func drawStatus(_ buf: inout CellBuffer, _ s: DashboardState, _ theme: Theme, _ r: Rect) {
    buf.fill(r, style: theme.status)
    if let prompt = s.prompt {
        let label = prompt == .filter ? "filter (words, type:…, place:…): " : "jump to date (YYYY-MM-DD): "
        let x = buf.put(" " + label, x: 0, y: r.y, style: theme.status)
        buf.put(s.promptText + "█", x: x, y: r.y, style: theme.status)
        buf.put("Enter accepts · Esc clears ", x: r.width - 27, y: r.y, style: theme.status)
        return
    }
    let (phase, alert) = phaseText(s)
    var x = buf.put(" ● " + phase, x: 0, y: r.y, style: alert ? theme.c(Style(fg: .yellow, bg: .blue, bold: true)) : theme.status)
    x += buf.put(" · store \(s.storeLocation) ", x: x, y: r.y, style: theme.status, maxWidth: max(0, r.width - x - 46))
    let hints = s.replay != nil ? "←→ day  d date  / filter  Esc live  ? help  q quit " : "p poll  r replay  / filter  ? help  q quit "
    buf.put(hints, x: max(x, r.width - displayWidth(hints)), y: r.y, style: theme.status)
}

private func drawHelp(_ buf: inout CellBuffer, _ s: DashboardState, _ theme: Theme) {
    let rows = KeyTable.bindings
    let width = min(s.width - 4, 60)
    let height = min(s.height - 2, rows.count + 4)
    let box = Rect(x: (s.width - width) / 2, y: (s.height - height) / 2, width: width, height: height)
    buf.fill(box)
    buf.box(box, title: "Keys · any key closes", style: theme.focusedBorder, titleStyle: theme.paneTitle)
    for (i, b) in rows.enumerated() where box.y + 2 + i < box.maxY - 1 {
        buf.put(b.label, x: box.x + 3, y: box.y + 2 + i, style: theme.key)
        buf.put(b.help, x: box.x + 13, y: box.y + 2 + i, maxWidth: width - 16)
    }
}
