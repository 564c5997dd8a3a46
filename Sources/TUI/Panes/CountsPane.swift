import Engine

/// Counts: events per hour over the last 24 hours and per day over the window as bars, and the
/// top types and counties of the window beside those of the last seven stored days. Follows
/// the filter (and the watch-matches view).
struct CountsPane {
    let state: DashboardState
    let theme: Theme

    func draw(_ buf: inout CellBuffer, _ r: Rect) {
        let filtered = state.filter.isEmpty ? "" : " · filter \"\(TerminalText.sanitize(state.filter))\""
        buf.box(
            r, title: truncate("Counts\(filtered)" + (state.countsOpen ? " · c/Esc closes" : ""), r.width - 6),
            style: state.countsOpen ? theme.focusedBorder : theme.border, titleStyle: theme.paneTitle)
        let inner = r.inset(1)
        guard inner.height > 0 else { return }
        // The live window, or the replayed day.
        // Days and top entries grow with the pane's height.
        let dayRows = min(8, max(1, (inner.height - 10) / 2))
        let top = min(10, max(1, (inner.height - 2 - (1 + dayRows) - 2) / 2))
        let window = EventCounts(state.visibleEvents, now: state.now, top: top)
        let week = state.week.map { EventCounts(narrowed($0), now: state.now, top: top) }
        var y = inner.y
        let barWidth = max(4, inner.width - 14)
        func put(_ text: String, _ style: Style = Style()) {
            guard y < inner.maxY else { return }
            buf.put(truncate(text, inner.width), x: inner.x, y: y, style: style)
            y += 1
        }
        let hourly = window.perHour.reduce(0, +)
        put(fit(["per hour, last 24 h: \(hourly) events", "last 24 h: \(hourly)"], inner.width), theme.dim)
        if y < inner.maxY {
            buf.put(sparkline(window.perHour.map(Double.init)), x: inner.x, y: y, style: theme.bar)
            buf.put(fit([" -24 h … now", " now"], inner.width - 24), x: inner.x + 24, y: y, style: theme.dim)
            y += 1
        }
        let days = Array(window.perDay.suffix(dayRows))
        put(fit(["per day, \(state.replay == nil ? "window" : "this day"): \(window.total) events", "per day"], inner.width), theme.dim)
        let most = days.map(\.count).max() ?? 1
        for d in days where y < inner.maxY {
            let m = meter(Double(d.count) / Double(max(most, 1)), width: barWidth)
            buf.put("\(two(d.date.month))-\(two(d.date.day))", x: inner.x, y: y, style: theme.dim)
            buf.put(String(repeating: "█", count: m.full), x: inner.x + 6, y: y, style: theme.bar)
            buf.put(" \(d.count)", x: inner.x + 6 + m.full, y: y)
            y += 1
        }
        guard y + 1 < inner.maxY else { return }
        // Types and counties: the window beside the last seven stored days.
        let half = inner.width / 2
        buf.put(fit(["top types · window", "types · window", "types"], half - 1), x: inner.x, y: y, style: theme.dim)
        let weekTitle =
            week.map { ["last 7 stored days · \($0.total)", "7 stored days · \($0.total)", "7 days · \($0.total)"] } ?? [
                "last 7 stored days: loading…", "loading…",
            ]
        buf.put(fit(weekTitle, inner.width - half), x: inner.x + half, y: y, style: theme.dim)
        y += 1
        y = columns(&buf, window.types, week?.types ?? [], x: inner.x, y: y, half: half, inner: inner)
        guard y + 1 < inner.maxY else { return }
        buf.put(fit(["top counties · window", "counties · window", "counties"], half - 1), x: inner.x, y: y, style: theme.dim)
        buf.put(truncate("last 7 stored days", inner.width - half), x: inner.x + half, y: y, style: theme.dim)
        y += 1
        _ = columns(&buf, window.counties, week?.counties ?? [], x: inner.x, y: y, half: half, inner: inner)
    }

    /// The week's events through the same filter as the list.
    private func narrowed(_ list: [PoliceEvent]) -> [PoliceEvent] {
        var out = list
        if !state.filter.isEmpty {
            let q = EventQuery(state.filter)
            out = out.filter(q.matches)
        }
        if state.matchesOnly { out = out.filter { state.watchMatch($0) != nil } }
        return out
    }

    private func columns(
        _ buf: inout CellBuffer, _ left: [(String, Int)], _ right: [(String, Int)], x: Int, y: Int, half: Int, inner: Rect
    ) -> Int {
        var y = y
        for i in 0..<max(left.count, right.count) where y < inner.maxY {
            if i < left.count { buf.put(entry(left[i], half - 1), x: x, y: y) }
            if i < right.count { buf.put(entry(right[i], inner.width - half), x: x + half, y: y) }
            y += 1
        }
        return y
    }

    /// "Trafikolycka … 42", cut to the width with the count kept.
    private func entry(_ e: (String, Int), _ width: Int) -> String {
        let count = " \(e.1)"
        return pad(truncate(e.0, max(1, width - displayWidth(count))), max(0, width - displayWidth(count))) + count
    }
}
