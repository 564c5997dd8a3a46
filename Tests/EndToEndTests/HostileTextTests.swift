import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// Event text is data: served hostile text (Tests/Fixtures/hostile) never reaches a terminal
/// from `replay`, `status`, a log line or an error, and `replay --json` keeps the stored bytes.
@Suite(.serialized) struct HostileTextTests {
    static let hostileFixtures = packageRoot.appendingPathComponent("Tests/Fixtures/hostile").path

    /// A scalar no human-readable output may hold (newlines the program writes itself aside).
    static func forbidden(_ s: Unicode.Scalar) -> Bool {
        switch s.value {
        case 0x0A: return false
        case 0x00...0x1F, 0x7F...0x9F, 0x061C, 0x180E, 0x00AD, 0x200B...0x200F, 0x2028...0x202E, 0x2060...0x206F, 0xFEFF,
            0xFFF9...0xFFFB, 0xE0000...0xE007F:
            return true
        default: return false
        }
    }

    func expectClean(_ text: String, _ what: String, sourceLocation: SourceLocation = #_sourceLocation) {
        let bad = Set(text.unicodeScalars.filter(Self.forbidden).map { "U+" + String($0.value, radix: 16, uppercase: true) })
        #expect(bad.isEmpty, "\(what) holds \(bad.sorted())", sourceLocation: sourceLocation)
    }

    @Test func replayAndPollTextAreCleanAndReplayJSONIsTheStoredBytes() throws {
        let sim = try APISimulator(["--fixtures", Self.hostileFixtures])
        let store = temporaryDirectory()
        let poll = try polisenDash(["poll", "--once", "--api-url", sim.apiURL, "--store", store, "--min-spacing", "0"])
        #expect(poll.status == 0, "\(poll.stderr)")
        expectClean(poll.stdout + poll.stderr, "poll --once")
        let stored = try storedLines(store).map(\.line)
        #expect(stored.count == 9)

        let replay = try polisenDash(["replay", "--store", store])
        #expect(replay.status == 0, "\(replay.stderr)")
        expectClean(replay.stdout + replay.stderr, "replay")
        // The events are there, their controls shown as placeholders, the 200 KB summary whole.
        #expect(replay.stdout.contains("Stockholm\u{FFFD}[2J\u{FFFD}[?25l"))
        #expect(replay.stdout.contains("Urklipp med BEL\u{FFFD}]52;c;cHduZWQ=\u{FFFD} och med ST\u{FFFD}]52;c;cHduZWQ=\u{FFFD}\\ slut."))
        #expect(replay.stdout.contains("Omvänd txet, isolat a b c"))
        #expect(replay.stdout.contains("Rad ett 2026-08-22T17:07:00+0000 error polisen-dash: förfalskad loggrad  indragen sista."))
        #expect(replay.stdout.utf8.count > 200_000)
        // Two lines per event: no line break of an event's own got through.
        #expect(replay.stdout.split(separator: "\n").count == 18)

        let json = try polisenDash(["replay", "--json", "--store", store])
        #expect(json.status == 0)
        let lines = json.stdout.split(separator: "\n", omittingEmptySubsequences: false).dropLast().map(String.init)
        #expect(lines.sorted() == stored.sorted())
        #expect(json.stdout.contains(#"\u001b]52;c;cHduZWQ=\u0007"#))
    }

    @Test func aHostileServerAnswerIsCleanInTheLogStatusAndTheErrorWithAHostileStorePath() throws {
        // An "API" answering 200 with terminal controls where the events should be: the
        // failure names what it found, and that text reaches the log, status and poll output.
        let server = Process()
        server.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        server.arguments = ["python3", "-c", Self.hostileServer]
        let out = Pipe()
        server.standardOutput = out
        try server.run()
        defer {
            kill(server.processIdentifier, SIGKILL)
            server.waitUntilExit()
        }
        let reader = PipeReader(out.fileHandleForReading)
        let first = try reader.read(until: { $0.contains("\n") }, within: 30, what: "the hostile server's port")
        let port = try #require(Int(first.trimmingCharacters(in: .whitespacesAndNewlines)))
        let api = "http://127.0.0.1:\(port)/api/events"
        // The store's own path tries it too.
        let store = temporaryDirectory() + "/store\u{1B}]0;pwned-title\u{07}\nforged"

        let (run, log) = try startRun([
            "--api-url", api, "--store", store, "--min-spacing", "0", "--max-attempts", "1", "--interval", "3600",
            "--log-format", "text",
        ])
        kill(run.processIdentifier, SIGTERM)
        #expect(waitForExit(run, within: 30))
        let failedLine = try #require(log.split(separator: "\n").first { $0.contains("cycle 1 failed") })
        #expect(failedLine.contains("pwned"))
        expectClean(log, "run's text log")

        let poll = try polisenDash(["poll", "--once", "--api-url", api, "--store", store, "--min-spacing", "0", "--max-attempts", "1"])
        #expect(poll.status != 0)
        #expect(poll.stdout.contains("pwned"), "\(poll.stdout)")
        expectClean(poll.stdout + poll.stderr, "poll --once")

        let status = try polisenDash(["status", "--store", store])
        #expect(status.status == 0, "\(status.stderr)")
        #expect(status.stdout.contains("pwned") && status.stdout.contains("store\u{FFFD}]0;pwned-title\u{FFFD} forged"), "\(status.stdout)")
        expectClean(status.stdout + status.stderr, "status")
    }

    /// Answers every request with 200 and a body of terminal controls; prints its port.
    static let hostileServer = #"""
        import http.server, os, sys, threading, time
        BODY = b"\x1b]0;pwned\x07\x1b[2J\xe2\x80\xae\xc2\x9b31m\r\n2026 error forged"
        class H(http.server.BaseHTTPRequestHandler):
            def log_message(self, *a): pass
            def do_GET(self):
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(BODY)))
                self.end_headers()
                self.wfile.write(BODY)
        s = http.server.ThreadingHTTPServer(("127.0.0.1", 0), H)
        print(s.server_address[1], flush=True)
        parent = os.getppid()
        def watch():
            while os.getppid() == parent: time.sleep(0.5)
            os._exit(0)
        threading.Thread(target=watch, daemon=True).start()
        s.serve_forever()
        """#
}
