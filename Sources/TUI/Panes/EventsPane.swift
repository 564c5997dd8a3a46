import Engine

/// Latest events (or the replayed day): newest first, new ones marked, the selection kept
/// in view; Enter opens the detail view over it.
struct EventsPane {
    let state: DashboardState
    let theme: Theme

    func draw(_ buf: inout CellBuffer, _ r: Rect) {
        let list = state.visibleEvents
        var title: String
        if let replay = state.replay {
            let day = replay.date.map { "\($0)" } ?? "…"
            title = "Replay \(day) · \(list.count) events"
            if let i = replay.index { title += " · day \(i + 1)/\(replay.dates.count)" }
        } else {
            title = "Latest events · \(list.count)"
            if !state.newIDs.isEmpty { title += " · \(state.newIDs.count) new" }
        }
        if !state.filter.isEmpty { title += " · filter \"\(state.filter)\"" }
        buf.box(r, title: title, style: state.focus == .events ? theme.focusedBorder : theme.border, titleStyle: theme.paneTitle)
        let inner = r.inset(1)
        guard inner.height > 1 else { return }
        var rows = inner
        if let replay = state.replay, let day = replay.day, !day.events.isEmpty {
            // Counts per type for the day, most common first.
            var counts: [String: Int] = [:]
            for e in day.events { counts[e.type ?? "?", default: 0] += 1 }
            let top = counts.sorted { ($0.value, $1.key) > ($1.value, $0.key) }.prefix(6).map { "\($0.key) \($0.value)" }
            buf.put(top.joined(separator: " · "), x: inner.x, y: inner.y, style: theme.dim, maxWidth: inner.width)
            rows = Rect(x: inner.x, y: inner.y + 1, width: inner.width, height: inner.height - 1)
        }
        if let message = emptyMessage(list) {
            buf.put(message, x: rows.x + 1, y: rows.y + 1, style: theme.dim, maxWidth: rows.width - 2)
            return
        }
        let typeWidth = min(22, max(10, rows.width / 5))
        let placeWidth = min(20, max(10, rows.width / 5))
        let top = max(0, min(state.selected - rows.height / 2, list.count - rows.height))
        for (row, index) in (top..<min(list.count, top + rows.height)).enumerated() {
            let e = list[index]
            let y = rows.y + row
            var x = rows.x
            let time = e.parsedDateTime.map { "\(two($0.hour)):\(two($0.minute))" } ?? "--:--"
            x += buf.put(time, x: x, y: y, style: theme.dim)
            let isNew = state.replay == nil && state.newIDs.contains(e.id)
            x += buf.put(isNew ? " ● " : "   ", x: x, y: y, style: isNew ? theme.new : Style())
            x += buf.put(pad(truncate(e.type ?? "", typeWidth - 1), typeWidth), x: x, y: y, style: isNew ? theme.new : Style())
            x += buf.put(pad(truncate(e.location?.name ?? "", placeWidth - 1), placeWidth), x: x, y: y, style: theme.dim)
            // The type and place are in their own columns; the rest of `name` is the event's own
            // time, which the summary then follows.
            let text = e.whenText.map { "\($0) — \(e.summary ?? "")" } ?? (e.name ?? "")
            buf.put(text, x: x, y: y, maxWidth: rows.maxX - x)
            if index == state.selected && state.focus == .events {
                buf.restyle(Rect(x: rows.x, y: y, width: rows.width, height: 1)) { $0.reverse = true }
            }
        }
        if state.detailOpen, let e = state.selectedEvent { drawDetail(&buf, e, over: r) }
    }

    private func emptyMessage(_ list: [PoliceEvent]) -> String? {
        guard list.isEmpty else { return nil }
        if let replay = state.replay {
            if replay.loading { return "loading…" }
            if let error = replay.error { return error }
        }
        if !state.filter.isEmpty { return "no event matches \"\(state.filter)\"" }
        return state.replay == nil ? "waiting for the first cycle…" : "no events stored on this day"
    }

    private func drawDetail(_ buf: inout CellBuffer, _ e: PoliceEvent, over r: Rect) {
        // Cover the whole list so no row shows through beside the box.
        buf.fill(r.inset(1))
        let box = Rect(x: r.x + 1, y: r.y + 1, width: r.width - 2, height: r.height - 2)
        buf.box(box, title: "Event \(e.id) · Esc to close", style: theme.focusedBorder, titleStyle: theme.paneTitle)
        let inner = box.inset(2)
        var y = inner.y
        func line(_ label: String, _ value: String, _ style: Style = Style()) {
            guard y < inner.maxY else { return }
            buf.put(label, x: inner.x, y: y, style: theme.dim)
            for (i, part) in wrap(value, inner.width - 11).enumerated() where y < inner.maxY {
                buf.put(part, x: inner.x + 11, y: y, style: style)
                if i >= 0 { y += 1 }
            }
            if value.isEmpty { y += 1 }
        }
        line("name", e.name ?? "", theme.paneTitle)
        line("type", e.type ?? "")
        line("published", e.datetime)
        line("location", e.location?.name ?? "")
        line("gps", e.location?.gps ?? "")
        line("url", e.absoluteURL ?? "")
        y += 1
        line("summary", e.summary ?? "")
    }
}

/// Pads with spaces to `width` columns.
func pad(_ s: String, _ width: Int) -> String {
    let w = displayWidth(s)
    return w >= width ? s : s + String(repeating: " ", count: width - w)
}
