import Foundation
import Testing

/// Running for real: the config file and its precedence, /metrics and /healthz, adaptive polling.
@Suite struct RunningTests {
    /// http://HOST:PORT from the run's "metrics on http://HOST:PORT/metrics" line.
    func metricsBase(_ log: String) throws -> String {
        let line = try #require(log.split(separator: "\n").first { $0.contains("metrics on http://") })
        return "http://" + line.split(separator: "http://").last!.split(separator: "/").first!
    }

    func value(_ metrics: String, _ series: String) -> Double? {
        metrics.split(separator: "\n").first { $0.hasPrefix(series + " ") }.flatMap { Double($0.split(separator: " ").last ?? "") }
    }

    @Test func runServesPrometheusMetricsAndHealth() throws {
        let sim = try APISimulator()
        let store = temporaryDirectory()
        let (p, log) = try startRun(["--api-url", sim.apiURL, "--store", store, "--interval", "3600", "--metrics-addr", "127.0.0.1:0"])
        defer {
            if p.isRunning {
                kill(p.processIdentifier, SIGTERM)
                _ = waitForExit(p, within: 10)
            }
        }
        #expect(log.contains("cycle 1 ok"))
        let base = try metricsBase(log)
        let (status, metrics) = try httpGet(base + "/metrics")
        #expect(status == 200)
        #expect(value(metrics, "polisen_cycles_total{outcome=\"ok\"}") == 1)
        #expect(value(metrics, "polisen_events_total{kind=\"new\"}") == 500)
        #expect(value(metrics, "polisen_events_total{kind=\"fetched\"}") == 500)
        #expect(value(metrics, "polisen_cycle_duration_seconds_count") == 1)
        for stage in ["fetch", "get_metadata", "process", "save_events", "update_metadata"] {
            #expect(value(metrics, "polisen_stage_duration_seconds_count{stage=\"\(stage)\"}") == 1, "\(stage)")
        }
        #expect((value(metrics, "polisen_http_bytes_total{encoding=\"wire\"}") ?? 0) > 1000)
        #expect(value(metrics, "polisen_rate_budget_used_calls{window=\"hour\"}") == 1)
        #expect(value(metrics, "polisen_rate_budget_limit_calls{window=\"day\"}") == 1440)
        let lastSuccess = try #require(value(metrics, "polisen_last_success_timestamp_seconds"))
        #expect(abs(lastSuccess - Date().timeIntervalSince1970) < 60)
        #expect(metrics.contains("# TYPE polisen_stage_duration_seconds histogram"))
        let health = try httpGet(base + "/healthz")
        #expect(health.status == 200)
        #expect(health.body.hasPrefix("ok: last successful cycle"))

        // A scraper holding a keep-alive connection open does not delay the exit.
        let holder = Process()
        holder.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        let hostPort = base.dropFirst("http://".count).split(separator: ":")
        holder.arguments = [
            "python3", "-c",
            """
            import http.client, sys, time
            c = http.client.HTTPConnection("\(hostPort[0])", \(hostPort[1]))
            c.request("GET", "/healthz"); c.getresponse().read(); print("open", flush=True); time.sleep(20)
            """,
        ]
        let out = Pipe()
        holder.standardOutput = out
        try holder.run()
        defer { holder.terminate() }
        // "open": the connection is established and idle (empty would mean the holder died).
        let said = try PipeReader(out.fileHandleForReading).read(
            until: { $0.hasSuffix("\n") }, within: 30, what: "\"open\" from the keep-alive holder")
        #expect(said == "open\n")
        let sent = Date()
        kill(p.processIdentifier, SIGTERM)
        #expect(waitForExit(p, within: 10))
        #expect(p.terminationStatus == 0)
        #expect(Date().timeIntervalSince(sent) < 2)
    }

    @Test func healthTurnsUnhealthyWhenCyclesKeepFailing() throws {
        let sim = try APISimulator()
        try sim.faults(Array(repeating: ["status": 500], count: 50))
        let store = temporaryDirectory()
        let (p, log) = try startRun([
            "--api-url", sim.apiURL, "--store", store, "--interval", "1", "--min-spacing", "0",
            "--max-attempts", "1", "--metrics-addr", "127.0.0.1:0",
        ])
        defer {
            kill(p.processIdentifier, SIGTERM)
            _ = waitForExit(p, within: 10)
        }
        #expect(log.contains("cycle 1 failed"))
        let base = try metricsBase(log)
        // Two intervals (2 s) after the start with no success, health must turn 503.
        let deadline = Date().addingTimeInterval(20)
        var last = try httpGet(base + "/healthz")
        while last.status != 503 && Date() < deadline { last = try httpGet(base + "/healthz") }
        #expect(last.status == 503)
        #expect(last.body.hasPrefix("no successful cycle since start"))
        let (_, metrics) = try httpGet(base + "/metrics")
        #expect((value(metrics, "polisen_failures_total{stage=\"fetch\",kind=\"http_500\"}") ?? 0) >= 1)
        #expect((value(metrics, "polisen_cycles_total{outcome=\"failed\"}") ?? 0) >= 1)
    }

    @Test func adaptivePollingCallsSoonerWhileTheWindowFills() throws {
        let sim = try APISimulator()
        // 300 new events per call: more than half the window each time.
        try sim.post("/_control/config", ["step": 300])
        let store = temporaryDirectory()
        let (p, log) = try startRun([
            "--api-url", sim.apiURL, "--store", store, "--adaptive", "--interval", "30",
            "--min-spacing", "2", "--max-per-hour", "3600", "--max-per-day", "86400",
        ])
        defer {
            kill(p.processIdentifier, SIGTERM)
            _ = waitForExit(p, within: 10)
        }
        #expect(log.contains("adaptive, every 2 s to 1 min"))
        let deadline = Date().addingTimeInterval(20)
        while try sim.log().count < 3 && Date() < deadline { usleep(100_000) }
        let times = try sim.log().prefix(3).map { $0["t"] as! Double }
        #expect(times.count == 3)
        // The fixed schedule would wait 30 s; adaptive calls again after the budget's minimum, never sooner.
        for (a, b) in zip(times, times.dropFirst()) {
            #expect(b - a >= 1.95 && b - a < 10, "\(b - a) s between calls")
        }
    }

    @Test func configShowsEachValueAndWhereItCameFrom() throws {
        let dir = temporaryDirectory()
        let file = dir + "/config.toml"
        try "interval = 600\nmin_spacing = 12\nmax_per_hour = 40\napi_url = \"https://reader:s3cret@example.org/api/events\"\n"
            .write(toFile: file, atomically: true, encoding: .utf8)
        let r = try polisenDash(
            ["config", "--json", "--config", file, "--min-spacing", "15"],
            env: ["POLISEN_DASH_MAX_PER_HOUR": "30"])
        #expect(r.status == 0, "\(r.stderr)")
        let object = try #require(parseJSON(r.stdout) as? [String: [String: Any]])
        func entry(_ key: String) -> (value: Any?, source: String?) { (object[key]?["value"], object[key]?["source"] as? String) }
        // Values typed: numbers as numbers, booleans as booleans.
        #expect(entry("min_spacing").value as? Double == 15 && entry("min_spacing").source == "flag --min-spacing")
        #expect(entry("max_per_hour").value as? Int == 30 && entry("max_per_hour").source == "environment POLISEN_DASH_MAX_PER_HOUR")
        #expect(entry("interval").value as? Double == 600 && entry("interval").source == "file \(file)")
        #expect(entry("timeout").value as? Double == 30 && entry("timeout").source == "default")
        #expect(entry("adaptive").value as? Bool == false)
        #expect(r.stdout.contains("\"adaptive\": {\n    \"source\": \"default\",\n    \"value\": false"))
        #expect(entry("api_url").value as? String == "https://reader:<redacted>@example.org/api/events")
        #expect(!r.stdout.contains("\\/"))  // slashes unescaped
        // The effective store, also when it is the default place.
        #expect((entry("store").value as? String)?.hasSuffix("/polisen-dash") == true)
        #expect(!r.stdout.contains("s3cret"))
    }

    @Test func aBadConfigFileStopsBeforeAnyCall() throws {
        let sim = try APISimulator()
        let dir = temporaryDirectory()
        let file = dir + "/config.toml"
        try "max_per_hour = \"many\"\n".write(toFile: file, atomically: true, encoding: .utf8)
        let r = try polisenDash(["poll", "--once", "--api-url", sim.apiURL, "--store", dir + "/store", "--config", file])
        #expect(r.status != 0)
        #expect(r.stderr.contains("max_per_hour (file \(file)): expected a whole number"))
        try "interval = 60\nintervall = 5\n".write(toFile: file, atomically: true, encoding: .utf8)
        let unknown = try polisenDash(
            ["poll", "--once", "--api-url", sim.apiURL, "--store", dir + "/store"],
            env: ["XDG_CONFIG_HOME": dir, "POLISEN_DASH_CONFIG": file])
        #expect(unknown.status != 0)
        #expect(unknown.stderr.contains("\(file): unknown key \"intervall\" (did you mean \"interval\"?)"))
        #expect(try sim.log().isEmpty)
        #expect(try polisenDash(["config", "--config", dir + "/missing.toml"]).stderr.contains("does not exist"))
    }
}
