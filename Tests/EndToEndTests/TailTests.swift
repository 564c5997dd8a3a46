import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// `polisen-dash tail`: the events stored from now on, polling itself or attached to a service.
@Suite struct TailTests {
    @Test func tailJSONIntoHeadEndsAfterThreeLines() throws {
        let sim = try APISimulator()
        let store = temporaryDirectory()
        let shell = Process()
        shell.executableURL = URL(fileURLWithPath: "/bin/sh")
        shell.arguments = [
            "-c",
            "\(shellQuote(binaryPath)) tail --json --api-url \(shellQuote(sim.apiURL)) --store \(shellQuote(store)) 2>/dev/null | head -3",
        ]
        let out = Pipe()
        shell.standardOutput = out
        try shell.run()
        let text = try PipeReader(out.fileHandleForReading).readToEnd(within: 60, what: "the three lines of tail | head -3")
        // The pipeline ends only when tail has ended too.
        #expect(waitForExit(shell, within: 30))
        let lines = text.split(separator: "\n").map(String.init)
        #expect(lines.count == 3)
        let stored = Set(try storedLines(store).map(\.line))
        #expect(stored.count == 500)
        for line in lines { #expect(stored.contains(line), "\(line.prefix(80))") }
        #expect(fileMode(store + "/.control.sock") == nil)  // and cleaned up after itself
    }

    @Test func tailAttachedToARunPrintsWhatTheRunStores() throws {
        let sim = try APISimulator()
        let store = temporaryDirectory()
        let (run, _) = try startRun(["--api-url", sim.apiURL, "--store", store, "--interval", "2", "--min-spacing", "1"])
        defer {
            kill(run.processIdentifier, SIGTERM)
            _ = waitForExit(run, within: 20)
        }
        let firstCycle = Set(try storedLines(store).map(\.line))
        let tail = Process()
        tail.executableURL = URL(fileURLWithPath: binaryPath)
        tail.arguments = ["tail", "--json", "--api-url", sim.apiURL, "--store", store]
        let out = Pipe()
        let err = Pipe()
        tail.standardOutput = out
        tail.standardError = err
        try tail.run()
        try PipeReader(err.fileHandleForReading).read(
            until: { $0.contains("attached to pid \(run.processIdentifier)") }, within: 30,
            what: "tail's attached line")
        // The next two cycles store two new events each: tail prints exactly those lines.
        let printed = try PipeReader(out.fileHandleForReading).read(
            until: { $0.split(separator: "\n").count >= 4 }, within: 60,
            what: "four stored lines from tail")
        let lines = printed.split(separator: "\n").map(String.init)
        let stored = Set(try storedLines(store).map(\.line))
        for line in lines {
            #expect(stored.contains(line), "\(line.prefix(80))")
            #expect(!firstCycle.contains(line), "stored before tail started: \(line.prefix(80))")
        }
        #expect(Set(lines).count == lines.count)
        kill(tail.processIdentifier, SIGINT)
        #expect(waitForExit(tail, within: 20))
        #expect(tail.terminationStatus == 0)
        #expect(run.isRunning)  // tail left the service alone
    }
}
