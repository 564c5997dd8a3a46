import Engine

/// One event whole, over the list: name, type, publication time (and how long ago), place,
/// gps, link and the summary wrapped, line breaks shown as ⏎.
struct EventDetail {
    let state: DashboardState
    let theme: Theme

    func draw(_ buf: inout CellBuffer, _ e: PoliceEvent, over r: Rect) {
        // Cover the whole list so no row shows through beside the box.
        buf.fill(r.inset(1))
        let box = Rect(x: r.x + 1, y: r.y + 1, width: r.width - 2, height: r.height - 2)
        buf.box(box, title: "Event \(e.id) · o open · y copy URL · Esc close", style: theme.focusedBorder, titleStyle: theme.paneTitle)
        let inner = box.inset(2)
        var y = inner.y
        func line(_ label: String, _ value: String, _ style: Style = Style()) {
            guard y < inner.maxY else { return }
            buf.put(label, x: inner.x, y: y, style: theme.dim)
            let parts = wrap(TerminalText.sanitize(value, breaks: .visible), inner.width - 11)
            for part in parts where y < inner.maxY {
                buf.put(part, x: inner.x + 11, y: y, style: style)
                y += 1
            }
            if parts.isEmpty { y += 1 }
        }
        line("name", e.name ?? "", theme.paneTitle)
        line("type", e.type ?? "")
        var published = e.datetime
        if let t = e.parsedDateTime { published += " (\(relativeTime(Double(t.instant), now: state.now)))" }
        line("published", published)
        line("location", e.location?.name ?? "")
        line("gps", e.location?.gps ?? "")
        line("url", e.absoluteURL ?? "")
        if let mark = state.watchMatch(e) { line("watch", mark.name + (mark.bell ? " (bell)" : ""), theme.watch(mark.colorIndex)) }
        y += 1
        line("summary", e.summary ?? "")
    }
}
