/// The engine's one door to the network, small enough that tests can stand anything behind it.
public struct HTTPRequest: Sendable {
    public var method: String
    public var url: String
    public var headers: [(String, String)]
    public var body: [UInt8]?
    public var connectTimeout: Double
    public var totalTimeout: Double
    /// When set, a transfer moving less than a byte a second for this long is abandoned (a
    /// stalled or black-holed connection), before the total limit.
    public var stallTimeout: Double?
    /// A body larger than this (decoded) is an error, not an out-of-memory.
    public var maxBodyBytes: Int
    /// Ask for every encoding libcurl can decode (gzip, deflate, …).
    public var acceptCompressed: Bool
    /// AWS Signature V4 for S3-compatible stores: (region, accessKey, secretKey).
    public var awsSigV4: AWSCredentialsForSigning?

    public init(
        method: String = "GET", url: String, headers: [(String, String)] = [], body: [UInt8]? = nil,
        connectTimeout: Double = 10, totalTimeout: Double = 30, maxBodyBytes: Int = 8 << 20,
        acceptCompressed: Bool = true, awsSigV4: AWSCredentialsForSigning? = nil, stallTimeout: Double? = nil
    ) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
        self.connectTimeout = connectTimeout
        self.totalTimeout = totalTimeout
        self.stallTimeout = stallTimeout
        self.maxBodyBytes = maxBodyBytes
        self.acceptCompressed = acceptCompressed
        self.awsSigV4 = awsSigV4
    }
}

public struct AWSCredentialsForSigning: Sendable {
    public var region: String
    public var accessKey: String
    public var secretKey: String
    public var sessionToken: String?
    public init(region: String, accessKey: String, secretKey: String, sessionToken: String? = nil) {
        self.region = region
        self.accessKey = accessKey
        self.secretKey = secretKey
        self.sessionToken = sessionToken
    }
}

/// Phase durations of one request, in milliseconds (libcurl's cumulative times, split apart).
public struct HTTPTimings: Codable, Sendable, Equatable {
    /// Name resolution.
    public var dnsMs: Double = 0
    /// TCP connect, after DNS.
    public var connectMs: Double = 0
    /// TLS handshake, after connect (0 on plain HTTP).
    public var tlsMs: Double = 0
    /// From the request being sent to the first response byte: the server's time.
    public var ttfbMs: Double = 0
    /// The whole request.
    public var totalMs: Double = 0

    public init() {}

    enum CodingKeys: String, CodingKey {
        case dnsMs = "dns_ms"
        case connectMs = "connect_ms"
        case tlsMs = "tls_ms"
        case ttfbMs = "ttfb_ms"
        case totalMs = "total_ms"
    }

    /// Transfer of the body after the first byte.
    public var transferMs: Double { max(0, totalMs - dnsMs - connectMs - tlsMs - ttfbMs) }
}

public struct HTTPResponse: Sendable {
    public var status: Int
    /// Lower-cased names of the headers the engine reads: retry-after, content-type, location, etag.
    public var headers: [String: String]
    public var body: [UInt8]
    /// Bytes received on the wire (compressed when the server compressed).
    public var bytesWire: Int
    public var timings: HTTPTimings

    public init(
        status: Int, headers: [String: String] = [:], body: [UInt8] = [], bytesWire: Int? = nil,
        timings: HTTPTimings = HTTPTimings()
    ) {
        self.status = status
        self.headers = headers
        self.body = body
        self.bytesWire = bytesWire ?? body.count
        self.timings = timings
    }

    public var bytesDecoded: Int { body.count }
}

public enum TransportError: Error, Sendable, Equatable, CustomStringConvertible {
    case timeout(String)
    case connection(String)
    case tooLarge(limit: Int)
    case badEncoding(String)
    case cancelled
    case other(String)

    public var description: String {
        switch self {
        case .timeout(let m): return "timeout: \(m)"
        case .connection(let m): return "connection failed: \(m)"
        case .tooLarge(let limit): return "response larger than \(limit) bytes"
        case .badEncoding(let m): return "bad content encoding: \(m)"
        case .cancelled: return "cancelled"
        case .other(let m): return m
        }
    }
}

public protocol HTTPTransport: Sendable {
    func send(_ request: HTTPRequest) async throws(TransportError) -> HTTPResponse
}
