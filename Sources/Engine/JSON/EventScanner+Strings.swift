private let quote: UInt8 = 0x22
private let backslash: UInt8 = 0x5C

/// The grammar's strings: validation of escapes, control characters and UTF-8, and the
/// recognition of the keys the scanner reads (see EventScanner+Grammar).
extension ByteScanner {
    enum Key: String { case id, datetime, type, name, summary, url, location, gps, other }

    /// A JSON string, validated (escapes, control characters, UTF-8) and copied as received.
    mutating func string() throws(BodyError) -> Key {
        let start = pos
        pos += 1
        var escaped = false
        let base = UnsafeRawPointer(input.baseAddress!)
        while true {
            // Eight bytes at a time while none is a quote, a backslash, a control character
            // or part of a multi-byte sequence (a SWAR test, exact for "any such byte").
            while pos &+ 8 <= input.count {
                let w = base.loadUnaligned(fromByteOffset: pos, as: UInt64.self)
                let q = w ^ 0x2222_2222_2222_2222
                let b = w ^ 0x5C5C_5C5C_5C5C_5C5C
                let special =
                    ((q &- 0x0101_0101_0101_0101) & ~q) | ((b &- 0x0101_0101_0101_0101) & ~b)
                    | ((w &- 0x2020_2020_2020_2020) & ~w) | w
                let found = special & 0x8080_8080_8080_8080
                if found != 0 {
                    pos &+= found.trailingZeroBitCount >> 3  // to the first such byte (little-endian)
                    break
                }
                pos &+= 8
            }
            guard pos < input.count else { throw fail("truncated string") }
            let c = input[pos]
            if c == quote {
                pos += 1
                break
            }
            if c == backslash {
                escaped = true
                guard pos + 1 < input.count else { throw fail("truncated escape") }
                let e = input[pos + 1]
                switch e {
                case 0x22, 0x5C, 0x2F, 0x62, 0x66, 0x6E, 0x72, 0x74: pos += 2
                case 0x75:
                    guard pos + 6 <= input.count else { throw fail("truncated \\u escape") }
                    for k in 2..<6 where !isHex(input[pos + k]) { throw fail("bad \\u escape") }
                    pos += 6
                default: throw fail("bad escape")
                }
            } else if c < 0x20 {
                throw fail("control character in a string")
            } else if c < 0x80 {
                pos += 1
            } else {
                try utf8Sequence()
            }
        }
        if escaped { sawEscape = true }
        let len = pos - start - 2
        if !escaped && len == 2 && input[start + 1] == 0x69 && input[start + 2] == 0x64 { return .id }
        if !escaped && len == 8 && matches(start + 1, "datetime") { return .datetime }
        guard !escaped else { return .other }
        switch len {
        case 3: return matches(start + 1, "url") ? .url : matches(start + 1, "gps") ? .gps : .other
        case 4: return matches(start + 1, "type") ? .type : matches(start + 1, "name") ? .name : .other
        case 7: return matches(start + 1, "summary") ? .summary : .other
        case 8: return matches(start + 1, "location") ? .location : .other
        default: return .other
        }
    }

    func matches(_ at: Int, _ word: StaticString) -> Bool {
        let w = UnsafeBufferPointer(start: word.utf8Start, count: word.utf8CodeUnitCount)
        for k in 0..<w.count where input[at + k] != w[k] { return false }
        return true
    }

    @inline(__always) func isHex(_ c: UInt8) -> Bool {
        (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x46) || (c >= 0x61 && c <= 0x66)
    }

    /// One multi-byte UTF-8 sequence (no overlongs, no surrogates, ≤ U+10FFFF).
    mutating func utf8Sequence() throws(BodyError) {
        let c = input[pos]
        let n: Int
        var lo: UInt8 = 0x80
        var hi: UInt8 = 0xBF
        switch c {
        case 0xC2...0xDF: n = 2
        case 0xE0:
            n = 3
            lo = 0xA0
        case 0xE1...0xEC, 0xEE...0xEF: n = 3
        case 0xED:
            n = 3
            hi = 0x9F
        case 0xF0:
            n = 4
            lo = 0x90
        case 0xF1...0xF3: n = 4
        case 0xF4:
            n = 4
            hi = 0x8F
        default: throw fail("invalid UTF-8")
        }
        guard pos + n <= input.count else { throw fail("truncated UTF-8") }
        let second = input[pos + 1]
        guard second >= lo && second <= hi else { throw fail("invalid UTF-8") }
        for k in 2..<max(2, n) {
            let b = input[pos + k]
            guard b >= 0x80 && b <= 0xBF else { throw fail("invalid UTF-8") }
        }
        pos += n
    }
}
