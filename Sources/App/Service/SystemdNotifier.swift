import Engine

#if canImport(Glibc)
    import Glibc
#endif

/// systemd's notify protocol (sd_notify(3)) without libsystemd: one datagram per message to
/// the AF_UNIX socket named by $NOTIFY_SOCKET (a leading `@` is the abstract namespace).
/// Without NOTIFY_SOCKET every call does nothing, so `run` behaves the same outside systemd.
struct SystemdNotifier: Sendable {
    let socketPath: String?
    /// Half of $WATCHDOG_USEC, as sd_watchdog_enabled(3) advises; nil when no watchdog is asked
    /// for (or it is meant for another process, $WATCHDOG_PID).
    let watchdogInterval: Double?

    init(environment: [String: String]) {
        socketPath = environment["NOTIFY_SOCKET"].flatMap { $0.isEmpty ? nil : $0 }
        let forUs = environment["WATCHDOG_PID"].flatMap { Int32($0) }.map { $0 == getpid() } ?? true
        if forUs, let usec = environment["WATCHDOG_USEC"].flatMap(Double.init), usec > 0 {
            watchdogInterval = usec / 2_000_000
        } else {
            watchdogInterval = nil
        }
    }

    /// Sends `message` (e.g. "READY=1\nSTATUS=…"); false when it could not be sent.
    @discardableResult
    func notify(_ message: String) -> Bool {
        guard let socketPath else { return false }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        var path = Array(socketPath.utf8)
        if path.first == UInt8(ascii: "@") { path[0] = 0 }
        let capacity = MemoryLayout.size(ofValue: address.sun_path)
        guard path.count < capacity else { return false }
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            for (i, byte) in path.enumerated() { raw[i] = byte }
        }
        let fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        let length = socklen_t(MemoryLayout.offset(of: \sockaddr_un.sun_path)! + path.count + (path.first == 0 ? 0 : 1))
        let bytes = Array(message.utf8)
        let sent = withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { sockaddrPointer in
                bytes.withUnsafeBytes { sendto(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL), sockaddrPointer, length) }
            }
        }
        return sent == bytes.count
    }

    /// WATCHDOG=1 every half watchdog period while the engine answers (see `Liveness`): a
    /// wedged engine stops the pings and systemd restarts the service. Runs until cancelled.
    func runWatchdog(poller: Poller) async {
        guard socketPath != nil, let interval = watchdogInterval else { return }
        while !Task.isCancelled {
            if await Liveness.probe(poller, deadline: interval) { notify("WATCHDOG=1") }
            try? await Task.sleep(for: .seconds(interval))
        }
    }
}
