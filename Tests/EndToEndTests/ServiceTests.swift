import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// A unix datagram socket standing in for systemd's notify socket: what the service sends.
final class NotifySocket {
    let path: String
    private let fd: Int32
    private(set) var messages: [String] = []

    init(directory: String) throws {
        path = directory + "/notify.sock"
        fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue), 0)
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            for (i, byte) in path.utf8.enumerated() { raw[i] = byte }
        }
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        guard fd >= 0, bound == 0 else { throw ReadTimedOut(what: "bound notify socket", seconds: 0, got: "errno \(errno)") }
    }

    deinit {
        close(fd)
        unlink(path)
    }

    /// Receives datagrams until one satisfies `done`; throws after `seconds`.
    @discardableResult
    func receive(until done: (String) -> Bool, within seconds: Double) throws -> String {
        let deadline = Date().addingTimeInterval(seconds)
        while true {
            if let hit = messages.first(where: done) { return hit }
            let left = deadline.timeIntervalSinceNow
            guard left > 0 else { throw ReadTimedOut(what: "notify message", seconds: seconds, got: messages.joined(separator: " | ")) }
            var p = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            guard poll(&p, 1, Int32(min(left, 1) * 1000)) > 0 else { continue }
            var buffer = [UInt8](repeating: 0, count: 4096)
            let n = recv(fd, &buffer, buffer.count, 0)
            if n > 0 { messages.append(String(decoding: buffer[0..<n], as: UTF8.self)) }
        }
    }
}

/// contrib/polisen-dash.service, checked by systemd's own tools and run the way it runs it.
@Suite struct ServiceTests {
    let unitPath = packageRoot.appendingPathComponent("contrib/polisen-dash.service").path

    func unitLines() throws -> [String] {
        try String(contentsOfFile: unitPath, encoding: .utf8).split(separator: "\n").map(String.init)
    }

    func value(_ key: String) throws -> String {
        try #require(try unitLines().first { $0.hasPrefix(key + "=") }).dropFirst(key.count + 1).description
    }

    @Test func theUnitIsRatedSafeAndVerifies() throws {
        let security = try runTool("/usr/bin/systemd-analyze", ["security", "--offline=true", unitPath])
        let line = try #require(security.stdout.split(separator: "\n").first { $0.contains("Overall exposure level") })
        let score = try #require(Double(line.split(separator: ": ").last!.split(separator: " ").first!))
        #expect(score <= 2.0, "\(line)")
        // verify needs ExecStart's binary to exist (and a man page for Documentation=): a copy
        // pointing at the built one.
        let copy = temporaryDirectory() + "/polisen-dash.service"
        let text = try unitLines().filter { !$0.hasPrefix("Documentation=") }
            .map { $0.replacingOccurrences(of: "/usr/local/bin/polisen-dash", with: binaryPath) }.joined(separator: "\n")
        try (text + "\n").write(toFile: copy, atomically: true, encoding: .utf8)
        let verify = try runTool("/usr/bin/systemd-analyze", ["verify", copy])
        #expect(verify.status == 0, "\(verify.stdout) \(verify.stderr)")
    }

    @Test func settingsComeFromTheConfigFileAndABadOneIsNotRestartedInto() throws {
        let exec = try value("ExecStart")
        #expect(!exec.contains("--store") && !exec.contains("--user-agent") && !exec.contains("--api-url"))
        #expect(exec.hasSuffix("run --config /etc/polisen-dash/config.toml"))
        #expect(try value("Type") == "notify")
        let dir = temporaryDirectory()
        try "intervall = 5\n".write(toFile: dir + "/config.toml", atomically: true, encoding: .utf8)
        let bad = try polisenDash(["run", "--config", dir + "/config.toml"])
        let prevented = try value("RestartPreventExitStatus").split(separator: " ").compactMap { Int32($0) }
        #expect(prevented.contains(bad.status), "exit \(bad.status): \(bad.stderr)")
        let missing = try polisenDash(["run", "--config", dir + "/none.toml"])
        #expect(prevented.contains(missing.status))
    }

    /// The unit's command line and environment, with the sample config pointing at the
    /// simulator: READY=1 after the store opens, WATCHDOG=1 from the loop, SIGHUP reloads.
    @Test func theServiceNotifiesReadyAndWatchdogAndReloadsOnSIGHUP() throws {
        let sim = try APISimulator()
        let dir = temporaryDirectory()
        let notify = try NotifySocket(directory: dir)
        let sample = try String(contentsOfFile: packageRoot.appendingPathComponent("contrib/config.toml").path, encoding: .utf8)
        let config = dir + "/config.toml"
        try (sample + "\napi_url = \"\(sim.apiURL)\"\n").write(toFile: config, atomically: true, encoding: .utf8)
        // ExecStart with the binary and the config file moved; Environment= as the unit sets it,
        // with its /var/lib moved into the temporary folder.
        var args = try value("ExecStart").split(separator: " ").map(String.init).dropFirst()
        args = args.map { $0 == "/etc/polisen-dash/config.toml" ? config : $0 }[...]
        var environment = ProcessInfo.processInfo.environment
        for pair in try value("Environment").split(separator: " ") {
            let kv = pair.split(separator: "=", maxSplits: 1)
            environment[String(kv[0])] = String(kv[1]).replacingOccurrences(of: "/var/lib", with: dir + "/var-lib")
        }
        environment["NOTIFY_SOCKET"] = notify.path
        environment["WATCHDOG_USEC"] = "2000000"
        let p = try RunningProcess(Array(args), env: environment, replacingEnvironment: true)
        let log = p.log

        try notify.receive(until: { $0.hasPrefix("READY=1") }, within: 60)
        try p.read(until: { $0.contains("cycle 1 ok") }, within: 60, what: "first cycle")
        let ready = try #require(notify.messages.firstIndex { $0.hasPrefix("READY=1") })
        try notify.receive(until: { $0 == "WATCHDOG=1" }, within: 30)
        #expect(notify.messages.firstIndex { $0 == "WATCHDOG=1" }! > ready)
        // The store is where the unit's environment puts it, though no flag named it.
        #expect(try storedLines(dir + "/var-lib/polisen-dash").count == 500)

        // SIGHUP: a new log level applies; a key that cannot change live is named; still running.
        try (sample + "\napi_url = \"\(sim.apiURL)\"\nlog_level = \"debug\"\nmin_spacing = 12\n")
            .write(toFile: config, atomically: true, encoding: .utf8)
        kill(p.processIdentifier, SIGHUP)
        try p.read(until: { $0.contains("SIGHUP: reloaded") }, within: 30, what: "reload line")
        #expect(log.text.contains("applied log_level = debug"))
        #expect(log.text.contains("taking effect at the next start: min_spacing"))
        // A broken file on reload is reported and the service goes on.
        try "interval = \"soon\"\n".write(toFile: config, atomically: true, encoding: .utf8)
        kill(p.processIdentifier, SIGHUP)
        try p.read(until: { $0.contains("keeping the running configuration") }, within: 30, what: "failed reload line")
        #expect(p.isRunning)

        #expect(p.stop(within: 20), "\(p.context)")
        #expect(p.terminationStatus == 0, "\(p.context)")
        try notify.receive(until: { $0 == "STOPPING=1" }, within: 5)
    }
}
