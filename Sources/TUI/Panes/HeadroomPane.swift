import Engine

/// API rate headroom: the hour and day budgets as gauges, the next scheduled poll, when a
/// manual poll is allowed, compression of the last fetch, window use, the schedule (fixed or
/// adaptive) and gap warnings.
struct HeadroomPane {
    let state: DashboardState
    let theme: Theme

    func draw(_ buf: inout CellBuffer, _ r: Rect) {
        buf.box(
            r, title: "API rate headroom", style: state.focus == .headroom ? theme.focusedBorder : theme.border, titleStyle: theme.paneTitle
        )
        let inner = r.inset(1)
        var y = inner.y
        let gaugeWidth = max(4, inner.width - 16)
        if let b = state.budget {
            gauge(&buf, "hour", used: b.hourUsed, limit: b.hourLimit, x: inner.x, y: y, width: gaugeWidth)
            y += 1
            gauge(&buf, "day", used: b.dayUsed, limit: b.dayLimit, x: inner.x, y: y, width: gaugeWidth)
            y += 1
        } else {
            buf.put("budget: no call yet", x: inner.x, y: y, style: theme.dim)
            y += 2
        }
        // The rest by priority, each line said in full when it fits and shorter when not.
        var lines: [(String, Style)] = []
        let next: [String]
        if case .stopped = state.phase {
            next = ["polling stopped (404): R resets", "stopped (404)"]
        } else if let at = state.nextPollAt {
            let left = countdown(at - state.now)
            next = ["next poll in \(left) (\(clockTime(at)))", "next poll in \(left)", "next \(left)"]
        } else {
            next = ["next poll: —"]
        }
        let manualAt = state.budget?.nextAllowedAt ?? state.now
        let early = manualAt > state.now
        // A stop refuses every manual poll until it is reset.
        let manual =
            state.phase.isStopped
            ? ["manual poll: after R", "manual: after R"]
            : early
                ? ["manual poll in \(countdown(manualAt - state.now))", "manual in \(countdown(manualAt - state.now))"]
                : ["manual poll: now", "manual: now"]
        // Shorter wordings in turn, the manual poll's kept whole longest.
        let both = [(0, 0), (1, 0), (1, 1), (2, 1), (2, 0)].compactMap { (n, m) in
            next.indices.contains(n) && manual.indices.contains(m) ? "\(next[n]) · \(manual[m])" : nil
        }
        if let line = both.first(where: { displayWidth($0) <= inner.width }) {
            lines.append((line, early ? theme.warn : Style()))
        } else {
            lines.append((fit(next, inner.width), Style()))
            lines.append((fit(manual, inner.width), early ? theme.warn : theme.ok))
        }
        if state.manualRequested {
            lines.append((fit(["poll requested: it runs as soon as the budget allows", "poll requested"], inner.width), theme.warn))
        }
        // Compression only for a data response: an error page's ratio says nothing.
        if let h = state.reports.last(where: { $0.outcome == .ok && $0.http?.status == 200 })?.http {
            let ratio = format1(h.compressionRatio)
            lines.append(
                (
                    fit(
                        [
                            "compression \(ratio)× (\(kb(h.bytesWire)) on the wire → \(kb(h.bytesDecoded)))",
                            "compression \(ratio)× (\(kb(h.bytesWire)) → \(kb(h.bytesDecoded)))",
                            "compression \(ratio)×",
                        ], inner.width), Style()
                ))
        }
        if let last = state.reports.last(where: { $0.outcome == .ok }) {
            let window = "window \(last.fetched)/500 events"
            if last.gap {
                lines.append((fit([window + "  ⚠ possible gap", "window \(last.fetched)/500 ⚠ gap"], inner.width), theme.error))
            } else if last.filtered {
                lines.append((fit([window + "  ⚠ filtered response", "window \(last.fetched)/500 ⚠ filtered"], inner.width), theme.warn))
            } else {
                lines.append((fit([window, "window \(last.fetched)/500"], inner.width), Style()))
            }
        }
        if let schedule = state.schedule {
            lines.append((fit(["schedule: \(schedule)", schedule], inner.width), theme.dim))
        }
        if let gap = state.reports.last(where: \.gap) {
            lines.append(
                (
                    fit(
                        ["last gap warning: cycle \(gap.cycle) at \(clockTime(gap.startedAt))", "last gap: \(clockTime(gap.startedAt))"],
                        inner.width), theme.warn
                ))
        }
        for (text, style) in lines where y < inner.maxY {
            buf.put(text, x: inner.x, y: y, style: style)
            y += 1
        }
    }

    private func gauge(_ buf: inout CellBuffer, _ label: String, used: Int, limit: Int, x: Int, y: Int, width: Int) {
        buf.put(label, x: x, y: y, style: theme.dim)
        let fraction = limit > 0 ? Double(used) / Double(limit) : 1
        let m = meter(fraction, width: width)
        let style = fraction >= 0.9 ? theme.error : fraction >= 0.7 ? theme.warn : theme.bar
        buf.put(String(repeating: "█", count: m.full), x: x + 5, y: y, style: style)
        buf.put(String(repeating: "░", count: m.empty), x: x + 5 + m.full, y: y, style: theme.barEmpty)
        buf.put(" \(used)/\(limit)", x: x + 5 + width, y: y)
    }
}

func countdown(_ seconds: Double) -> String {
    let s = max(0, Int(seconds.rounded(.up)))
    if s < 60 { return "\(s) s" }
    if s < 3600 { return "\(s / 60):\(two(s % 60))" }
    return "\(s / 3600) h \(two(s % 3600 / 60)) min"
}

func format1(_ v: Double) -> String {
    let r = Int((v * 10).rounded())
    return "\(r / 10).\(abs(r % 10))"
}

func kb(_ bytes: Int) -> String { bytes < 1024 ? "\(bytes) B" : "\(format1(Double(bytes) / 1024)) KB" }
