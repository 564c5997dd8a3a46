import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// A process a test started (the real binary, mostly `run`) with its standard error and output
/// on pipes read under deadlines: every wait has one, and a failure's message gives the exit
/// status, what it wrote on stdout and the end of its stderr. Killed (SIGKILL) and reaped if it
/// is still running when the test lets go of it.
final class RunningProcess {
    let process = Process()
    /// Its standard error: the log of `run`.
    let log: PipeReader
    let output: PipeReader

    /// Starts `executable` (the built binary by default) with `args`; `env` is added to the
    /// tests' environment, or replaces it with `replacingEnvironment`.
    init(_ args: [String], executable: String = binaryPath, env: [String: String] = [:], replacingEnvironment: Bool = false)
        throws
    {
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = args
        process.environment = replacingEnvironment ? env : ProcessInfo.processInfo.environment.merging(env) { $1 }
        let err = Pipe()
        let out = Pipe()
        process.standardError = err
        process.standardOutput = out
        try process.run()
        log = PipeReader(err.fileHandleForReading)
        output = PipeReader(out.fileHandleForReading)
    }

    deinit {
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
    }

    var processIdentifier: Int32 { process.processIdentifier }
    var isRunning: Bool { process.isRunning }
    var terminationStatus: Int32 { process.terminationStatus }
    func waitUntilExit() { process.waitUntilExit() }
    func signal(_ signal: Int32) { kill(process.processIdentifier, signal) }

    /// The exit status (or that it still runs), stdout and the end of stderr, for a message.
    var context: String {
        _ = output.readSome(timeout: 0)
        let status = process.isRunning ? "still running" : "exit status \(process.terminationStatus)"
        return "\(status); stdout: \(output.text.suffix(1000)); stderr: \(log.text.suffix(2500))"
    }

    /// Reads its log until `done` holds for all of it; throws after `seconds`, or at its end.
    @discardableResult
    func read(until done: (String) -> Bool, within seconds: Double, what: String) throws -> String {
        do {
            return try log.read(until: done, within: seconds, what: what)
        } catch {
            throw ProcessFailure(what: what, seconds: seconds, context: context)
        }
    }

    /// Sends `signal` (SIGTERM by default) and waits for the exit, reading its log to the end;
    /// false (after killing it) when it has not exited within `seconds`.
    @discardableResult
    func stop(signal: Int32 = SIGTERM, within seconds: Double = 20) -> Bool {
        kill(process.processIdentifier, signal)
        let deadline = Date().addingTimeInterval(seconds)
        _ = try? log.readToEnd(within: seconds, what: "the end of its log")
        return waitForExit(process, within: max(1, deadline.timeIntervalSinceNow))
    }
}

/// A wait on a started process that did not end as expected, with what it said.
struct ProcessFailure: Error, CustomStringConvertible {
    var what: String
    var seconds: Double
    var context: String
    var description: String { "no \(what) within \(Int(seconds)) s; \(context)" }
}

func waitForExit(_ p: RunningProcess, within seconds: Double) -> Bool { waitForExit(p.process, within: seconds) }
