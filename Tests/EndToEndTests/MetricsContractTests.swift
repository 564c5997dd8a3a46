import Foundation
import Testing

/// What Prometheus and probes see, checked with Prometheus's own promtool.
@Suite struct MetricsContractTests {
    func metricsBase(_ log: String) throws -> String {
        let line = try #require(log.split(separator: "\n").first { $0.contains("metrics on http://") })
        return "http://" + line.split(separator: "http://").last!.split(separator: "/").first!
    }

    func value(_ metrics: String, _ series: String) -> Double? {
        metrics.split(separator: "\n").first { $0.hasPrefix(series + " ") }.flatMap { Double($0.split(separator: " ").last ?? "") }
    }

    /// `promtool check metrics` on a scrape: exit status and what it said.
    func promtool(_ scrape: String) throws -> RunResult {
        let file = temporaryDirectory() + "/scrape.txt"
        try scrape.write(toFile: file, atomically: true, encoding: .utf8)
        return try runTool("/bin/sh", ["-c", "promtool check metrics < '\(file)'"])
    }

    @Test func aScrapePassesPromtoolWithEveryFamilyDescribedAndCountersAtZero() throws {
        let sim = try APISimulator()
        let store = temporaryDirectory()
        let (p, log) = try startRun(["--api-url", sim.apiURL, "--store", store, "--interval", "3600", "--metrics-addr", "127.0.0.1:0"])
        defer {
            kill(p.processIdentifier, SIGTERM)
            p.waitUntilExit()
        }
        #expect(log.contains("cycle 1 ok"))
        let (status, metrics) = try httpGet(try metricsBase(log) + "/metrics")
        #expect(status == 200)
        let check = try promtool(metrics)
        #expect(check.status == 0, "promtool: \(check.stdout) \(check.stderr)")
        // Every family has its HELP line.
        let families = Set(metrics.split(separator: "\n").filter { $0.hasPrefix("# TYPE ") }.map { $0.split(separator: " ")[2] })
        let described = Set(metrics.split(separator: "\n").filter { $0.hasPrefix("# HELP ") }.map { $0.split(separator: " ")[2] })
        #expect(families.count >= 12)
        #expect(families == described)
        // Known label values exist before anything happened to them.
        #expect(value(metrics, "polisen_cycles_total{outcome=\"failed\"}") == 0)
        #expect(value(metrics, "polisen_events_total{kind=\"updated\"}") == 0)
        #expect(value(metrics, "polisen_retries_total") == 0)
        #expect(value(metrics, "polisen_failures_total{stage=\"fetch\",kind=\"timeout\"}") == 0)
        #expect(value(metrics, "polisen_build_info{version=\"0.1.0\"}") == 1)
        #expect(value(metrics, "polisen_polling_stopped") == 0)
        let started = try #require(value(metrics, "process_start_time_seconds"))
        #expect(abs(started - Date().timeIntervalSince1970) < 300)
    }

    @Test func aStoppedServiceIsAliveButNotHealthyAndHasNoSuccessYet() throws {
        let sim = try APISimulator()
        try sim.faults([["status": 404]])
        let store = temporaryDirectory()
        let (p, log) = try startRun(["--api-url", sim.apiURL, "--store", store, "--interval", "3600", "--metrics-addr", "127.0.0.1:0"])
        defer {
            kill(p.processIdentifier, SIGTERM)
            p.waitUntilExit()
        }
        #expect(log.contains("cycle 1 skipped"))
        let base = try metricsBase(log)
        let (_, metrics) = try httpGet(base + "/metrics")
        #expect(value(metrics, "polisen_polling_stopped") == 1)
        #expect(value(metrics, "polisen_last_success_timestamp_seconds") == 0)
        #expect(try promtool(metrics).status == 0)
        let health = try httpGet(base + "/healthz")
        #expect(health.status == 503)
        #expect(health.body.hasPrefix("polling stopped"))
        // Liveness is about the process, not the data: a restart would not clear a 404 stop.
        let live = try httpGet(base + "/livez")
        #expect(live.status == 200)
        #expect(live.body.hasPrefix("alive"))
    }
}
