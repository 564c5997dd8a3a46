/// Exponential backoff with jitter, honouring Retry-After; which failures are worth a retry.
public struct RetryPolicy: Sendable, Equatable {
    /// Attempts per cycle, the first included.
    public var maxAttempts: Int
    public var baseDelay: Double
    public var maxDelay: Double
    /// A retry whose wait (backoff, Retry-After or rate budget) would exceed this is not made
    /// in this cycle; the next scheduled cycle tries again.
    public var maxWait: Double

    public init(maxAttempts: Int = 4, baseDelay: Double = 2, maxDelay: Double = 60, maxWait: Double = 300) {
        self.maxAttempts = maxAttempts
        self.baseDelay = baseDelay
        self.maxDelay = maxDelay
        self.maxWait = maxWait
    }

    /// The delay before attempt `attempt + 1`, after `attempt` failed (1-based). `jitter` in 0..<1
    /// spreads the delay over [½, 1] of the exponential step; Retry-After is a floor.
    public func delay(afterAttempt attempt: Int, retryAfter: Double?, jitter: Double) -> Double {
        let exp = min(maxDelay, baseDelay * Double(1 << min(max(attempt - 1, 0), 30)))
        let jittered = exp * (0.5 + 0.5 * min(max(jitter, 0), 1))
        return max(jittered, retryAfter ?? 0)
    }
}

/// Reads a Retry-After header: delta-seconds, or an HTTP date.
public func parseRetryAfter(_ value: String?, now: Double) -> Double? {
    guard let value, case let v = trimmedWhitespace(value), !v.isEmpty else { return nil }
    if let s = Double(v) { return max(0, s) }
    guard let t = parseHTTPDate(v) else { return nil }
    return max(0, t - now)
}

/// IMF-fixdate, e.g. `Sun, 06 Nov 1994 08:49:37 GMT`.
func parseHTTPDate(_ s: String) -> Double? {
    let parts = s.split(separator: " ")
    guard parts.count == 6, parts[5] == "GMT", let day = Int(parts[1]), let year = Int(parts[3]) else { return nil }
    let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
    guard let mi = months.firstIndex(of: String(parts[2])) else { return nil }
    let hms = parts[4].split(separator: ":").compactMap { Int($0) }
    guard hms.count == 3 else { return nil }
    let days = StockholmCalendar.daysFromCivil(year, mi + 1, day)
    return Double(days * 86_400 + hms[0] * 3600 + hms[1] * 60 + hms[2])
}
