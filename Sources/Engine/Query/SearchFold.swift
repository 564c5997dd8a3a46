/// Folds text for matching the Swedish way: case and diacritics are ignored, so "malmo",
/// "Malmö" and "MALMÖ" are one word, "Skåne" is "skane", "É" is "e", "Æ" is "ae", "ß" is "ss".
///
/// Works on UTF-8 bytes with its own table, because the engine does not load ICU (Foundation's
/// folding would): ASCII letters are lowered; Latin-1 letters (U+00C0–U+00FF) and Latin
/// Extended-A (U+0100–U+017F) become their base letters; combining marks (U+0300–U+036F, as in
/// decomposed "a" + "¨") are dropped; every run of whitespace (and the no-break space) is one
/// space, so a phrase matches across a line break. Everything else (digits, punctuation, other
/// scripts) passes through unchanged.
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
        var lead: UInt8 = 0  // the first byte of a two-byte sequence being read
        var spaced = out.last == 0x20
        for b in bytes {
            if lead != 0 {
                let scalar = (Int(lead & 0x1F) << 6) | Int(b & 0x3F)
                lead = 0
                if b & 0xC0 != 0x80 {  // not a continuation: keep what came, as it came
                    out.append(contentsOf: [UInt8(0xC0 | (scalar >> 6)), b])
                    spaced = false
                    continue
                }
                if scalar == 0xA0 {
                    if !spaced {
                        out.append(0x20)
                        spaced = true
                    }
                } else if scalar >= 0x300 && scalar <= 0x36F {
                    // a combining mark: dropped
                } else if scalar >= 0xC0 && scalar <= 0x17F, let base = baseLetters[scalar - 0xC0] {
                    out.append(contentsOf: base)
                    spaced = false
                } else {
                    out.append(UInt8(0xC0 | (scalar >> 6)))
                    out.append(b)
                    spaced = false
                }
                continue
            }
            switch b {
            case 0x41...0x5A:
                out.append(b + 0x20)
                spaced = false
            case 0x09...0x0D, 0x20:
                if !spaced {
                    out.append(0x20)
                    spaced = true
                }
            case 0xC2...0xCD: lead = b  // may be a letter of the table, NBSP or a mark
            default:
                out.append(b)
                spaced = false
            }
        }
        if lead != 0 { out.append(lead) }
    }

    /// Base letters for U+00C0…U+017F; nil keeps the character (× and ÷).
    private static let baseLetters: [[UInt8]?] = {
        // One character per code point; digits stand for the two-letter folds below.
        let latin1 = "aaaaaa1ceeeeiiiidnooooo.ouuuuy23" + "aaaaaa1ceeeeiiiidnooooo.ouuuuy2y"
        let extendedA =
            "aaaaaaccccccccddddeeeeeeeeeegggggggghhhhiiiiiiiiii44jjkkkllllllllll"
            + "nnnnnnnnnoooooo55rrrrrrssssssssttttttuuuuuuuuuuuuwwyyyzzzzzzs"
        let pairs: [Character: [UInt8]] = [
            "1": Array("ae".utf8), "2": Array("th".utf8), "3": Array("ss".utf8),
            "4": Array("ij".utf8), "5": Array("oe".utf8),
        ]
        var table: [[UInt8]?] = []
        for c in latin1 + extendedA {
            if c == "." {
                table.append(nil)
            } else if let pair = pairs[c] {
                table.append(pair)
            } else {
                table.append(Array(String(c).utf8))
            }
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
