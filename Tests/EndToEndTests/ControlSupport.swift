import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// A client of the control socket written against the socket API directly (not the code under
/// test): newline-delimited JSON both ways, every read with a deadline.
final class ControlSocketClient {
    let fd: Int32
    private var buffer: [UInt8] = []
    private(set) var closedByPeer = false

    struct Failure: Error, CustomStringConvertible { var description: String }

    init(path: String) throws {
        signal(SIGPIPE, SIG_IGN)  // a write to a connection the service closed fails, not kills
        fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        guard bytes.count < MemoryLayout.size(ofValue: address.sun_path) else { throw Failure(description: "path too long") }
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            raw.copyBytes(from: bytes)
            raw[bytes.count] = 0
        }
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        guard result == 0 else {
            let code = errno
            close(fd)
            throw Failure(description: "connect \(path): \(String(cString: strerror(code)))")
        }
    }

    deinit { close(fd) }

    func send(_ text: String) throws {
        var bytes = Array(text.utf8)
        while !bytes.isEmpty {
            let n = write(fd, bytes, bytes.count)
            guard n > 0 else { throw Failure(description: "write: \(String(cString: strerror(errno)))") }
            bytes.removeFirst(n)
        }
    }

    func command(_ name: String) throws { try send("{\"command\":\"\(name)\"}\n") }

    /// The next line, within `seconds`.
    func line(within seconds: Double = 30) throws -> String {
        let deadline = Date().addingTimeInterval(seconds)
        while true {
            if let i = buffer.firstIndex(of: 0x0A) {
                let line = String(decoding: buffer[..<i], as: UTF8.self)
                buffer.removeFirst(i + 1)
                return line
            }
            let left = deadline.timeIntervalSinceNow
            guard left > 0, !closedByPeer else {
                throw Failure(description: closedByPeer ? "connection closed" : "no line within \(seconds) s")
            }
            fill(timeout: min(left, 1))
        }
    }

    /// The next message as a JSON object.
    func message(within seconds: Double = 30) throws -> [String: Any] {
        let text = try line(within: seconds)
        guard let object = parseJSON(text) else { throw Failure(description: "not JSON: \(text.prefix(300))") }
        return object
    }

    /// Reads messages until one satisfies `done`; returns it.
    func message(within seconds: Double = 30, where done: ([String: Any]) -> Bool) throws -> [String: Any] {
        let deadline = Date().addingTimeInterval(seconds)
        while true {
            let left = deadline.timeIntervalSinceNow
            guard left > 0 else { throw Failure(description: "no such message within \(seconds) s") }
            let m = try message(within: left)
            if done(m) { return m }
        }
    }

    /// Reads and discards until the service closes the connection; false if it is still open
    /// after `seconds`.
    func drainUntilClosed(within seconds: Double) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while !closedByPeer && Date() < deadline {
            fill(timeout: 0.5)
            buffer.removeAll(keepingCapacity: true)
        }
        return closedByPeer
    }

    private func fill(timeout: Double) {
        var p = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        guard poll(&p, 1, Int32(timeout * 1000)) > 0 else { return }
        var chunk = [UInt8](repeating: 0, count: 65_536)
        let n = read(fd, &chunk, chunk.count)
        if n <= 0 { closedByPeer = true } else { buffer += chunk[0..<n] }
    }
}

extension Dictionary where Key == String, Value == Any {
    /// The engine event's case name of a streamed message ("cycleFinished", "phase", …).
    var eventName: String? { (self["event"] as? [String: Any])?.keys.first }

    /// The report of a streamed cycleFinished event.
    var finishedReport: [String: Any]? {
        ((self["event"] as? [String: Any])?["cycleFinished"] as? [String: Any])?["_0"] as? [String: Any]
    }

    /// The stored lines of a streamed cycleFinished event.
    var storedLines: [String] {
        let stored = ((self["event"] as? [String: Any])?["cycleFinished"] as? [String: Any])?["stored"] as? [[String: Any]] ?? []
        return stored.compactMap { $0["line"] as? String }
    }
}

/// The mode bits of a file (its permissions), or nil when it is not there.
func fileMode(_ path: String) -> mode_t? {
    var info = stat()
    return stat(path, &info) == 0 ? info.st_mode & 0o7777 : nil
}

/// Waits until `condition` holds, up to `seconds`; returns whether it did.
func eventually(within seconds: Double = 30, _ condition: () throws -> Bool) rethrows -> Bool {
    let deadline = Date().addingTimeInterval(seconds)
    while Date() < deadline {
        if try condition() { return true }
        usleep(50_000)
    }
    return try condition()
}
