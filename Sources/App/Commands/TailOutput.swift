import Engine
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// What `tail` prints: each stored event that matches, as a readable line (sanitised: event
/// text is data, never terminal control) or as its stored JSON line, exactly.
struct TailOutput: Sendable {
    let json: Bool
    let query: EventQuery?

    /// Writes the matching events; false once stdout no longer takes them (closed pipe).
    func write(_ stored: [StoredEvent]) -> Bool {
        var text = ""
        for event in stored {
            if let query {
                guard let decoded = event.decoded(), query.matches(decoded) else { continue }
            }
            text += (json ? event.line : readable(event)) + "\n"
        }
        return text.isEmpty || Self.writeAll(text)
    }

    /// "2026-12-01 10:19:02 +01:00 · Trafikolycka · Stockholms län · summary", "(edited)" for a new version.
    func readable(_ stored: StoredEvent) -> String {
        guard let e = stored.decoded() else { return TerminalText.sanitize(stored.line) }
        let fields = [e.datetime, e.type ?? "?", e.location?.name ?? "?", e.summary.flatMap { $0.isEmpty ? nil : $0 } ?? e.name ?? ""]
        return TerminalText.sanitize(fields.joined(separator: " · ") + (stored.isNew ? "" : " (edited)"))
    }

    private static func writeAll(_ text: String) -> Bool {
        var text = text
        return text.withUTF8 { bytes in
            var offset = 0
            while offset < bytes.count {
                let n = Glibc.write(1, bytes.baseAddress! + offset, bytes.count - offset)
                if n < 0 && errno == EINTR { continue }
                guard n > 0 else { return false }
                offset += n
            }
            return true
        }
    }

    enum Ending: Equatable { case sourceEnded, stopped }

    /// Runs `body` (true: its source ended) until it returns, SIGINT or SIGTERM arrives, or
    /// stdout is closed by its reader (seen without waiting for the next event to write).
    static func until(stopped body: @escaping @Sendable () async -> Bool) async -> Ending {
        let task = Task { await body() }
        let signals = ShutdownSignals { task.cancel() }
        let watching = Atomic<Bool>(true)
        DedicatedThread.run {
            // With no events asked for, poll reports only an error or hang-up: a closed pipe.
            var p = pollfd(fd: 1, events: 0, revents: 0)
            while watching.load(ordering: .relaxed) {
                if poll(&p, 1, 200) > 0 && p.revents & Int16(POLLERR | POLLHUP | POLLNVAL) != 0 {
                    task.cancel()
                    return
                }
            }
        }
        let sourceEnded = await task.value
        watching.store(false, ordering: .relaxed)
        withExtendedLifetime(signals) {}
        return sourceEnded && !task.isCancelled ? .sourceEnded : .stopped
    }
}
