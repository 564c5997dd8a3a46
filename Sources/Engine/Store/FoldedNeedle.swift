#if canImport(Glibc)
    import Glibc
#endif

/// A search text, case-folded once, found in stored lines without copying or folding them:
/// ASCII letters and the Latin-1 capitals Swedish uses (Å Ä Ö É …) match either case in UTF-8.
struct FoldedNeedle: Sendable {
    let bytes: [UInt8]
    /// The first byte in each case it can have in a line (one for a non-letter or `Å`'s lead byte).
    let starts: [UInt8]

    init(_ text: String) {
        bytes = foldCase(Array(text.utf8))
        guard let first = bytes.first else {
            starts = []
            return
        }
        starts = first &- 0x61 < 26 ? [first, first - 0x20] : [first]
    }

    /// Whether `haystack`, case-folded, contains the needle: memchr finds each candidate start
    /// (in either case), and only there are the bytes compared, folding as they are read.
    func found(in haystack: ArraySlice<UInt8>) -> Bool {
        haystack.withUnsafeBufferPointer { found(in: $0) }
    }

    func found(in h: UnsafeBufferPointer<UInt8>) -> Bool {
        guard !bytes.isEmpty else { return true }
        guard h.count >= bytes.count else { return false }
        return bytes.withUnsafeBufferPointer { n in
            let base = UnsafeRawPointer(h.baseAddress!)
            let last = h.count - n.count
            for start in starts {
                var offset = 0
                while offset <= last {
                    guard let hit = memchr(base + offset, Int32(start), last - offset + 1) else { break }
                    let at = base.distance(to: UnsafeRawPointer(hit))
                    if matches(h, at, n) { return true }
                    offset = at + 1
                }
            }
            return false
        }
    }

    @inline(__always)
    private func matches(_ h: UnsafeBufferPointer<UInt8>, _ at: Int, _ n: UnsafeBufferPointer<UInt8>) -> Bool {
        var previous: UInt8 = at > 0 ? h[at - 1] : 0
        for k in 0..<n.count {
            let b = h[at + k]
            if folded(b, after: previous) != n[k] { return false }
            previous = b
        }
        return true
    }
}

/// `b` lower-cased: an ASCII capital, or the second byte of a Latin-1 capital (after 0xC3).
@inline(__always)
private func folded(_ b: UInt8, after previous: UInt8) -> UInt8 {
    if b &- 0x41 < 26 { return b | 0x20 }
    if previous == 0xC3, b >= 0x80, b <= 0x9E, b != 0x97 { return b + 0x20 }
    return b
}

/// Lower-cases ASCII letters and the Latin-1 capitals Swedish uses (Å Ä Ö É …) in UTF-8 bytes.
func foldCase(_ bytes: [UInt8]) -> [UInt8] {
    var out = bytes
    var previous: UInt8 = 0
    for i in out.indices {
        let b = out[i]
        out[i] = folded(b, after: previous)
        previous = b
    }
    return out
}
