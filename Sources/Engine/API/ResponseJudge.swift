/// How one API response is judged: data, a failure worth retrying, or one that is not.
public enum ResponseVerdict: Sendable, Equatable {
    case data
    case retry(String, retryAfter: Double?)
    case fail(String)
    /// 404: by the API's rules, stop calling this resource.
    case stop(String)
}

public enum ResponseJudge {
    public static func judge(_ r: HTTPResponse, now: Double) -> ResponseVerdict {
        let retryAfter = parseRetryAfter(r.headers["retry-after"], now: now)
        switch r.status {
        case 200:
            if let type = r.headers["content-type"]?.lowercased(), type.contains("text/html") {
                return .fail("HTTP 200 with an HTML page instead of JSON (rate limiter or maintenance page)")
            }
            return .data
        case 300..<400:
            let to = r.headers["location"].map { " to \($0)" } ?? ""
            return .fail("HTTP \(r.status) redirect\(to): the site's rate limiter answers so; not data")
        case 404:
            return .stop("HTTP 404: the API's rules say a 404 is permanent; polling stopped")
        case 408, 429:
            return .retry("HTTP \(r.status)", retryAfter: retryAfter)
        case 500..<600:
            return .retry("HTTP \(r.status)", retryAfter: retryAfter)
        default:
            return .fail("HTTP \(r.status)")
        }
    }

    /// Transport failures worth another attempt: the network, not the request.
    public static func isRetryable(_ e: TransportError) -> Bool {
        switch e {
        case .timeout, .connection, .badEncoding: return true
        case .tooLarge, .cancelled, .other: return false
        }
    }

    /// A body that failed to parse: truncation and emptiness are transient; HTML or another
    /// shape of JSON is what the server meant to send.
    public static func isRetryable(_ e: BodyError) -> Bool {
        switch e {
        case .empty, .invalid: return true
        case .html, .notAnArray, .noUsableEvents: return false
        }
    }
}
