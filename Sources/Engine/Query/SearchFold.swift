/// Folds text for matching the Swedish way: case and diacritics are ignored, so "malmo",
/// "Malmö" and "MALMÖ" are one word, "Skåne" is "skane", "É" is "e", "Æ" is "ae", "ß" is "ss".
///
/// Works on UTF-8 bytes with its own table, because the engine does not load ICU (Foundation's
/// folding would): ASCII letters are lowered; Latin-1 letters (U+00C0–U+00FF) and Latin
/// Extended-A (U+0100–U+017F) become their base letters; combining marks (U+0300–U+036F, as in
/// decomposed "a" + "¨") are dropped; every run of whitespace (and the no-break space) is one
/// space, so a phrase matches across a line break. Everything else (digits, punctuation, other
/// scripts) passes through unchanged.
///
/// The rule for one character is `piece(_:_:_:)`; folding a copy (`append`) and searching raw
/// bytes without one (`FoldedMatcher`) both go through it, so they cannot disagree.
public enum SearchFold {
    /// The folded UTF-8 bytes of `text`.
    public static func fold(_ text: String) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(text.utf8.count)
        append(text.utf8, to: &out)
        return out
    }

    /// Appends the folded form of UTF-8 `bytes` to `out`.
    public static func append<Bytes: Sequence>(_ bytes: Bytes, to out: inout [UInt8]) where Bytes.Element == UInt8 {
        let done: Void? = bytes.withContiguousStorageIfAvailable { append(contiguous: $0, to: &out) }
        if done == nil { Array(bytes).withUnsafeBufferPointer { append(contiguous: $0, to: &out) } }
    }

    private static func append(contiguous h: UnsafeBufferPointer<UInt8>, to out: inout [UInt8]) {
        var spaced = out.last == 0x20
        var i = 0
        while i < h.count {
            let p = piece(h, &i, h.count)
            if p.isSpace {
                if !spaced {
                    out.append(0x20)
                    spaced = true
                }
            } else if p.count > 0 {  // nothing for a combining mark
                out.append(p.first)
                if p.count == 2 { out.append(p.second) }
                spaced = false
            }
        }
    }

    /// What one character folds to: one or two bytes, a space (whitespace, whose runs the reader
    /// collapses into one) or nothing (a combining mark).
    struct Piece {
        var first: UInt8 = 0
        var second: UInt8 = 0
        var count = 0
        var isSpace = false

        @inline(__always)
        func byte(_ j: Int) -> UInt8 { j == 0 ? first : second }
    }

    /// Folds the character at `h[i]` (before `end`) and moves `i` past it.
    @inline(__always)
    static func piece(_ h: UnsafeBufferPointer<UInt8>, _ i: inout Int, _ end: Int) -> Piece {
        let b = h[i]
        i += 1
        switch b {
        case 0x41...0x5A: return Piece(first: b + 0x20, count: 1)
        case 0x09...0x0D, 0x20: return Piece(isSpace: true)
        case 0xC2...0xCD:  // may be a letter of the table, NBSP or a mark
            guard i < end else { return Piece(first: b, count: 1) }
            let c = h[i]
            i += 1
            // Not a continuation: keep what came, as it came.
            if c & 0xC0 != 0x80 { return Piece(first: b, second: c, count: 2) }
            let scalar = (Int(b & 0x1F) << 6) | Int(c & 0x3F)
            if scalar == 0xA0 { return Piece(isSpace: true) }
            if scalar >= 0x300 && scalar <= 0x36F { return Piece() }
            if scalar >= 0xC0 && scalar <= 0x17F {
                let base = baseLetters[scalar - 0xC0]
                if base != 0 { return Piece(first: UInt8(truncatingIfNeeded: base), second: UInt8(base >> 8), count: base > 0xFF ? 2 : 1) }
            }
            return Piece(first: b, second: c, count: 2)
        default: return Piece(first: b, count: 1)
        }
    }

    /// Base letters for U+00C0…U+017F, one or two ASCII bytes (the second in the high byte);
    /// 0 keeps the character (× and ÷).
    static let baseLetters: [UInt16] = {
        // One character per code point; digits stand for the two-letter folds below.
        let latin1 = "aaaaaa1ceeeeiiiidnooooo.ouuuuy23" + "aaaaaa1ceeeeiiiidnooooo.ouuuuy2y"
        let extendedA =
            "aaaaaaccccccccddddeeeeeeeeeegggggggghhhhiiiiiiiiii44jjkkkllllllllll"
            + "nnnnnnnnnoooooo55rrrrrrssssssssttttttuuuuuuuuuuuuwwyyyzzzzzzs"
        let pairs: [Character: String] = ["1": "ae", "2": "th", "3": "ss", "4": "ij", "5": "oe"]
        var table: [UInt16] = []
        for c in latin1 + extendedA {
            let letters = Array((c == "." ? "" : pairs[c] ?? String(c)).utf8)
            table.append(letters.reversed().reduce(0) { $0 << 8 | UInt16($1) })
        }
        precondition(table.count == 0x180 - 0xC0, "fold table must cover U+00C0…U+017F")
        return table
    }()

    /// Whether folded `haystack` contains folded `needle`.
    public static func contains(_ haystack: [UInt8], _ needle: [UInt8]) -> Bool {
        guard !needle.isEmpty else { return true }
        guard haystack.count >= needle.count else { return false }
        return haystack.withUnsafeBufferPointer { h in
            needle.withUnsafeBufferPointer { n in
                let first = n[0]
                let last = h.count - n.count
                var i = 0
                outer: while i <= last {
                    if h[i] != first {
                        i += 1
                        continue
                    }
                    var j = 1
                    while j < n.count {
                        if h[i + j] != n[j] {
                            i += 1
                            continue outer
                        }
                        j += 1
                    }
                    return true
                }
                return false
            }
        }
    }
}
