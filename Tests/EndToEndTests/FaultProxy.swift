import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// The tests' TCP fault proxy (Tests/FaultProxy/fault_proxy.py) in front of the simulator or
/// the S3 test server: forwards bytes unchanged until switched into a fault mode.
///
///     let proxy = try FaultProxy(targetPort: s3.port)
///     … --s3-endpoint proxy.endpoint …
///     try proxy.set(.swallow)     // in effect when it returns
///     try proxy.set(.pass)
///
/// Every read has a deadline; the proxy process is killed when the value goes away (and it
/// exits by itself if the test process dies).
final class FaultProxy: @unchecked Sendable {
    enum Mode: Equatable, CustomStringConvertible {
        case pass
        /// Not listening: connections are refused.
        case refuse
        /// Accepted, then closed without a byte.
        case close
        /// Accepted, then reset (RST).
        case reset
        /// A minimal `HTTP/1.1 503` to every request.
        case unavailable
        /// Accepted, read and never answered (a black hole).
        case swallow
        /// Forwarded, each chunk held this many milliseconds.
        case delay(ms: Int)

        var description: String {
            switch self {
            case .pass: "pass"
            case .refuse: "refuse"
            case .close: "close"
            case .reset: "reset"
            case .unavailable: "503"
            case .swallow: "swallow"
            case .delay(let ms): "delay \(ms)"
            }
        }
    }

    struct ProxyError: Error, CustomStringConvertible { var description: String }

    /// What the proxy saw: connections accepted, and how many were hit by each fault.
    struct Stats {
        var mode: String
        var accepted: Int
        var faulted: [String: Int]
        var open: Int
    }

    let process = Process()
    let port: Int
    let controlPort: Int
    var endpoint: String { "http://127.0.0.1:\(port)" }

    init(targetPort: Int, targetHost: String = "127.0.0.1", mode: Mode = .pass, startupTimeout: TimeInterval = 30) throws {
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [
            "python3", packageRoot.appendingPathComponent("Tests/FaultProxy/fault_proxy.py").path,
            "--target", "\(targetHost):\(targetPort)", "--mode", mode.description,
        ]
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        try process.run()
        let deadline = Date().addingTimeInterval(startupTimeout)
        let fd = out.fileHandleForReading.fileDescriptor
        let first = try readProxyLine(fd, deadline: deadline)
        let second = try readProxyLine(fd, deadline: deadline)
        guard first.hasPrefix("LISTENING "), let p = Int(first.dropFirst(10)),
            second.hasPrefix("CONTROL "), let c = Int(second.dropFirst(8))
        else {
            kill(process.processIdentifier, SIGKILL)
            throw ProxyError(description: "fault proxy did not start: \(first) \(second)")
        }
        port = p
        controlPort = c
    }

    deinit { stop() }

    func stop() {
        guard process.isRunning else { return }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    /// Switches the mode; it applies to new connections and to established ones at their next
    /// chunk. In effect when this returns.
    func set(_ mode: Mode) throws {
        let answer = try control(["-X", "POST", "--data-binary", mode.description, "http://127.0.0.1:\(controlPort)/mode"])
        guard answer.trimmingCharacters(in: .whitespacesAndNewlines) == mode.description else {
            throw ProxyError(description: "fault proxy refused mode \(mode): \(answer)")
        }
    }

    func stats() throws -> Stats {
        let text = try control(["http://127.0.0.1:\(controlPort)/stats"])
        guard let o = try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any],
            let mode = o["mode"] as? String, let accepted = o["accepted"] as? Int,
            let faulted = o["faulted"] as? [String: Int], let open = o["open"] as? Int
        else {
            throw ProxyError(description: "fault proxy stats unreadable: \(text)")
        }
        return Stats(mode: mode, accepted: accepted, faulted: faulted, open: open)
    }

    /// Waits (polling, up to `timeout`) until `condition` holds for the proxy's stats.
    @discardableResult
    func waitFor(timeout: TimeInterval = 60, _ condition: (Stats) -> Bool) throws -> Stats {
        let deadline = Date().addingTimeInterval(timeout)
        while true {
            let s = try stats()
            if condition(s) { return s }
            guard Date() < deadline else { throw ProxyError(description: "fault proxy: condition not met in \(timeout) s (\(s))") }
            usleep(100_000)
        }
    }

    /// The control channel goes through the curl command, bounded in time.
    private func control(_ args: [String]) throws -> String {
        let r = try runTool("/usr/bin/curl", ["-sS", "--max-time", "10"] + args)
        guard r.status == 0 else { throw ProxyError(description: "fault proxy control failed: \(r.stderr)") }
        return r.stdout
    }
}

/// One line from `fd` (without its newline), waiting at most until `deadline`.
private func readProxyLine(_ fd: Int32, deadline: Date) throws -> String {
    var line = [UInt8]()
    while true {
        let left = deadline.timeIntervalSinceNow
        guard left > 0 else {
            throw FaultProxy.ProxyError(description: "no line before the deadline: \(String(decoding: line, as: UTF8.self))")
        }
        var pfd = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        let ready = poll(&pfd, 1, Int32(min(left, 1) * 1000))
        if ready < 0 && errno != EINTR { throw FaultProxy.ProxyError(description: "poll failed: \(errno)") }
        guard ready > 0 else { continue }
        var byte: UInt8 = 0
        let n = read(fd, &byte, 1)
        if n < 0 && errno == EINTR { continue }
        guard n == 1 else {
            throw FaultProxy.ProxyError(description: "end of output before a line: \(String(decoding: line, as: UTF8.self))")
        }
        if byte == 0x0A { return String(decoding: line, as: UTF8.self) }
        line.append(byte)
    }
}
