import Foundation

#if canImport(Glibc)
    import Glibc
#endif

// Deadlines for the tests' reads and waits.

/// A read that did not see what it waited for in time (or saw the end first).
struct ReadTimedOut: Error, CustomStringConvertible {
    var what: String
    var seconds: Double
    var got: String
    var description: String { "no \(what) within \(Int(seconds)) s; got: \(got.suffix(2000))" }
}

/// Reads a pipe with a deadline. Every read in the tests has one, so a stuck binary fails its
/// test instead of hanging the suite; a reply that arrives in several pieces is still whole.
final class PipeReader {
    let fd: Int32
    private(set) var data = Data()
    private(set) var atEnd = false

    init(_ handle: FileHandle) { fd = handle.fileDescriptor }

    var text: String { String(decoding: data, as: UTF8.self) }

    /// One read of whatever arrives within `timeout` seconds; false at the end or on timeout.
    @discardableResult
    func readSome(timeout: Double) -> Bool {
        var p = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        guard poll(&p, 1, Int32(max(0, timeout * 1000))) > 0 else { return false }
        var chunk = [UInt8](repeating: 0, count: 65_536)
        let n = Glibc.read(fd, &chunk, chunk.count)
        guard n > 0 else {
            atEnd = true
            return false
        }
        data.append(contentsOf: chunk[0..<n])
        return true
    }

    /// Reads until `done` holds for everything read so far; throws after `seconds`, or when
    /// the pipe ends first.
    @discardableResult
    func read(until done: (String) -> Bool, within seconds: Double, what: String) throws -> String {
        let deadline = Date().addingTimeInterval(seconds)
        while !done(text) {
            let left = deadline.timeIntervalSinceNow
            guard left > 0, !atEnd else { throw ReadTimedOut(what: what, seconds: seconds, got: text) }
            readSome(timeout: min(left, 1))
        }
        return text
    }

    /// Reads to the end of the pipe; throws if it has not ended after `seconds`.
    func readToEnd(within seconds: Double, what: String) throws -> String {
        let deadline = Date().addingTimeInterval(seconds)
        while !atEnd {
            let left = deadline.timeIntervalSinceNow
            guard left > 0 else { throw ReadTimedOut(what: what, seconds: seconds, got: text) }
            readSome(timeout: min(left, 1))
        }
        return text
    }
}

/// Waits for a process to exit; false (after killing it) when it is still running after
/// `seconds`. For processes asked to stop (SIGTERM), which a defect could leave running.
func waitForExit(_ p: Process, within seconds: Double) -> Bool {
    let deadline = Date().addingTimeInterval(seconds)
    while p.isRunning && Date() < deadline { usleep(20_000) }
    guard !p.isRunning else {
        kill(p.processIdentifier, SIGKILL)
        p.waitUntilExit()
        return false
    }
    p.waitUntilExit()
    return true
}
