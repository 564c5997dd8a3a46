import Foundation

#if canImport(Glibc)
    import Glibc
#endif

let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

/// The built `polisen-dash` (the test command builds it first).
let binaryPath: String = {
    if let p = ProcessInfo.processInfo.environment["POLISEN_DASH_BIN"] { return p }
    return packageRoot.appendingPathComponent(".build/debug/polisen-dash").path
}()

func temporaryDirectory() -> String {
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("pd-e2e-\(UUID().uuidString)").path
    try! FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
}

/// The API simulator: a real HTTP server process on loopback, one per test.
final class APISimulator: @unchecked Sendable {
    let process = Process()
    let port: Int
    var apiURL: String { "http://127.0.0.1:\(port)/api/events" }

    init(_ extra: [String] = []) throws {
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", packageRoot.appendingPathComponent("Tests/Simulator/polisen_sim.py").path, "--port", "0"] + extra
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        try process.run()
        // The first line says where it listens.
        let reader = PipeReader(out.fileHandleForReading)
        let text: String
        do {
            text = try reader.read(until: { $0.contains("\n") }, within: 30, what: "LISTENING line from the simulator")
        } catch {
            kill(process.processIdentifier, SIGKILL)
            throw error
        }
        let first = text.prefix { $0 != "\n" }
        guard first.hasPrefix("LISTENING "), let p = Int(first.dropFirst(10)) else {
            kill(process.processIdentifier, SIGKILL)
            throw SimulatorError(message: "simulator did not start: \(text)")
        }
        port = p
    }

    deinit {
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    struct SimulatorError: Error { var message: String }

    func get(_ path: String) throws -> Data { try curl(["http://127.0.0.1:\(port)\(path)"]) }

    func post(_ path: String, _ json: [String: Any]) throws {
        let body = try JSONSerialization.data(withJSONObject: json)
        _ = try curl([
            "-X", "POST", "-H", "Content-Type: application/json", "--data-binary", String(decoding: body, as: UTF8.self),
            "http://127.0.0.1:\(port)\(path)",
        ])
    }

    /// The control channel goes through the curl command, independent of the code under test.
    private func curl(_ args: [String]) throws -> Data {
        let r = try runTool("/usr/bin/curl", ["-sf", "--max-time", "30"] + args, within: 60)
        guard r.status == 0 else { throw SimulatorError(message: "curl \(args.last ?? "") failed (\(r.status))") }
        return Data(r.stdout.utf8)
    }

    func faults(_ list: [[String: Any]]) throws { try post("/_control/faults", ["faults": list]) }

    /// Every API request the simulator saw.
    func log() throws -> [[String: Any]] { try JSONSerialization.jsonObject(with: get("/_log")) as! [[String: Any]] }

    /// Every distinct version served, per id, as the exact lines sent.
    func served() throws -> [Int: [String]] {
        let raw = try JSONSerialization.jsonObject(with: get("/_served")) as! [String: [String]]
        return Dictionary(uniqueKeysWithValues: raw.map { (Int($0.key)!, $0.value) })
    }
}

struct RunResult {
    var status: Int32
    var stdout: String
    var stderr: String
}

/// Runs the real binary to completion.
func polisenDash(_ args: [String], env: [String: String] = [:]) throws -> RunResult {
    try runTool(binaryPath, args, env: env)
}

/// Starts `polisen-dash run` and reads its log until the first cycle's line; returns the
/// process (still running) and what it logged so far. Throws (and kills it) when that line does
/// not come within `seconds`, or the process ends first.
func startRun(_ args: [String], env: [String: String] = [:], within seconds: Double = 90) throws -> (RunningProcess, String) {
    let p = try RunningProcess(["run"] + args, env: env)
    // Up to the end of the line that reports the first cycle.
    let text = try p.read(
        until: { $0.contains("cycle 1 ") && $0.hasSuffix("\n") }, within: seconds, what: "first cycle's log line from `run`")
    return (p, text)
}

/// Every stored line (events/…/*.jsonl), in date then cycle order, with the file it is in.
func storedLines(_ root: String) throws -> [(file: String, line: String)] {
    let events = URL(fileURLWithPath: root).appendingPathComponent("events")
    guard let walker = FileManager.default.enumerator(atPath: events.path) else { return [] }
    let files = walker.compactMap { $0 as? String }.filter { $0.hasSuffix(".jsonl") }.sorted()
    var out: [(String, String)] = []
    for f in files {
        let text = try String(contentsOfFile: events.appendingPathComponent(f).path, encoding: .utf8)
        out += text.split(separator: "\n").map { (f, String($0)) }
    }
    return out
}

func allFiles(_ root: String) -> [String] {
    (FileManager.default.enumerator(atPath: root)?.compactMap { $0 as? String }) ?? []
}

func parseJSON(_ s: String) -> [String: Any]? {
    try? JSONSerialization.jsonObject(with: Data(s.utf8)) as? [String: Any]
}

/// The `error` of a `--json` cycle report ("" when none).
func reportError(_ r: RunResult) -> String { (parseJSON(r.stdout)?["error"] as? String) ?? "" }

/// GET over curl: the status code and the body.
func httpGet(_ url: String) throws -> (status: Int, body: String) {
    let r = try runTool("/usr/bin/curl", ["-s", "--max-time", "5", "-w", "\n%{http_code}", url])
    let lines = r.stdout.split(separator: "\n", omittingEmptySubsequences: false)
    return (Int(lines.last ?? "") ?? 0, lines.dropLast().joined(separator: "\n"))
}
