/// What went wrong, from a small fixed set: the metrics' `kind` label and the dashboard's hints
/// read this, never the message. Stored as its string (`http_503`, `timeout`, …), so metadata
/// written before this type existed reads unchanged.
public enum FailureKind: RawRepresentable, Codable, Sendable, Hashable {
    /// An HTTP status the API answered with (a redirect, 403, 404, 429, 5xx …).
    case http(Int)
    case timeout
    case connection
    case tooLarge
    case badEncoding
    /// A body that is not a JSON array of events (an HTML page, truncated JSON).
    case badBody
    /// The rate budget allowed no call within the wait this cycle had.
    case budget
    case cancelled
    /// The store failed (its stage says which operation).
    case store
    /// The journal of fetched responses is full: new events are not kept until the store is back.
    case journalFull
    /// A watch rule's command failed: it exited non-zero, was killed, could not start, or was
    /// dropped because too many were waiting (a timeout is `timeout`).
    case command
    case other

    public init?(rawValue: String) {
        switch rawValue {
        case "timeout": self = .timeout
        case "connection": self = .connection
        case "too_large": self = .tooLarge
        case "bad_encoding": self = .badEncoding
        case "bad_body": self = .badBody
        case "budget": self = .budget
        case "cancelled": self = .cancelled
        case "store": self = .store
        case "journal_full": self = .journalFull
        case "command": self = .command
        default:
            if rawValue.hasPrefix("http_"), let status = Int(rawValue.dropFirst(5)) {
                self = .http(status)
            } else {
                // A kind this version does not know (a newer writer): still a failure, never unreadable metadata.
                self = .other
            }
        }
    }

    public var rawValue: String {
        switch self {
        case .http(let status): return "http_\(status)"
        case .timeout: return "timeout"
        case .connection: return "connection"
        case .tooLarge: return "too_large"
        case .badEncoding: return "bad_encoding"
        case .badBody: return "bad_body"
        case .budget: return "budget"
        case .cancelled: return "cancelled"
        case .store: return "store"
        case .journalFull: return "journal_full"
        case .command: return "command"
        case .other: return "other"
        }
    }
}

extension TransportError {
    /// The failure kind of a transport error.
    public var failureKind: FailureKind {
        switch self {
        case .timeout: .timeout
        case .connection: .connection
        case .tooLarge: .tooLarge
        case .badEncoding: .badEncoding
        case .cancelled: .cancelled
        case .other: .other
        }
    }
}

/// `"http_503"` in a test or a fixture reads as `.http(503)`.
extension FailureKind: ExpressibleByStringLiteral {
    public init(stringLiteral value: String) { self = FailureKind(rawValue: value) ?? .other }
}
