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
        guard let report = state.reports.last(where: { $0.http != nil || $0.outcome == .ok }) ?? state.reports.last else {
            buf.put("no cycle yet", x: inner.x + 1, y: inner.y, style: theme.dim)
            return
        }
        let total = Stage.allCases.reduce(0) { $0 + report.stages[$1] }
        var y = inner.y
        var head = "cycle \(report.cycle) · \(ms(report.totalMs))"
        if let b = report.bottleneck { head += " · bottleneck: \(b.title)" }
        buf.put(head, x: inner.x, y: y, maxWidth: inner.width)
        y += 1
        let labelWidth = 12
        let numberWidth = 15
        let barWidth = max(4, inner.width - labelWidth - numberWidth)
        for stage in Stage.allCases {
            let v = report.stages[stage]
            let share = total > 0 ? v / total : 0
            buf.put(stage.shortTitle, x: inner.x, y: y, style: stage == report.bottleneck ? theme.warn : Style(), maxWidth: labelWidth - 1)
            let bx = inner.x + labelWidth
            if stage == .fetch, let h = report.http, v > 0 {
                drawFetchBar(&buf, h, fraction: share, x: bx, y: y, width: barWidth)
            } else {
                let m = meter(share, width: barWidth)
                buf.put(String(repeating: "█", count: m.full), x: bx, y: y, style: theme.bar)
                buf.put(String(repeating: "░", count: m.empty), x: bx + m.full, y: y, style: theme.barEmpty)
            }
            let pct = Int((share * 100).rounded())
            buf.put(leftPad(ms(v), 9) + leftPad("\(pct)%", 5), x: bx + barWidth + 1, y: y, maxWidth: numberWidth)
            y += 1
        }
        if let h = report.http {
            let parts = [("dns", h.dnsMs), ("connect", h.connectMs), ("tls", h.tlsMs), ("request", max(0, h.totalMs - h.dnsMs - h.connectMs - h.tlsMs))]
            var x = inner.x + 2
            for (i, (name, value)) in parts.enumerated() {
                let text = "\(name) \(ms(value))"
                guard x + 2 + displayWidth(text) <= inner.maxX else { break }
                x += buf.put("■ ", x: x, y: y, style: theme.phases[i])
                x += buf.put(text + "  ", x: x, y: y, style: theme.dim, maxWidth: inner.maxX - x)
            }
            y += 1
        }
        // History: total cycle time of recent cycles.
        let history = state.reports.suffix(max(1, inner.width - 10)).map(\.totalMs)
        if history.count > 1 && y < inner.maxY {
            buf.put("history ", x: inner.x, y: y, style: theme.dim)
            buf.put(sparkline(history), x: inner.x + 8, y: y, style: theme.bar, maxWidth: inner.width - 8)
            y += 1
        }
        if state.reports.count > 1 && y < inner.maxY {
            let f = percentiles(state.reports.map(\.stages.fetchMs))
            let p = percentiles(state.reports.map(\.stages.processMs))
            let s = percentiles(state.reports.map(\.stages.saveEventsMs))
            buf.put("p50/p95 fetch \(ms(f.0))/\(ms(f.1)) · process \(ms(p.0))/\(ms(p.1)) · save \(ms(s.0))/\(ms(s.1))",
                    x: inner.x, y: y, style: theme.dim, maxWidth: inner.width)
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
            col += n; remaining -= n
        }
        buf.put(String(repeating: "░", count: m.empty), x: x + m.full, y: y, style: theme.barEmpty)
    }
}

func leftPad(_ s: String, _ width: Int) -> String {
    let w = displayWidth(s)
    return w >= width ? s : String(repeating: " ", count: width - w) + s
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

extension Stage {
    /// Fits the bar labels into a narrow pane.
    var shortTitle: String {
        switch self {
        case .fetch: return "fetch"
        case .getMetadata: return "get meta"
        case .process: return "process"
        case .saveEvents: return "save events"
        case .updateMetadata: return "update meta"
        }
    }
}
