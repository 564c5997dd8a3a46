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
        #expect(value(metrics, "polisen_failures_total{stage=\"watch\",kind=\"command\"}") == 0)
        #expect(value(metrics, "polisen_build_info{version=\"0.1.0\"}") == 1)
        #expect(value(metrics, "polisen_polling_stopped") == 0)
        let started = try #require(value(metrics, "process_start_time_seconds"))
        #expect(abs(started - Date().timeIntervalSince1970) < 300)
    }

    @Test func aFailingWatchCommandCountsAsAFailureAndIsKeptInTheFailureLog() throws {
        let sim = try APISimulator()
        let dir = temporaryDirectory()
        let store = "\(dir)/store"
        try """
            [[watch]]
            name = "hook"
            query = "malmö"
            command = "echo no webhook here >&2; exit 1"
            """.write(toFile: "\(dir)/config.toml", atomically: true, encoding: .utf8)
        let (p, log) = try startRun([
            "--config", "\(dir)/config.toml", "--api-url", sim.apiURL, "--store", store, "--interval", "3600",
            "--metrics-addr", "127.0.0.1:0",
        ])
        defer {
            if p.isRunning { kill(p.processIdentifier, SIGKILL) }
            p.waitUntilExit()
        }
        let base = try metricsBase(log)
        let series = "polisen_failures_total{stage=\"watch\",kind=\"command\"}"
        // The commands run beside the cycle: wait until their failures are counted.
        var metrics = ""
        let deadline = Date().addingTimeInterval(60)
        repeat {
            metrics = try httpGet(base + "/metrics").body
            if (value(metrics, series) ?? 0) >= 1 { break }
            usleep(100_000)
        } while Date() < deadline
        let counted = try #require(value(metrics, series), "\(metrics.suffix(3000))")
        #expect(counted >= 1)
        #expect(value(metrics, "polisen_watch_command_failures_total{watch=\"hook\"}") == counted)
        let check = try promtool(metrics)
        #expect(check.status == 0, "promtool: \(check.stdout) \(check.stderr)")
        // Stopping writes them into the store's failure log, where a restarted dashboard and an
        // attached one read the recent failures.
        kill(p.processIdentifier, SIGTERM)
        #expect(waitForExit(p, within: 20))
        let meta = try #require(parseJSON(try String(contentsOfFile: "\(store)/metadata.json", encoding: .utf8)))
        let failures = try #require(meta["failures"] as? [[String: Any]])
        let watch = failures.filter { $0["stage"] as? String == "watch" }
        #expect(Double(watch.count) >= counted)
        #expect(watch.allSatisfy { $0["kind"] as? String == "command" && ($0["error"] as? String ?? "").contains("watch \"hook\", event ") })
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
