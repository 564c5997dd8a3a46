private let quote: UInt8 = 0x22
private let backslash: UInt8 = 0x5C
private let comma: UInt8 = 0x2C
private let colon: UInt8 = 0x3A
private let lbracket: UInt8 = 0x5B
private let rbracket: UInt8 = 0x5D
private let lbrace: UInt8 = 0x7B
private let rbrace: UInt8 = 0x7D

/// The grammar: one pass over the input, validating as it copies (see EventScanner).
struct ByteScanner {
    let input: UnsafeBufferPointer<UInt8>
    var pos = 0
    var out: [UInt8] = []
    var events: [ScannedEvent] = []
    var skipped = 0
    var skipReasons: [String] = []
    /// Whether a string of the current element held an escape (its hash then needs the
    /// canonical form).
    var sawEscape = false
    /// Inside an event, the input is copied to `out` in runs: everything from `spanStart` up to
    /// the next whitespace between tokens, which is the only thing left out. A compact response
    /// is then one copy per event.
    var copying = false
    var spanStart = 0

    init(input: UnsafeBufferPointer<UInt8>) {
        self.input = input
        out.reserveCapacity(input.count)
        events.reserveCapacity(512)
    }

    mutating func run() throws(BodyError) -> ScanResult {
        if input.count >= 3, input[0] == 0xEF, input[1] == 0xBB, input[2] == 0xBF { pos = 3 }
        skipWS()
        guard pos < input.count else { throw .empty }
        let first = input[pos]
        if first == 0x3C { throw .html }  // '<'
        guard first == lbracket else {
            let preview = String(decoding: input[pos..<min(pos + 12, input.count)], as: UTF8.self)
            throw .notAnArray(found: "\"\(preview)\"")
        }
        pos += 1
        skipWS()
        var elements = 0
        if peek() == rbracket {
            pos += 1
        } else {
            while true {
                skipWS()
                elements += 1
                try element()
                skipWS()
                guard pos < input.count else { throw fail("truncated inside the array") }
                let c = input[pos]
                pos += 1
                if c == comma { continue }
                if c == rbracket { break }
                pos -= 1
                throw fail("expected ',' or ']'")
            }
        }
        skipWS()
        guard pos == input.count else { throw fail("data after the array") }
        if elements > 0 && events.isEmpty { throw .noUsableEvents(elements: elements) }
        return ScanResult(events: events, lines: out, skipped: skipped, skipReasons: skipReasons)
    }

    func fail(_ reason: String) -> BodyError { .invalid(reason: reason, offset: pos) }

    /// The whole input is one event object (a JSONL line).
    mutating func singleEvent() throws(BodyError) -> ScannedEvent {
        skipWS()
        guard peek() == lbrace else { throw fail("not an object") }
        try element()
        skipWS()
        guard pos == input.count else { throw fail("data after the object") }
        guard let e = events.first else { throw .invalid(reason: skipReasons.first ?? "not an event", offset: 0) }
        return e
    }

    @inline(__always) func peek() -> UInt8? { pos < input.count ? input[pos] : nil }

    @inline(__always) func isWS(_ c: UInt8) -> Bool { c == 0x20 || c == 0x0A || c == 0x0D || c == 0x09 }

    @inline(__always) mutating func skipWS() {
        guard pos < input.count, isWS(input[pos]) else { return }
        if copying { flush() }
        repeat { pos += 1 } while pos < input.count && isWS(input[pos])
        spanStart = pos
    }

    /// Copies the pending run of input to `out`.
    @inline(__always) mutating func flush() {
        if pos > spanStart { out.append(contentsOf: UnsafeBufferPointer(rebasing: input[spanStart..<pos])) }
        spanStart = pos
    }

    /// One array element: an event object, or any other value (skipped).
    mutating func element() throws(BodyError) {
        guard let c = peek() else { throw fail("truncated inside the array") }
        let lineStart = out.count
        if c != lbrace {
            try value(depth: 1)
            skip("element is not an object")
            return
        }
        var id: Int?
        var datetime: APIDateTime?
        var typeHash: UInt64 = 0
        var problem: String?
        sawEscape = false
        copying = true
        spanStart = pos
        defer { copying = false }
        // The event object, field by field, so `id` and `datetime` are read on the way.
        pos += 1
        skipWS()
        if peek() == rbrace {
            pos += 1
        } else {
            while true {
                skipWS()
                guard peek() == quote else { throw fail("expected a key") }
                let key = try string()
                skipWS()
                guard peek() == colon else { throw fail("expected ':'") }
                pos += 1
                skipWS()
                let valueStart = pos
                if key == .id {
                    if let n = try integer() {
                        if n >= 0 { id = n } else { problem = "id is negative" }
                    } else {
                        problem = "id is not an integer"
                    }
                } else if key == .datetime {
                    if peek() == quote {
                        let raw = try string()
                        if raw == .other, let dt = APIDateTime.parse(UnsafeBufferPointer(rebasing: input[(valueStart + 1)..<(pos - 1)])) {
                            datetime = dt
                        } else {
                            problem = "datetime is not in the API's format"
                        }
                    } else {
                        try value(depth: 2)
                        problem = "datetime is not a string"
                    }
                } else if key == .type || key == .name || key == .summary || key == .url {
                    // The API's text fields are strings; anything else (null, a list) is not its event.
                    if peek() != quote { problem = "\(key.rawValue) is not a string" }
                    try value(depth: 2)
                    if key == .type {
                        typeHash = XXH64.hash(UnsafeRawBufferPointer(rebasing: UnsafeRawBufferPointer(input)[valueStart..<pos]))
                    }
                } else if key == .location {
                    if peek() != lbrace {
                        problem = "location is not an object"
                        try value(depth: 2)
                    } else if try !location() {
                        problem = "location's name or gps is not a string"
                    }
                } else {
                    try value(depth: 2)
                }
                skipWS()
                guard let c = peek() else { throw fail("truncated inside an event") }
                pos += 1
                if c == comma { continue }
                if c == rbrace { break }
                pos -= 1
                throw fail("expected ',' or '}'")
            }
        }
        flush()
        guard problem == nil, let id, let datetime else {
            out.removeSubrange(lineStart...)
            skip(problem ?? (id == nil ? "event has no id" : "event has no datetime"))
            return
        }
        let range = lineStart..<out.count
        // The fingerprint is of the content, not its escaping: the original collector wrote
        // "\u00e5" where the API sends "å".
        let hash =
            sawEscape
            ? XXH64.hash(canonicalJSON(out[range]))
            : out.withUnsafeBytes { XXH64.hash(UnsafeRawBufferPointer(rebasing: $0[range])) }
        events.append(
            ScannedEvent(id: id, datetime: datetime, localDate: datetime.stockholmDate, hash: hash, line: range, typeHash: typeHash))
    }

    mutating func skip(_ reason: String) {
        skipped += 1
        if skipReasons.count < 5 { skipReasons.append(reason) }
    }

    /// Any JSON value, validated and copied compactly.
    mutating func value(depth: Int) throws(BodyError) {
        guard depth <= EventScanner.maxDepth else { throw fail("nested too deeply") }
        guard let c = peek() else { throw fail("truncated: value expected") }
        switch c {
        case quote: _ = try string()
        case lbrace:
            pos += 1
            skipWS()
            if peek() == rbrace {
                pos += 1
                return
            }
            while true {
                skipWS()
                guard peek() == quote else { throw fail("expected a key") }
                _ = try string()
                skipWS()
                guard peek() == colon else { throw fail("expected ':'") }
                pos += 1
                skipWS()
                try value(depth: depth + 1)
                skipWS()
                guard let d = peek() else { throw fail("truncated inside an object") }
                pos += 1
                if d == comma { continue }
                if d == rbrace { return }
                pos -= 1
                throw fail("expected ',' or '}'")
            }
        case lbracket:
            pos += 1
            skipWS()
            if peek() == rbracket {
                pos += 1
                return
            }
            while true {
                skipWS()
                try value(depth: depth + 1)
                skipWS()
                guard let d = peek() else { throw fail("truncated inside an array") }
                pos += 1
                if d == comma { continue }
                if d == rbracket { return }
                pos -= 1
                throw fail("expected ',' or ']'")
            }
        case 0x74: try literal("true")
        case 0x66: try literal("false")
        case 0x6E: try literal("null")
        default:
            if c == 0x2D || (c >= 0x30 && c <= 0x39) { _ = try number() } else { throw fail("unexpected character") }
        }
    }

    mutating func literal(_ word: StaticString) throws(BodyError) {
        let n = word.utf8CodeUnitCount
        guard pos + n <= input.count else { throw fail("truncated literal") }
        let w = UnsafeBufferPointer(start: word.utf8Start, count: n)
        for k in 0..<n where input[pos + k] != w[k] { throw fail("bad literal") }
        pos += n
    }

    /// A JSON number; returns whether it was a plain integer.
    mutating func number() throws(BodyError) -> Bool {
        var integral = true
        if input[pos] == 0x2D { pos += 1 }
        guard let first = peek(), first >= 0x30, first <= 0x39 else { throw fail("bad number") }
        pos += 1
        if first != 0x30 { while let d = peek(), d >= 0x30, d <= 0x39 { pos += 1 } }
        if peek() == 0x2E {
            integral = false
            pos += 1
            guard let d = peek(), d >= 0x30, d <= 0x39 else { throw fail("bad fraction") }
            while let d = peek(), d >= 0x30, d <= 0x39 { pos += 1 }
        }
        if let e = peek(), e == 0x65 || e == 0x45 {
            integral = false
            pos += 1
            if let s = peek(), s == 0x2B || s == 0x2D { pos += 1 }
            guard let d = peek(), d >= 0x30, d <= 0x39 else { throw fail("bad exponent") }
            while let d = peek(), d >= 0x30, d <= 0x39 { pos += 1 }
        }
        return integral
    }

    /// A value that should be an integer (`id`): consumed and copied whatever it is; nil unless
    /// it was an integer that fits an Int.
    mutating func integer() throws(BodyError) -> Int? {
        guard let c = peek(), c == 0x2D || (c >= 0x30 && c <= 0x39) else {
            try value(depth: 2)
            return nil
        }
        let start = pos
        guard try number() else { return nil }
        var v = 0
        var negative = false
        for k in start..<pos {
            let d = input[k]
            if d == 0x2D {
                negative = true
                continue
            }
            let (m, o1) = v.multipliedReportingOverflow(by: 10)
            let (a, o2) = m.addingReportingOverflow(Int(d - 0x30))
            if o1 || o2 { return nil }
            v = a
        }
        return negative ? -v : v
    }
}
