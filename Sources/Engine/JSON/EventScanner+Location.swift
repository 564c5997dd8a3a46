// The event's `location` field, checked on the way (see EventScanner+Grammar).
// Bytes: 0x22 quote, 0x2C comma, 0x3A colon, 0x7D closing brace.

extension ByteScanner {
    /// The `location` object; false when its `name` or `gps` is there but not a string.
    mutating func location() throws(BodyError) -> Bool {
        var ok = true
        pos += 1
        skipWS()
        if peek() == 0x7D {
            pos += 1
            return true
        }
        while true {
            skipWS()
            guard peek() == 0x22 else { throw fail("expected a key") }
            let key = try string()
            skipWS()
            guard peek() == 0x3A else { throw fail("expected ':'") }
            pos += 1
            skipWS()
            if (key == .name || key == .gps) && peek() != 0x22 { ok = false }
            try value(depth: 3)
            skipWS()
            guard let d = peek() else { throw fail("truncated inside an object") }
            pos += 1
            if d == 0x2C { continue }
            if d == 0x7D { return ok }
            pos -= 1
            throw fail("expected ',' or '}'")
        }
    }
}
