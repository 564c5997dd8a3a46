import Engine

/// Latest events (or the replayed day): newest first with a separator per day, new ones
/// marked, watch matches tagged; at the top the list follows the newest, elsewhere it says
/// "↑ N new"; a position indicator on the bottom border. Enter opens the detail view over it.
struct EventsPane {
    let state: DashboardState
    let theme: Theme

    func draw(_ buf: inout CellBuffer, _ r: Rect) {
        let list = state.visibleEvents
        buf.box(r, title: "", style: state.focus == .events ? theme.focusedBorder : theme.border)
        drawTitle(&buf, r, list)
        let inner = r.inset(1)
        guard inner.height > 1 else { return }
        var rows = inner
        if let replay = state.replay, let day = replay.day, !day.events.isEmpty {
            // Counts per type for the day, most common first.
            var counts: [String: Int] = [:]
            for e in day.events { counts[TerminalText.sanitize(e.type ?? "?"), default: 0] += 1 }
            let top = counts.sorted { ($0.value, $1.key) > ($1.value, $0.key) }.prefix(6).map { "\($0.key) \($0.value)" }
            buf.put(truncate(top.joined(separator: " · "), inner.width), x: inner.x, y: inner.y, style: theme.dim)
            rows = Rect(x: inner.x, y: inner.y + 1, width: inner.width, height: inner.height - 1)
        }
        if let message = emptyMessage(list) {
            for (i, line) in wrap(message, rows.width - 2).prefix(rows.height - 1).enumerated() {
                buf.put(line, x: rows.x + 1, y: rows.y + 1 + i, style: theme.dim)
            }
            return
        }
        let all = ListRow.rows(list)
        let selectedRow = all.firstIndex(of: .event(state.selected)) ?? 0
        let top = max(0, min(selectedRow - rows.height / 2, all.count - rows.height))
        let shown = all[top..<min(all.count, top + rows.height)]
        let columns = EventColumns(width: rows.width, events: list)
        for (offset, row) in shown.enumerated() {
            let y = rows.y + offset
            switch row {
            case .day(let date): drawSeparator(&buf, date, x: rows.x, y: y, width: rows.width)
            case .event(let index):
                drawRow(&buf, list[index], selected: index == state.selected, columns, x: rows.x, y: y, width: rows.width)
            }
        }
        drawPosition(&buf, r, shown: shown, total: list.count)
        if state.detailOpen, let e = state.selectedEvent { EventDetail(state: state, theme: theme).draw(&buf, e, over: r) }
    }

    private func drawTitle(_ buf: inout CellBuffer, _ r: Rect, _ list: [PoliceEvent]) {
        // Said in full when there is room, shorter when not: never a value cut in the middle.
        var titles: [String]
        if let replay = state.replay {
            let day = replay.date.map { "\($0)" } ?? "…"
            let position = replay.index.map { " · day \($0 + 1)/\(replay.dates.count)" } ?? ""
            titles = [
                "Replay \(day) · \(list.count) events\(position)", "Replay \(day) · \(list.count)\(position)",
                "\(day) · \(list.count)\(position)", "\(day) · \(list.count)",
            ]
        } else {
            let new = state.newIDs.isEmpty ? "" : " · \(state.newIDs.count) new"
            titles = ["Latest events · \(list.count)\(new)", "Latest · \(list.count)\(new)", "Latest · \(list.count)"]
        }
        var extra = ""
        if !state.filter.isEmpty { extra += " · filter \"\(TerminalText.sanitize(state.filter))\"" }
        if state.matchesOnly { extra += " · watch matches" }
        titles = titles.map { $0 + extra } + titles
        // "↑ N new" sits at the right of the top border, where the eye looks for the head.
        let marker = state.newAbove > 0 && state.replay == nil ? " ↑ \(state.newAbove) new · g " : ""
        let markerWidth = displayWidth(marker)
        let x = buf.put(" " + fit(titles, max(0, r.width - 6 - markerWidth)) + " ", x: r.x + 2, y: r.y, style: theme.paneTitle)
        if !marker.isEmpty { buf.put(marker, x: max(r.x + 2 + x, r.maxX - 1 - markerWidth), y: r.y, style: theme.new) }
    }

    private func drawSeparator(_ buf: inout CellBuffer, _ date: LocalDate, x: Int, y: Int, width: Int) {
        let label = "── \(dayLabel(date, now: state.now)) "
        buf.put(truncate(label, width), x: x, y: y, style: theme.separator)
        let used = displayWidth(label)
        if used < width { buf.put(String(repeating: "─", count: width - used), x: x + used, y: y, style: theme.separator) }
    }

    private func drawRow(_ buf: inout CellBuffer, _ e: PoliceEvent, selected: Bool, _ c: EventColumns, x: Int, y: Int, width: Int) {
        var col = x
        let time = e.parsedDateTime.map { "\(two($0.hour)):\(two($0.minute))" } ?? "--:--"
        col += buf.put(time + " ", x: col, y: y, style: theme.dim)
        let isNew = state.replay == nil && state.newIDs.contains(e.id)
        col += buf.put(isNew ? "● " : "  ", x: col, y: y, style: isNew ? theme.new : Style())
        col += buf.put(
            pad(truncate(TerminalText.sanitize(e.type ?? ""), c.type - 1), c.type), x: col, y: y, style: isNew ? theme.new : Style())
        if c.place > 0 { col += buf.put(pad(truncate(placeName(e), c.place - 1), c.place), x: col, y: y, style: theme.dim) }
        var room = x + width - col
        if let mark = state.watchMatch(e), room > 4 {
            let tag = truncate("[\(TerminalText.sanitize(mark.name))]", min(room - 2, width < 60 ? 8 : 16)) + " "
            col += buf.put(tag, x: col, y: y, style: theme.watch(mark.colorIndex))
            room = x + width - col
        }
        buf.put(truncate(listText(e), room), x: col, y: y)
        if selected && state.focus == .events {
            buf.restyle(Rect(x: x, y: y, width: width, height: 1)) { $0.reverse = true }
        }
    }

    /// " 12–31 of 500 " on the bottom border: where the visible rows are in the list.
    private func drawPosition(_ buf: inout CellBuffer, _ r: Rect, shown: ArraySlice<ListRow>, total: Int) {
        let indices = shown.compactMap { row -> Int? in if case .event(let i) = row { return i } else { return nil } }
        guard let first = indices.first, let last = indices.last else { return }
        let text = " \(first + 1)–\(last + 1) of \(total) "
        buf.put(text, x: r.maxX - 2 - displayWidth(text), y: r.maxY - 1, style: theme.dim)
    }

    private func emptyMessage(_ list: [PoliceEvent]) -> String? {
        guard list.isEmpty else { return nil }
        if let replay = state.replay {
            if replay.loading { return "loading…" }
            if let error = replay.error { return TerminalText.sanitize(error) }
        }
        if !state.filter.isEmpty { return "no event matches \"\(TerminalText.sanitize(state.filter))\"" }
        if state.matchesOnly { return "no event matches a watch rule (m shows all)" }
        if state.replay != nil { return "no events stored on this day" }
        // A first run that cannot reach the API says so instead of waiting in silence.
        if let failed = state.failedLastCycle {
            return "no events yet: the last cycle failed at \(clockTime(failed.startedAt)): \(DashboardState.shortReason(failed.error)). "
                + "Tab to the failures pane and Enter shows the whole error. \(state.nextTryAt.map { "Next try \(relativeTime($0, now: state.now))." } ?? "")"
        }
        if state.lastSuccess == nil, let f = state.failures.last {
            return "the API has not answered yet: \(TerminalText.sanitize(f.error)) (attempt \(f.attempt))"
        }
        if case .fetching = state.phase { return "fetching the first response…" }
        return "waiting for the first cycle…"
    }
}
