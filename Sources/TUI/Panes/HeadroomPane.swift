import Engine

/// API rate headroom: the hour and day budgets as gauges, the next scheduled poll, when a
/// manual poll is allowed, compression of the last fetch, window use, the schedule (fixed or
/// adaptive) and gap warnings.
struct HeadroomPane {
    let state: DashboardState
    let theme: Theme

    func draw(_ buf: inout CellBuffer, _ r: Rect) {
        buf.box(r, title: "API rate headroom", style: state.focus == .headroom ? theme.focusedBorder : theme.border, titleStyle: theme.paneTitle)
        let inner = r.inset(1)
        var y = inner.y
        let gaugeWidth = max(4, inner.width - 16)
        if let b = state.budget {
            gauge(&buf, "hour", used: b.hourUsed, limit: b.hourLimit, x: inner.x, y: y, width: gaugeWidth); y += 1
            gauge(&buf, "day", used: b.dayUsed, limit: b.dayLimit, x: inner.x, y: y, width: gaugeWidth); y += 1
        } else {
            buf.put("budget: no call yet", x: inner.x, y: y, style: theme.dim); y += 2
        }
        var timing: String
        if case .stopped = state.phase {
            timing = "polling stopped (404)"
        } else if let next = state.nextPollAt {
            timing = "next poll in \(countdown(next - state.now))"
        } else {
            timing = "next poll: —"
        }
        let manualAt = state.budget?.nextAllowedAt ?? state.now
        let manual = manualAt > state.now ? "manual poll in \(countdown(manualAt - state.now))" : "manual poll: now"
        buf.put(timing, x: inner.x, y: y, maxWidth: inner.width)
        buf.put(manual, x: inner.x + min(inner.width / 2 + 2, 24), y: y, style: manualAt > state.now ? theme.warn : theme.ok,
                maxWidth: inner.maxX - inner.x - min(inner.width / 2 + 2, 24))
        y += 1
        if state.manualRequested {
            buf.put("poll requested: it runs as soon as the budget allows", x: inner.x, y: y, style: theme.warn, maxWidth: inner.width)
        }
        y += 1
        if let h = state.reports.last(where: { $0.http != nil })?.http {
            buf.put("compression \(format1(h.compressionRatio))× (\(kb(h.bytesWire)) on the wire → \(kb(h.bytesDecoded)))", x: inner.x, y: y, maxWidth: inner.width)
        }
        y += 1
        if let last = state.reports.last(where: { $0.outcome == .ok }) {
            buf.put("window \(last.fetched)/500 events", x: inner.x, y: y, maxWidth: inner.width)
            if last.gap {
                buf.put("  ⚠ possible gap", x: inner.x + 21, y: y, style: theme.error)
            } else if last.filtered {
                buf.put("  ⚠ filtered response", x: inner.x + 21, y: y, style: theme.warn)
            }
        }
        y += 1
        if let schedule = state.schedule, y < inner.maxY {
            buf.put("schedule: \(schedule)", x: inner.x, y: y, style: theme.dim, maxWidth: inner.width)
            y += 1
        }
        if let gap = state.reports.last(where: \.gap), y < inner.maxY {
            buf.put("last gap warning: cycle \(gap.cycle) at \(clockTime(gap.startedAt))", x: inner.x, y: y, style: theme.warn, maxWidth: inner.width)
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
