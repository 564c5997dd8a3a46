import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// A real S3-compatible server (moto) with signature checking on, one per test.
final class S3Server: @unchecked Sendable {
    let process = Process()
    let port: Int
    let bucket = "archive"
    let accessKey: String
    let secretKey: String
    var endpoint: String { "http://127.0.0.1:\(port)" }
    static let python = packageRoot.appendingPathComponent(".venv/bin/python").path

    init() throws {
        port = freePort()
        process.executableURL = URL(fileURLWithPath: S3Server.python)
        process.arguments = ["-m", "moto.server", "-H", "127.0.0.1", "-p", "\(port)"]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        // Ready when it accepts connections.
        let deadline = Date().addingTimeInterval(30)
        while !canConnect(port) {
            guard Date() < deadline else { throw SetupError(message: "moto did not start on \(port)") }
            usleep(100_000)
        }
        let keys = try runTool(
            S3Server.python, [packageRoot.appendingPathComponent("Tests/S3/moto_setup.py").path, "http://127.0.0.1:\(port)", bucket])
        let parts = keys.stdout.split(separator: " ").map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }
        guard parts.count == 2 else { throw SetupError(message: "moto set-up failed: \(keys.stderr)") }
        accessKey = parts[0]
        secretKey = parts[1]
    }

    deinit {
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    struct SetupError: Error { var message: String }

    var env: [String: String] { ["AWS_ACCESS_KEY_ID": accessKey, "AWS_SECRET_ACCESS_KEY": secretKey] }

    func storeArgs(_ prefix: String = "polisen") -> [String] {
        ["--store", "s3://\(bucket)/\(prefix)", "--s3-endpoint", endpoint]
    }

    /// boto3's reading of every stored line, per key.
    func lines(prefix: String) throws -> [String: [String]] {
        let r = try runTool(S3Server.python, [tool, endpoint, bucket, "lines", prefix], env: env)
        return try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as! [String: [String]]
    }

    /// Every key under `prefix`, as boto3 lists them.
    func keys(prefix: String) throws -> [String] {
        let r = try runTool(S3Server.python, [tool, endpoint, bucket, "keys", prefix], env: env)
        return try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as! [String]
    }

    /// One object's body, read by boto3.
    func get(key: String) throws -> String {
        let r = try runTool(S3Server.python, [tool, endpoint, bucket, "get", key], env: env)
        guard r.status == 0 else { throw SetupError(message: "get \(key): \(r.stderr)") }
        return r.stdout
    }

    func put(key: String, file: String) throws { _ = try runTool(S3Server.python, [tool, endpoint, bucket, "put", key, file], env: env) }
    func legacy(prefix: String, windowFile: String, count: Int) throws {
        _ = try runTool(S3Server.python, [tool, endpoint, bucket, "legacy", prefix, windowFile, "\(count)"], env: env)
    }
    func fill(prefix: String, count: Int) throws {
        _ = try runTool(S3Server.python, [tool, endpoint, bucket, "fill", prefix, "\(count)"], env: env)
    }

    private var tool: String { packageRoot.appendingPathComponent("Tests/S3/s3_tool.py").path }
}

/// Runs a program to completion, reading its stdout and stderr together (neither can fill up
/// and block it). Throws, after killing it, when it has not finished within `seconds`.
func runTool(_ executable: String, _ args: [String], env: [String: String] = [:], within seconds: Double = 180) throws -> RunResult {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: executable)
    p.arguments = args
    p.environment = ProcessInfo.processInfo.environment.merging(env) { $1 }
    let out = Pipe()
    let err = Pipe()
    p.standardOutput = out
    p.standardError = err
    try p.run()
    let o = PipeReader(out.fileHandleForReading)
    let e = PipeReader(err.fileHandleForReading)
    let deadline = Date().addingTimeInterval(seconds)
    while !(o.atEnd && e.atEnd) {
        guard Date() < deadline else {
            kill(p.processIdentifier, SIGKILL)
            p.waitUntilExit()
            throw ReadTimedOut(
                what: "exit of \((executable as NSString).lastPathComponent) \(args.joined(separator: " "))",
                seconds: seconds, got: o.text + e.text)
        }
        for r in [o, e] where !r.atEnd { r.readSome(timeout: 0.05) }
    }
    p.waitUntilExit()
    return RunResult(status: p.terminationStatus, stdout: o.text, stderr: e.text)
}

func freePort() -> Int {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    defer { close(fd) }
    var addr = sockaddr_in()
    addr.sin_family = sa_family_t(AF_INET)
    addr.sin_addr.s_addr = inet_addr("127.0.0.1")
    addr.sin_port = 0
    var len = socklen_t(MemoryLayout<sockaddr_in>.size)
    _ = withUnsafeMutablePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, len) } }
    _ = withUnsafeMutablePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &len) } }
    return Int(UInt16(bigEndian: addr.sin_port))
}

func canConnect(_ port: Int) -> Bool {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    defer { close(fd) }
    var addr = sockaddr_in()
    addr.sin_family = sa_family_t(AF_INET)
    addr.sin_addr.s_addr = inet_addr("127.0.0.1")
    addr.sin_port = in_port_t(UInt16(port).bigEndian)
    return withUnsafePointer(to: &addr) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
    } == 0
}
