/// The process stage's fast path: one pass over a response body that validates the whole JSON
/// grammar, copies each event object into one compact line (whitespace outside strings dropped,
/// every other byte kept as received), hashes that line, and reads only `id` and `datetime`.
///
/// A body that is not one complete JSON array is rejected as a whole; an array element that is
/// valid JSON but not a usable event (no integer id, no parseable datetime) is skipped and counted.

/// One event found in a response.
public struct ScannedEvent: Sendable, Hashable {
    public var id: Int
    public var datetime: APIDateTime
    public var localDate: LocalDate
    /// XXH64 of the compact line: the content fingerprint used to detect edits.
    public var hash: UInt64
    /// The compact line's position in `ScanResult.lines`.
    public var line: Range<Int>
    /// XXH64 of the raw `type` value (0 when absent): lets a response's distinct types be
    /// counted without decoding strings.
    public var typeHash: UInt64 = 0
}

public struct ScanResult: Sendable {
    public var events: [ScannedEvent]
    /// All compact event lines back to back; `ScannedEvent.line` indexes into it.
    public var lines: [UInt8]
    /// Array elements that were valid JSON but not usable events.
    public var skipped: Int
    /// Why the first few were skipped.
    public var skipReasons: [String]

    public func lineBytes(_ e: ScannedEvent) -> ArraySlice<UInt8> { lines[e.line] }
}

public enum BodyError: Error, Equatable, Sendable, CustomStringConvertible {
    case empty
    case html
    case notAnArray(found: String)
    case invalid(reason: String, offset: Int)
    case noUsableEvents(elements: Int)

    public var description: String {
        switch self {
        case .empty: return "empty body"
        case .html: return "HTML page instead of JSON"
        case .notAnArray(let found): return "not a JSON array (starts with \(found))"
        case .invalid(let reason, let offset): return "invalid JSON: \(reason) at byte \(offset)"
        case .noUsableEvents(let n): return "none of the \(n) array elements is an event"
        }
    }
}

public enum EventScanner {
    static let maxDepth = 64

    public static func scan(_ body: [UInt8]) throws(BodyError) -> ScanResult {
        try body.withUnsafeBufferPointer { (buf) throws(BodyError) -> ScanResult in try scan(buf) }
    }

    public static func scan(_ body: UnsafeBufferPointer<UInt8>) throws(BodyError) -> ScanResult {
        var s = ByteScanner(input: body)
        return try s.run()
    }

    /// Reads a stored JSONL part: one event object per line. A line that is not a complete event
    /// (truncated, foreign) is counted in `skipped` with its line number, never fatal to the rest.
    public static func scanLines(_ bytes: [UInt8]) -> ScanResult {
        var result = ScanResult(events: [], lines: [], skipped: 0, skipReasons: [])
        result.lines.reserveCapacity(bytes.count)
        bytes.withUnsafeBufferPointer { all in
            var start = 0
            var lineNumber = 0
            while start < all.count {
                var end = start
                while end < all.count && all[end] != 0x0A { end += 1 }
                lineNumber += 1
                let line = UnsafeBufferPointer(rebasing: all[start..<end])
                start = end + 1
                if line.allSatisfy({ $0 == 0x20 || $0 == 0x0D || $0 == 0x09 }) { continue }
                var s = ByteScanner(input: line)
                do {
                    let event = try s.singleEvent()
                    let base = result.lines.count
                    result.lines.append(contentsOf: s.out)
                    var e = event
                    e.line = (base + e.line.lowerBound)..<(base + e.line.upperBound)
                    result.events.append(e)
                } catch {
                    result.skipped += 1
                    if result.skipReasons.count < 5 { result.skipReasons.append("line \(lineNumber): \(error)") }
                }
            }
        }
        return result
    }
}
