import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// The real binary in a real terminal: a private tmux server per test.
final class TmuxSession: @unchecked Sendable {
    let socket = "pd-test-\(UUID().uuidString.prefix(8))"
    let exitFile = temporaryDirectory() + "/exit"

    /// `config`: tmux commands the server reads before the program starts (e.g. options that
    /// must hold from its first byte on).
    init(_ command: [String], env: [String: String] = [:], width: Int = 120, height: Int = 40, config: String? = nil) throws {
        let envPart = env.map { "\($0.key)=\(shellQuote($0.value))" }.joined(separator: " ")
        let cmd = "env \(envPart) \(command.map(shellQuote).joined(separator: " ")); echo $? > \(exitFile); sleep 60"
        var configPath = "/dev/null"
        if let config {
            configPath = temporaryDirectory() + "/tmux.conf"
            try config.write(toFile: configPath, atomically: true, encoding: .utf8)
        }
        // The server this starts would inherit a pipe and hold it open: no output captured.
        try tmux(["-f", configPath, "new-session", "-d", "-x", "\(width)", "-y", "\(height)", cmd], capture: false)
        try tmux(["set-option", "-g", "status", "off"], capture: false)
    }

    deinit { _ = try? tmux(["kill-server"], capture: false) }

    /// Runs one tmux command through the shell (`popen` waits on the client itself; the
    /// server it may start has its output sent nowhere).
    @discardableResult
    func tmux(_ args: [String], capture: Bool = true) throws -> String {
        let command = (["tmux", "-L", socket] + args).map(shellQuote).joined(separator: " ")
        guard capture else {
            let status = system(command + " >/dev/null 2>&1 </dev/null")
            guard status == 0 else { throw TmuxError(command: command) }
            return ""
        }
        guard let pipe = popen(command + " 2>/dev/null </dev/null", "r") else { throw TmuxError(command: command) }
        var output = Data()
        var chunk = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = fread(&chunk, 1, chunk.count, pipe)
            if n <= 0 { break }
            output.append(contentsOf: chunk[0..<n])
        }
        guard pclose(pipe) == 0 else { throw TmuxError(command: command) }
        return String(decoding: output, as: UTF8.self)
    }

    struct TmuxError: Error { var command: String }

    func screen() -> String { (try? tmux(["capture-pane", "-p"])) ?? "" }

    /// The screen with its colours and styles as escape sequences (`capture-pane -e`).
    func styledScreen() -> String { (try? tmux(["capture-pane", "-p", "-e"])) ?? "" }

    func send(_ keys: String...) throws { try tmux(["send-keys"] + keys, capture: false) }

    func resize(width: Int, height: Int) throws {
        try tmux(["resize-window", "-x", "\(width)", "-y", "\(height)"], capture: false)
    }

    /// Waits until the screen satisfies `condition`, up to `timeout` seconds; returns the screen.
    @discardableResult
    func waitFor(_ what: String, timeout: Double = 20, _ condition: (String) -> Bool) -> String {
        let deadline = Date().addingTimeInterval(timeout)
        var s = screen()
        while !condition(s) && Date() < deadline {
            usleep(100_000)
            s = screen()
        }
        #expect(condition(s), "timed out waiting for \(what); screen:\n\(s)")
        return s
    }

    @discardableResult
    func waitFor(_ text: String, timeout: Double = 20) -> String { waitFor(text, timeout: timeout) { $0.contains(text) } }

    /// Like `waitFor`, but returns only a screen that holds still (two captures in a row alike):
    /// a frame tmux is still taking in can show a title before the body under it.
    @discardableResult
    func waitForSettled(_ what: String, timeout: Double = 20, _ condition: (String) -> Bool) -> String {
        let deadline = Date().addingTimeInterval(timeout)
        var s = screen()
        while Date() < deadline {
            if condition(s) {
                usleep(150_000)
                let again = screen()
                if again == s { return s }
                s = again
            } else {
                usleep(100_000)
                s = screen()
            }
        }
        #expect(condition(s), "timed out waiting for \(what); screen:\n\(s)")
        return s
    }

    /// The program's exit status once it has ended.
    func exitStatus(timeout: Double = 10) -> Int32? {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if let s = try? String(contentsOfFile: exitFile, encoding: .utf8),
                let n = Int32(s.trimmingCharacters(in: .whitespacesAndNewlines))
            {
                return n
            }
            usleep(100_000)
        }
        return nil
    }
}

func shellQuote(_ s: String) -> String { "'" + s.replacingOccurrences(of: "'", with: "'\\''") + "'" }
