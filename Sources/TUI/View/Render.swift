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
    if state.countsOpen {
        CountsPane(state: state, theme: theme).draw(&buf, layout.events)
    } else {
        EventsPane(state: state, theme: theme).draw(&buf, layout.events)
    }
    LatencyPane(state: state, theme: theme).draw(&buf, layout.latency)
    HeadroomPane(state: state, theme: theme).draw(&buf, layout.headroom)
    if let counts = layout.counts { CountsPane(state: state, theme: theme).draw(&buf, counts) }
    FailuresPane(state: state, theme: theme).draw(&buf, layout.failures)
    StatusLine(state: state, theme: theme).draw(&buf, layout.status)
    if state.failureDetailOpen, let f = state.selectedFailure {
        FailureDetail(state: state, theme: theme).draw(&buf, f, over: layout.events)
    }
    if let url = state.shownURL { drawURL(&buf, url, theme, above: layout.status) }
    if state.helpOpen { drawHelp(&buf, state, theme) }
    return buf
}

private func drawTooSmall(_ buf: inout CellBuffer, _ state: DashboardState) {
    let lines = [
        "terminal too small: \(state.width)×\(state.height)",
        "polisen-dash needs \(DashboardLayout.minWidth)×\(DashboardLayout.minHeight)",
        "q quits",
    ]
    for (i, line) in lines.enumerated() {
        let y = state.height / 2 - 1 + i
        buf.put(truncate(line, state.width), x: max(0, (state.width - displayWidth(line)) / 2), y: y, style: Style(bold: i == 0))
    }
}

private func drawTitle(_ buf: inout CellBuffer, _ s: DashboardState, _ theme: Theme, _ r: Rect) {
    buf.fill(r, style: theme.title)
    var x = buf.put(" polisen-dash ", x: 0, y: r.y, style: theme.title)
    if s.demo { x += buf.put(r.width >= 120 ? " DEMO · simulated API, real events " : " DEMO ", x: x, y: r.y, style: theme.demoBadge) }
    if s.replay != nil {
        x += buf.put(" REPLAY ", x: x, y: r.y, style: theme.replayBadge)
    } else {
        x += buf.put(" LIVE ", x: x, y: r.y, style: theme.title)
    }
    if let pid = s.attachedTo {
        x += buf.put(
            s.serviceStopped ? " pid \(pid) STOPPED · t take over · q quit " : " attached to pid \(pid) ", x: x, y: r.y,
            style: s.serviceStopped ? theme.titleAlert : theme.title)
    }
    // The clock says its zone: every time on the screen is Stockholm time.
    let clock = "\(clockTime(s.now)) \(zoneLabel(s.now)) "
    let clockX = r.width - displayWidth(clock)
    // The archive's health on every view, next to the clock; the API address takes the rest.
    var next = "next try —"
    if let at = s.nextTryAt { next = at > s.now ? "next try in \(countdown(at - s.now))" : "next try now" }
    if case .stopped = s.phase { next = "polling stopped" }
    // Events fetched but not yet in the store (an outage): said before anything else fits.
    var choices = ["\(s.lastSuccessText) · \(next) · ", "\(s.lastSuccessText) · "]
    if let n = s.journalPending {
        let waiting = "\(n) fetched, not yet stored · "
        choices = choices.map { waiting + $0 } + [waiting]
    }
    let health = fit(choices, max(0, clockX - x - 1))
    let healthX = clockX - displayWidth(health)
    // The address only when a recognisable part of it fits (not a lone "h…").
    let urlRoom = healthX - x - 1
    if urlRoom >= 12 { buf.put(truncate(" \(s.apiURL)", urlRoom), x: x, y: r.y, style: theme.title) }
    buf.put(
        health, x: healthX, y: r.y,
        style: s.failedLastCycle != nil || s.lastSuccess == nil || s.journalPending != nil ? theme.titleAlert : theme.title)
    buf.put(clock, x: clockX, y: r.y, style: theme.title)
}

/// A URL no browser could open, whole and unbroken, across the full width above the status line.
private func drawURL(_ buf: inout CellBuffer, _ url: String, _ theme: Theme, above status: Rect) {
    let chars = Array(url)
    let rows = max(1, (chars.count + status.width - 1) / max(1, status.width))
    let top = status.y - rows - 1
    buf.fill(Rect(x: 0, y: top, width: status.width, height: rows + 1), style: theme.status)
    buf.put("the event's page (Esc closes; select it with the mouse):", x: 1, y: top, style: theme.status)
    for row in 0..<rows {
        let part = String(chars[(row * status.width)..<min(chars.count, (row + 1) * status.width)])
        buf.put(part, x: 0, y: top + 1 + row, style: theme.status)
    }
}

private func drawHelp(_ buf: inout CellBuffer, _ s: DashboardState, _ theme: Theme) {
    let rows = KeyTable.bindings
    // One column when it fits the height, else two side by side.
    let columns = rows.count + 4 <= s.height - 2 ? 1 : 2
    let perColumn = (rows.count + columns - 1) / columns
    // Two columns take the whole width at 80 (no pane border left peeking out beside them).
    let width = columns == 1 ? min(s.width - 4, 64) : min(s.width, 100)
    let height = min(s.height - 2, perColumn + 4)
    let box = Rect(x: (s.width - width) / 2, y: (s.height - height) / 2, width: width, height: height)
    buf.fill(box)
    buf.box(
        box, title: "Keys · any key closes · times are Stockholm (\(zoneLabel(s.now)))", style: theme.focusedBorder,
        titleStyle: theme.paneTitle)
    let columnWidth = (width - 4) / columns
    // Labels are at most 6 columns; a text is said whole, in its brief wording when narrow.
    let labelWidth = columns == 1 ? 8 : 7
    for (i, b) in rows.enumerated() {
        let x = box.x + 2 + (i / perColumn) * columnWidth
        let y = box.y + 2 + i % perColumn
        buf.put(b.label, x: x, y: y, style: theme.key)
        buf.put(fit([b.help] + (b.brief.map { [$0] } ?? []), columnWidth - labelWidth - 1), x: x + labelWidth, y: y)
    }
}
