#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// One line a client sends on the control socket: `{"command":"poll_now"}`, `reset_404` or
/// `snapshot`.
public struct ControlCommand: Codable, Sendable, Equatable {
    public var command: String
    public init(_ command: String) { self.command = command }

    public static let pollNow = "poll_now", reset404 = "reset_404", snapshot = "snapshot"
    public static let all = [pollNow, reset404, snapshot]
}

/// One line the service sends: an engine event (`seq`, `event`), or the answer to a command
/// (`reply` naming it, `ok`, and a `reason` and `until` when refused; `snapshot` for one).
/// The snapshot is also sent unasked as the first line of every connection.
public struct ControlMessage: Codable, Sendable {
    public var seq: Int?
    public var event: EngineEvent?
    public var reply: String?
    public var ok: Bool?
    public var reason: String?
    /// When a refused command could succeed (Unix seconds).
    public var until: Double?
    public var snapshot: ServiceSnapshot?

    public init(
        seq: Int? = nil, event: EngineEvent? = nil, reply: String? = nil, ok: Bool? = nil, reason: String? = nil,
        until: Double? = nil, snapshot: ServiceSnapshot? = nil
    ) {
        self.seq = seq
        self.event = event
        self.reply = reply
        self.ok = ok
        self.reason = reason
        self.until = until
        self.snapshot = snapshot
    }
}

/// Newline-delimited JSON, one object a line, both ways. Non-finite numbers (a budget that
/// never opens) travel as the strings "inf", "-inf" and "nan".
public enum ControlWire {
    /// The longest line a service accepts from a client.
    public static let maxCommandLine = 64 * 1024

    public static func encode<T: Encodable>(_ value: T) -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        // Every type sent here encodes: only a non-finite number could fail, and that is handled.
        var bytes = (try? Array(encoder.encode(value))) ?? Array(#"{"reply":"error","ok":false,"reason":"unencodable"}"#.utf8)
        bytes.append(0x0A)
        return bytes
    }

    public static func decode<T: Decodable>(_ type: T.Type, line: some Collection<UInt8>) throws -> T {
        let decoder = JSONDecoder()
        decoder.nonConformingFloatDecodingStrategy = .convertFromString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return try decoder.decode(type, from: Data(line))
    }
}
