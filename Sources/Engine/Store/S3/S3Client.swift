/// The few S3 operations the store needs, path-style (OCI's compatibility API requires it),
/// signed with AWS Signature V4 by libcurl.
public struct S3Client: Sendable {
    public var endpoint: String
    public var bucket: String
    public var region: String
    public var credentials: S3Credentials
    public var transport: any HTTPTransport
    public var retry: RetryPolicy
    public var clock: any WallClock
    /// Seconds one request may take (`store_timeout`); an operation stops retrying once it
    /// has spent this long, so a black-holed store fails a cycle within about twice this.
    public var timeout: Double

    public init(
        endpoint: String, bucket: String, region: String, credentials: S3Credentials,
        transport: any HTTPTransport, retry: RetryPolicy = RetryPolicy(maxAttempts: 4, baseDelay: 0.5, maxDelay: 8, maxWait: 30),
        clock: any WallClock = SystemClock(), timeout: Double = S3Client.defaultTimeout
    ) {
        self.endpoint = endpoint.hasSuffix("/") ? String(endpoint.dropLast()) : endpoint
        self.bucket = bucket
        self.region = region
        self.credentials = credentials
        self.transport = transport
        self.retry = retry
        self.clock = clock
        self.timeout = timeout
    }

    public static let defaultTimeout: Double = 30

    public enum Failure: Error, Sendable, CustomStringConvertible, Equatable {
        case preconditionFailed
        case denied(String)
        case status(Int, String)
        case transport(String)
        /// The request got no (or too slow an) answer within its bounds.
        case timedOut(afterSeconds: Double, limit: Double)
        /// Retries ended: the attempts made, the seconds spent, the last failure.
        indirect case gaveUp(attempts: Int, seconds: Double, last: Failure)

        public var description: String {
            switch self {
            case .preconditionFailed: return "precondition failed (the object changed or exists)"
            case .denied(let m): return "access denied: \(m) (check the key pair, the bucket's policy and the clock)"
            case .status(let s, let m): return "HTTP \(s)\(m.isEmpty ? "" : ": \(m)")"
            case .transport(let m): return m
            case .timedOut(let after, let limit):
                return "timed out after \(formatDuration(after)) (store_timeout \(formatDuration(limit)))"
            case .gaveUp(let attempts, let seconds, let last):
                return "\(last); gave up after \(attempts) attempts in \(formatDuration(seconds))"
            }
        }
    }

    /// A failed request, named by its operation and object so that a cycle's error says which
    /// store and what: "s3 GET s3://bucket/prefix/metadata.json: timed out after 15 s …".
    public struct RequestError: Error, Sendable, CustomStringConvertible, Equatable {
        public var operation: String
        public var failure: Failure
        public var description: String { "s3 \(operation): \(failure)" }
    }

    func url(_ key: String, query: String = "") -> String {
        "\(endpoint)/\(percentEncode(bucket, keepSlash: false))/\(percentEncode(key, keepSlash: true))\(query.isEmpty ? "" : "?" + query)"
    }

    /// Sends with retries (backoff with jitter) on connection failures, timeouts, 5xx and 503
    /// SlowDown, while the operation has spent less than `timeout`; 403 is never retried.
    /// `what` names the operation in errors, e.g. "GET s3://bucket/key".
    func send(
        _ method: String, _ url: String, what: String, body: [UInt8]? = nil, headers: [(String, String)] = []
    ) async throws -> HTTPResponse {
        let began = clock.now()
        var attempt = 0
        while true {
            attempt += 1
            // Connect, stall (no byte for half the limit) and total bounds: no request can hang.
            let request = HTTPRequest(
                method: method, url: url, headers: headers, body: body, connectTimeout: min(10, timeout),
                totalTimeout: timeout, maxBodyBytes: 256 << 20, acceptCompressed: false,
                awsSigV4: AWSCredentialsForSigning(
                    region: region, accessKey: credentials.accessKey,
                    secretKey: credentials.secretKey, sessionToken: credentials.sessionToken),
                stallTimeout: timeout / 2)
            let attemptStart = clock.now()
            var retryable: Failure
            do {
                let r = try await transport.send(request)
                switch r.status {
                case 200..<300, 304, 404, 412: return r
                case 403: throw RequestError(operation: what, failure: .denied(s3ErrorCode(r.body)))
                case 500..<600: retryable = .status(r.status, s3ErrorCode(r.body))
                default: throw RequestError(operation: what, failure: .status(r.status, s3ErrorCode(r.body)))
                }
            } catch let e as TransportError {
                let failure: Failure =
                    if case .timeout = e {
                        .timedOut(afterSeconds: clock.now() - attemptStart, limit: timeout)
                    } else { .transport("\(e)") }
                guard ResponseJudge.isRetryable(e) else { throw RequestError(operation: what, failure: failure) }
                retryable = failure
            }
            let delay = retry.delay(afterAttempt: attempt, retryAfter: nil, jitter: Double.random(in: 0..<1))
            let spent = clock.now() - began
            guard attempt < retry.maxAttempts, spent + delay < timeout else {
                throw RequestError(
                    operation: what, failure: attempt == 1 ? retryable : .gaveUp(attempts: attempt, seconds: spent, last: retryable))
            }
            try await clock.sleep(seconds: delay)
        }
    }

    /// "s3://bucket/key", as errors name an object.
    func address(_ key: String) -> String { "s3://\(bucket)/\(key)" }

    /// The object, its ETag and its Last-Modified time, or nil when it does not exist.
    public func get(_ key: String) async throws -> VersionedBlob? {
        let what = "GET \(address(key))"
        let r = try await send("GET", url(key), what: what)
        if r.status == 404 { return nil }
        guard r.status == 200 else { throw RequestError(operation: what, failure: .status(r.status, "")) }
        return VersionedBlob(bytes: r.body, version: r.headers["etag"], writtenAt: r.headers["last-modified"].flatMap(parseHTTPDate))
    }

    public enum Condition: Sendable {
        case none, ifNoneMatch
        case ifMatch(String)
    }

    public func put(_ key: String, _ bytes: [UInt8], contentType: String, condition: Condition = .none) async throws {
        var headers = [("Content-Type", contentType)]
        switch condition {
        case .none: break
        case .ifNoneMatch: headers.append(("If-None-Match", "*"))
        case .ifMatch(let etag): headers.append(("If-Match", etag))
        }
        let what = "PUT \(address(key))"
        let r = try await send("PUT", url(key), what: what, body: bytes, headers: headers)
        if r.status == 412 { throw Failure.preconditionFailed }
        guard (200..<300).contains(r.status) else { throw RequestError(operation: what, failure: .status(r.status, s3ErrorCode(r.body))) }
    }

    public func delete(_ key: String) async throws {
        let what = "DELETE \(address(key))"
        let r = try await send("DELETE", url(key), what: what)
        guard (200..<300).contains(r.status) || r.status == 404 else {
            throw RequestError(operation: what, failure: .status(r.status, s3ErrorCode(r.body)))
        }
    }

    /// Every key under a prefix (ListObjectsV2, following continuation tokens).
    public func list(prefix: String) async throws -> [String] {
        var keys: [String] = []
        var token: String?
        repeat {
            // libcurl 7.88 signs the query string in the order given, and SigV4 wants it sorted
            // by name: keep the parameters in that order.
            var query = "list-type=2&prefix=\(percentEncode(prefix, keepSlash: false))"
            if let token { query = "continuation-token=\(percentEncode(token, keepSlash: false))&" + query }
            // The bucket alone is the resource: no trailing key.
            let r = try await send(
                "GET", "\(endpoint)/\(percentEncode(bucket, keepSlash: false))?\(query)",
                what: "LIST \(address(prefix))")
            guard r.status == 200 else {
                throw RequestError(operation: "LIST \(address(prefix))", failure: .status(r.status, s3ErrorCode(r.body)))
            }
            let xml = String(decoding: r.body, as: UTF8.self)
            keys += xmlValues("Key", in: xml)
            token = xmlValues("IsTruncated", in: xml).first == "true" ? xmlValues("NextContinuationToken", in: xml).first : nil
        } while token != nil
        return keys
    }
}

/// An access key pair. `description` never shows the secret.
public struct S3Credentials: Sendable, CustomStringConvertible {
    public var accessKey: String
    public var secretKey: String
    public var sessionToken: String?

    public init(accessKey: String, secretKey: String, sessionToken: String? = nil) {
        self.accessKey = accessKey
        self.secretKey = secretKey
        self.sessionToken = sessionToken
    }

    public var description: String { "S3Credentials(accessKey: \(accessKey.prefix(4))…, secret: hidden)" }
}

/// RFC 3986 percent-encoding as SigV4 wants it: unreserved characters kept, `/` kept in keys.
func percentEncode(_ s: String, keepSlash: Bool) -> String {
    var out = ""
    for b in s.utf8 {
        let c = Character(Unicode.Scalar(b))
        if (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A) || (b >= 0x30 && b <= 0x39) || "-._~".contains(c)
            || (keepSlash && b == 0x2F)
        {
            out.append(c)
        } else {
            let hex = String(b, radix: 16, uppercase: true)
            out += "%" + (hex.count == 1 ? "0" + hex : hex)
        }
    }
    return out
}

/// Text of every `<name>…</name>` element (S3's XML is flat enough for this), entities decoded.
func xmlValues(_ name: String, in xml: String) -> [String] {
    var out: [String] = []
    var rest = Substring(xml)
    let open = "<\(name)>"
    let close = "</\(name)>"
    while let start = rest.firstRange(of: open), let end = rest[start.upperBound...].firstRange(of: close) {
        out.append(xmlUnescape(String(rest[start.upperBound..<end.lowerBound])))
        rest = rest[end.upperBound...]
    }
    return out
}

func xmlUnescape(_ s: String) -> String {
    guard s.contains("&") else { return s }
    return s.replacing("&lt;", with: "<").replacing("&gt;", with: ">").replacing("&quot;", with: "\"")
        .replacing("&apos;", with: "'").replacing("&amp;", with: "&")
}

/// The error code of an S3 error body, e.g. `SignatureDoesNotMatch`.
func s3ErrorCode(_ body: [UInt8]) -> String {
    let xml = String(decoding: body.prefix(4096), as: UTF8.self)
    return [xmlValues("Code", in: xml).first, xmlValues("Message", in: xml).first].compactMap { $0 }.joined(separator: ": ")
}
