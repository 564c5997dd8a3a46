import Metrics

/// Turns the engine's events into swift-metrics instruments. Without a metrics backend
/// bootstrapped these are no-ops; `--metrics-addr` bootstraps Prometheus.
public struct CycleMetrics: Sendable {
    public init() {}

    public func observe(_ event: EngineEvent) {
        switch event {
        case .cycleFinished(let report, _): record(report)
        case .failure(let entry) where entry.outcome != .recovered:
            Counter(label: "polisen_failures_total", dimensions: [("stage", entry.stage.rawValue), ("kind", entry.kind ?? entry.stage.rawValue)])
                .increment()
        case .budget(let b):
            Gauge(label: "polisen_rate_budget_used_calls", dimensions: [("window", "hour")]).record(b.hourUsed)
            Gauge(label: "polisen_rate_budget_used_calls", dimensions: [("window", "day")]).record(b.dayUsed)
            Gauge(label: "polisen_rate_budget_limit_calls", dimensions: [("window", "hour")]).record(b.hourLimit)
            Gauge(label: "polisen_rate_budget_limit_calls", dimensions: [("window", "day")]).record(b.dayLimit)
        default: break
        }
    }

    func record(_ r: CycleReport) {
        Counter(label: "polisen_cycles_total", dimensions: [("outcome", r.outcome.rawValue)]).increment()
        guard r.outcome != .skipped else { return }
        Timer(label: "polisen_cycle_duration_seconds").recordNanoseconds(nanos(r.totalMs))
        for stage in Stage.allCases {
            let ms = r.stages[stage]
            if ms > 0 { Timer(label: "polisen_stage_duration_seconds", dimensions: [("stage", stage.rawValue)]).recordNanoseconds(nanos(ms)) }
        }
        for (kind, n) in [("fetched", r.fetched), ("new", r.new), ("updated", r.updated)] where n > 0 {
            Counter(label: "polisen_events_total", dimensions: [("kind", kind)]).increment(by: n)
        }
        if r.retries > 0 { Counter(label: "polisen_retries_total").increment(by: r.retries) }
        if r.gap { Counter(label: "polisen_gaps_total").increment() }
        if let http = r.http {
            Counter(label: "polisen_http_bytes_total", dimensions: [("encoding", "wire")]).increment(by: http.bytesWire)
            Counter(label: "polisen_http_bytes_total", dimensions: [("encoding", "decoded")]).increment(by: http.bytesDecoded)
        }
        if r.outcome == .ok { recordLastSuccess(r.startedAt + r.totalMs / 1000) }
    }

    func recordLastSuccess(_ at: Double) {
        Gauge(label: "polisen_last_success_timestamp_seconds").record(at)
    }

    private func nanos(_ ms: Double) -> Int64 { Int64((ms * 1e6).rounded()) }
}
