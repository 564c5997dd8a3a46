import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// Log lines as log shippers and journald read them.
@Suite struct LogTests {
    /// `run` with `env` until `done` holds for its stderr; then SIGTERM. Returns the log.
    func runLog(_ args: [String], env: [String: String], until done: @escaping (String) -> Bool) throws -> String {
        let p = try RunningProcess(["run"] + args, env: env)
        let text = try p.read(until: done, within: 90, what: "log lines")
        #expect(p.stop(within: 20), "\(p.context)")
        return text
    }

    @Test func jsonLinesCarryTheCycleAndFailureFactsAsTypedFields() throws {
        let sim = try APISimulator()
        try sim.faults([["status": 503, "retry_after": 1]])
        let store = temporaryDirectory()
        let text = try runLog(
            [
                "--api-url", sim.apiURL, "--store", store, "--interval", "3600", "--min-spacing", "0",
                "--log-format", "json",
            ], env: ["JOURNAL_STREAM": ""]
        ) { $0.contains("cycle 1 ok") && $0.hasSuffix("\n") }
        let objects = text.split(separator: "\n").compactMap { parseJSON(String($0)) }
        #expect(objects.count == text.split(separator: "\n").count)  // every line one object
        let retry = try #require(objects.first { $0["stage"] as? String == "fetch" })
        #expect(retry["error_kind"] as? String == "http_503")
        #expect(retry["cycle"] as? Int == 1)
        #expect((retry["retry_in_s"] as? Double ?? 0) >= 1)
        #expect(retry["level"] as? String == "warning")
        let cycle = try #require(objects.first { ($0["message"] as? String ?? "").hasPrefix("cycle 1 ok") })
        #expect(cycle["cycle"] as? Int == 1)
        #expect(cycle["outcome"] as? String == "ok")
        #expect(cycle["new"] as? Int == 500)
        #expect(cycle["updated"] as? Int == 0)
        #expect((cycle["duration_ms"] as? Double ?? 0) > 0)
        #expect((cycle["time"] as? String ?? "").contains("T"))
    }

    @Test func underJournaldTextLinesCarrySyslogPriorities() throws {
        let sim = try APISimulator()
        try sim.faults([["status": 500]])
        let store = temporaryDirectory()
        let text = try runLog(
            ["--api-url", sim.apiURL, "--store", store, "--interval", "3600", "--max-attempts", "1"],
            env: ["JOURNAL_STREAM": "8:12345"]
        ) { $0.contains("cycle 1 failed") && $0.hasSuffix("\n") }
        let lines = text.split(separator: "\n")
        #expect(lines.allSatisfy { $0.hasPrefix("<") })
        #expect(lines.contains { $0.hasPrefix("<6>info ") && $0.contains("polling ") })
        #expect(lines.contains { $0.hasPrefix("<3>error ") && $0.contains("cycle 1 failed") })
        // Without journald, no prefixes: the time first.
        let plain = try runLog(
            ["--api-url", sim.apiURL, "--store", temporaryDirectory(), "--interval", "3600"], env: ["JOURNAL_STREAM": ""]
        ) {
            $0.contains("cycle 1 ") && $0.hasSuffix("\n")
        }
        #expect(plain.split(separator: "\n").allSatisfy { $0.first?.isNumber == true })
    }
}
