import Metrics

/// Turns the engine's events into swift-metrics instruments. Without a metrics backend
/// bootstrapped these are no-ops; `--metrics-addr` bootstraps Prometheus.
public struct CycleMetrics: Sendable {
    public init() {}

    public func observe(_ event: EngineEvent) {
        switch event {
        case .cycleFinished(let report, _): record(report)
        case .failure(let entry) where entry.outcome != .recovered:
            Counter(
                label: "polisen_failures_total",
                dimensions: [("stage", entry.stage.rawValue), ("kind", entry.kind?.rawValue ?? entry.stage.rawValue)]
            )
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
        if let pending = r.journalPending { Gauge(label: "polisen_journal_pending_events").record(pending) }
        guard r.outcome != .skipped else { return }
        Timer(label: "polisen_cycle_duration_seconds").recordNanoseconds(nanos(r.totalMs))
        for stage in Stage.allCases {
            let ms = r.stages[stage]
            if ms > 0 {
                Timer(label: "polisen_stage_duration_seconds", dimensions: [("stage", stage.rawValue)]).recordNanoseconds(nanos(ms))
            }
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

    /// 1 while polling is stopped by an HTTP 404 (until `reset-404`), else 0.
    func recordStopped(_ stopped: Bool) {
        Gauge(label: "polisen_polling_stopped").record(stopped ? 1 : 0)
    }

    private func nanos(_ ms: Double) -> Int64 { Int64((ms * 1e6).rounded()) }
}

// MARK: the families, with their help text and known label values

extension CycleMetrics {
    /// One metric family as Prometheus shows it. `series` are the label sets known from the
    /// start: counters are created at 0 for each, so `rate()` and alerts see them before the
    /// first increment.
    public struct Family: Sendable {
        public enum Kind: Sendable { case counter, gauge, histogram }
        public let name: String
        public let kind: Kind
        public let help: String
        public let series: [[(String, String)]]
    }

    /// Every family the engine and the binary publish. A metric made elsewhere that is missing
    /// here still gets a HELP line (its name), but belongs here.
    public static let families: [Family] = [
        Family(
            name: "polisen_cycles_total", kind: .counter, help: "Poll cycles finished, by outcome.",
            series: CycleReport.Outcome.allCases.map { [("outcome", $0.rawValue)] }),
        Family(
            name: "polisen_cycle_duration_seconds", kind: .histogram, help: "Duration of a cycle that made a call, all stages.", series: []),
        Family(
            name: "polisen_stage_duration_seconds", kind: .histogram,
            help: "Duration of each cycle stage (fetch, get_metadata, process, save_events, update_metadata).", series: []),
        Family(
            name: "polisen_events_total", kind: .counter, help: "Events fetched from the API, stored as new, and stored again as edited.",
            series: ["fetched", "new", "updated"].map { [("kind", $0)] }),
        Family(name: "polisen_retries_total", kind: .counter, help: "API calls retried after a failure.", series: [[]]),
        Family(
            name: "polisen_gaps_total", kind: .counter,
            help: "Full responses sharing no event with the store: events may have been missed.", series: [[]]),
        Family(
            name: "polisen_failures_total", kind: .counter,
            help: "Failed attempts and cycles, by stage and kind (http_503, timeout, connection, bad_body, budget, ...); stage watch: watch rule commands.",
            series: [
                ("fetch", "timeout"), ("fetch", "connection"), ("fetch", "bad_body"), ("fetch", "http_429"), ("fetch", "http_503"),
                ("fetch", "journal_full"), ("get_metadata", "store"), ("process", "store"), ("save_events", "store"),
                ("update_metadata", "store"), ("watch", "command"), ("watch", "timeout"),
            ]
            .map { [("stage", $0.0), ("kind", $0.1)] }),
        Family(name: "polisen_rate_budget_used_calls", kind: .gauge, help: "API calls made in the sliding window (hour, day).", series: []),
        Family(
            name: "polisen_rate_budget_limit_calls", kind: .gauge, help: "API calls allowed in the sliding window (hour, day).", series: []),
        Family(
            name: "polisen_http_bytes_total", kind: .counter, help: "Response bytes on the wire and after decoding (gzip).",
            series: ["wire", "decoded"].map { [("encoding", $0)] }),
        Family(
            name: "polisen_last_success_timestamp_seconds", kind: .gauge,
            help: "Unix time the last successful cycle ended; 0 before the first.", series: [[]]),
        Family(
            name: "polisen_journal_pending_events", kind: .gauge,
            help: "Fetched events kept in the local journal, waiting for the store (0 once committed).", series: [[]]),
        Family(
            name: "polisen_polling_stopped", kind: .gauge, help: "1 while polling is stopped by an HTTP 404 until reset-404, else 0.",
            series: [[]]),
        Family(
            name: "polisen_watch_matches_total", kind: .counter,
            help: "Stored events (new or a new version) matching a watch rule, by rule.", series: []),
        Family(
            name: "polisen_watch_command_failures_total", kind: .counter,
            help: "Watch rule commands that failed, timed out or were dropped, by rule.", series: []),
        Family(name: "polisen_build_info", kind: .gauge, help: "Always 1; the version of the running binary as a label.", series: []),
        Family(name: "process_start_time_seconds", kind: .gauge, help: "Unix time the process started.", series: []),
    ]

    /// Help text by family name.
    public static let help: [String: String] = Dictionary(families.map { ($0.name, $0.help) }, uniquingKeysWith: { a, _ in a })

    /// Publishes every known series at its start value: counters at 0, the last success at 0,
    /// no 404 stop, the build and the process start.
    public static func publishInitialValues(version: String, processStart: Double) {
        for family in families {
            for labels in family.series {
                switch family.kind {
                case .counter: Counter(label: family.name, dimensions: labels).increment(by: 0)
                case .gauge: Gauge(label: family.name, dimensions: labels).record(0)
                case .histogram: break
                }
            }
        }
        Gauge(label: "polisen_build_info", dimensions: [("version", version)]).record(1)
        Gauge(label: "process_start_time_seconds").record(processStart)
    }
}
