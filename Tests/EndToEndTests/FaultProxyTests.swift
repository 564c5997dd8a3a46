import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// The tests' fault proxy does what its modes say, seen by a client we did not write (curl).
@Suite struct FaultProxyTests {
    /// curl through the proxy: its exit code and the HTTP status it saw.
    func fetch(_ proxy: FaultProxy, maxTime: Int = 20) throws -> (exit: Int32, status: String) {
        let r = try runTool(
            "/usr/bin/curl",
            [
                "-s", "-o", "/dev/null", "-w", "%{http_code}", "--max-time", "\(maxTime)",
                "\(proxy.endpoint)/api/events",
            ])
        return (r.status, r.stdout)
    }

    @Test func everyModeDoesWhatItSaysAndPassComesBack() throws {
        let sim = try APISimulator()
        let proxy = try FaultProxy(targetPort: sim.port)
        #expect(try fetch(proxy) == (0, "200"))
        try proxy.set(.refuse)
        #expect(try fetch(proxy).exit == 7)  // couldn't connect
        #expect(try proxy.stats().accepted == 1)  // never accepted
        try proxy.set(.close)
        let closed = try fetch(proxy).exit
        #expect([52, 56].contains(closed), "curl exit \(closed)")  // empty reply (or a reset if the close overtook the request)
        try proxy.set(.reset)
        // Reset while connecting, sending or receiving, by when the RST overtakes curl (the
        // stats below tell it from a refusal).
        let reset = try fetch(proxy).exit
        #expect([7, 55, 56].contains(reset), "curl exit \(reset)")
        try proxy.set(.unavailable)
        #expect(try fetch(proxy) == (0, "503"))
        try proxy.set(.swallow)
        #expect(try fetch(proxy, maxTime: 2).exit == 28)  // timed out: nothing ever came
        try proxy.set(.pass)
        #expect(try fetch(proxy) == (0, "200"))
        let stats = try proxy.stats()
        #expect(stats.mode == "pass")
        #expect(stats.faulted == ["close": 1, "reset": 1, "503": 1, "swallow": 1])
        // Only the passing requests reached the simulator.
        #expect(try sim.log().count == 2)
    }

    @Test func delayHoldsEachChunk() throws {
        let sim = try APISimulator()
        let proxy = try FaultProxy(targetPort: sim.port, mode: .delay(ms: 400))
        let started = Date()
        #expect(try fetch(proxy) == (0, "200"))
        // At least the request and the answer were each held.
        #expect(Date().timeIntervalSince(started) >= 0.8)
    }

    @Test func aSwallowedConnectionStaysStuckWhileNewOnesPassAgain() throws {
        let sim = try APISimulator()
        let proxy = try FaultProxy(targetPort: sim.port, mode: .swallow)
        let stuck = Process()
        stuck.executableURL = URL(fileURLWithPath: "/usr/bin/curl")
        stuck.arguments = ["-s", "--max-time", "60", "\(proxy.endpoint)/api/events"]
        stuck.standardOutput = FileHandle.nullDevice
        try stuck.run()
        defer {
            kill(stuck.processIdentifier, SIGKILL)
            stuck.waitUntilExit()
        }
        try proxy.waitFor { $0.faulted["swallow"] == 1 && $0.open == 1 }
        try proxy.set(.pass)
        #expect(try fetch(proxy) == (0, "200"))
        // The first connection is still held, unanswered; only the new request got through.
        #expect(stuck.isRunning)
        #expect(try proxy.stats().open == 1)
        #expect(try sim.log().count == 1)
    }
}
