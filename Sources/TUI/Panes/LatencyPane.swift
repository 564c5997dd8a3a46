import Engine

/// Stage latency: the last cycle's five stages as bars with milliseconds and share, the fetch
/// split into DNS / connect / TLS / request, the bottleneck named, a sparkline of recent
/// cycles and p50/p95 per stage.
struct LatencyPane {
    let state: DashboardState
    let theme: Theme

    func draw(_ buf: inout CellBuffer, _ r: Rect) {
        buf.box(r, title: "Stage latency", style: state.focus == .latency ? theme.focusedBorder : theme.border, titleStyle: theme.paneTitle)
        let inner = r.inset(1)
        // The last cycle, also when it failed: a failed cycle must not look like a normal one.
        guard let report = state.reports.last else {
            buf.put("no cycle yet", x: inner.x + 1, y: inner.y, style: theme.dim)
            return
        }
        let failed = report.outcome == .failed
        let total = Stage.allCases.reduce(0) { $0 + report.stages[$1] }
        var y = inner.y
        // The work of the cycle (the report's total leaves the waits out) and its waits
        // (backoff, the rate budget's spacing) apart.
        let work = report.totalMs
        let waits = report.waitedMs > 0 ? " + \(ms(report.waitedMs)) waits" : ""
        let bare = failed ? "cycle \(report.cycle) FAILED · \(ms(work))" : "cycle \(report.cycle) · \(ms(work))"
        let lead = bare + waits
        let slowest = report.bottleneck.map { [" · bottleneck: \($0.title)", " · slowest: \($0.tinyTitle)"] } ?? []
        buf.put(
            fit(slowest.map { lead + $0 } + [lead] + slowest.map { bare + $0 } + [bare], inner.width), x: inner.x, y: y,
            style: failed ? theme.error : Style())
        y += 1
        let labelWidth = 12
        let numberWidth = 15
        let barWidth = max(4, inner.width - labelWidth - numberWidth)
        for stage in Stage.allCases where y < inner.maxY {
            let v = report.stages[stage]
            let share = total > 0 ? v / total : 0
            buf.put(stage.shortTitle, x: inner.x, y: y, style: stage == report.bottleneck ? theme.warn : Style(), maxWidth: labelWidth - 1)
            let bx = inner.x + labelWidth
            if stage == .fetch, let h = report.http, v > 0, !failed {
                drawFetchBar(&buf, h, fraction: share, x: bx, y: y, width: barWidth)
            } else {
                let m = meter(share, width: barWidth)
                buf.put(String(repeating: "█", count: m.full), x: bx, y: y, style: failed && stage == .fetch ? theme.error : theme.bar)
                buf.put(String(repeating: "░", count: m.empty), x: bx + m.full, y: y, style: theme.barEmpty)
            }
            let pct = Int((share * 100).rounded())
            buf.put(leftPad(ms(v), 9) + leftPad("\(pct)%", 5), x: bx + barWidth + 1, y: y, maxWidth: numberWidth)
            y += 1
        }
        if report.waitedMs > 0 && y < inner.maxY {
            // Waits are their own segment: not fetch time, not in the stage statistics.
            let m = meter(report.waitedMs / max(report.totalMs + report.waitedMs, 0.001), width: barWidth)
            buf.put("waits", x: inner.x, y: y, style: theme.wait)
            buf.put(String(repeating: "▒", count: m.full), x: inner.x + labelWidth, y: y, style: theme.wait)
            buf.put(leftPad(ms(report.waitedMs), 9), x: inner.x + labelWidth + barWidth + 1, y: y, style: theme.wait)
            y += 1
        }
        if let h = report.http, y < inner.maxY {
            let parts = [
                ("dns", h.dnsMs), ("connect", h.connectMs), ("tls", h.tlsMs),
                ("request", max(0, h.totalMs - h.dnsMs - h.connectMs - h.tlsMs)),
            ]
            var x = inner.x + 2
            for (i, (name, value)) in parts.enumerated() {
                let text = "\(name) \(ms(value))"
                guard x + 2 + displayWidth(text) <= inner.maxX else { break }
                x += buf.put("■ ", x: x, y: y, style: theme.phases[i])
                x += buf.put(text + "  ", x: x, y: y, style: theme.dim, maxWidth: inner.maxX - x)
            }
            y += 1
        }
        // History: the work of recent cycles (waits left out).
        let history = state.reports.suffix(max(1, inner.width - 10)).map(\.totalMs)
        if history.count > 1 && y < inner.maxY {
            buf.put("history ", x: inner.x, y: y, style: theme.dim)
            buf.put(sparkline(history), x: inner.x + 8, y: y, style: theme.bar, maxWidth: inner.width - 8)
            y += 1
        }
        if state.reports.count > 1 && y < inner.maxY {
            // p50/p95 of every stage's work over the kept history, on as many lines as fit.
            var items: [String] = []
            for stage in Stage.allCases {
                let (p50, p95) = percentiles(state.reports.map { $0.stages[stage] })
                items.append("\(stage.tinyTitle) \(compactMs(p50))/\(compactMs(p95))")
            }
            var line = "p50/p95 ms"
            for item in items {
                if displayWidth(line) + 3 + displayWidth(item) > inner.width {
                    guard y < inner.maxY else { break }
                    buf.put(line, x: inner.x, y: y, style: theme.dim, maxWidth: inner.width)
                    y += 1
                    line = "  " + item
                } else {
                    line += (line == "p50/p95 ms" ? " " : " · ") + item
                }
            }
            if y < inner.maxY { buf.put(truncate(line, inner.width), x: inner.x, y: y, style: theme.dim) }
        }
    }

    private func drawFetchBar(_ buf: inout CellBuffer, _ h: CycleReport.HTTPFacts, fraction: Double, x: Int, y: Int, width: Int) {
        let m = meter(fraction, width: width)
        let phases = [h.dnsMs, h.connectMs, h.tlsMs, max(0, h.totalMs - h.dnsMs - h.connectMs - h.tlsMs)]
        let sum = max(phases.reduce(0, +), 0.000_001)
        var col = x
        var remaining = m.full
        for (i, p) in phases.enumerated() {
            var n = Int((Double(m.full) * p / sum).rounded())
            if i == phases.count - 1 { n = remaining }
            n = min(n, remaining)
            buf.put(String(repeating: "█", count: n), x: col, y: y, style: theme.phases[i])
            col += n
            remaining -= n
        }
        buf.put(String(repeating: "░", count: m.empty), x: x + m.full, y: y, style: theme.barEmpty)
    }
}

/// ▁▂▃▄▅▆▇█ scaled to the largest value.
func sparkline(_ values: [Double]) -> String {
    let ticks = Array("▁▂▃▄▅▆▇█")
    let top = values.max() ?? 0
    guard top > 0 else { return String(repeating: "▁", count: values.count) }
    return String(values.map { ticks[min(ticks.count - 1, Int(($0 / top) * Double(ticks.count - 1)))] })
}

/// (p50, p95) by nearest rank.
func percentiles(_ values: [Double]) -> (Double, Double) {
    guard !values.isEmpty else { return (0, 0) }
    let s = values.sorted()
    func rank(_ p: Double) -> Double { s[min(s.count - 1, max(0, Int((p * Double(s.count)).rounded(.up)) - 1))] }
    return (rank(0.5), rank(0.95))
}

/// Milliseconds without the unit: one decimal below 10.
func compactMs(_ v: Double) -> String { v < 10 ? format1(v) : "\(Int(v.rounded()))" }

extension Stage {
    var tinyTitle: String {
        switch self {
        case .fetch: return "fetch"
        case .getMetadata: return "meta"
        case .process: return "proc"
        case .saveEvents: return "save"
        case .updateMetadata: return "upd"
        case .watch: return "watch"
        }
    }

    /// Fits the bar labels into a narrow pane.
    var shortTitle: String {
        switch self {
        case .fetch: return "fetch"
        case .getMetadata: return "get meta"
        case .process: return "process"
        case .saveEvents: return "save events"
        case .updateMetadata: return "update meta"
        case .watch: return "watch"
        }
    }
}
