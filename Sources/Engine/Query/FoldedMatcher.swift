#if canImport(Glibc)
    import Glibc
#endif

/// A folded search text (`SearchFold`) found in raw UTF-8 without folding a copy of it: memchr
/// finds each byte at which a character folding to the needle's first byte can start (the
/// letter in either case, and the lead byte of any accented letter whose base holds it), and
/// only there is the text folded, as it is compared. The result is that of
/// `SearchFold.contains(SearchFold.fold(text), needle)` for valid UTF-8.
struct FoldedMatcher: Sendable, Equatable {
    /// Folded, without a space at either end; not empty.
    let needle: [UInt8]
    /// The raw bytes a match can start at.
    let starts: [UInt8]
    /// The raw bytes that can follow a one-byte first character of a match (a bit per byte):
    /// most hits of a common first letter end at this test, without folding anything.
    private let follows: (UInt64, UInt64, UInt64, UInt64)
    /// For a two-byte letter following it (U+00C0…U+017F, a bit each): whether its fold begins
    /// with the needle's second byte, so "kö" is no candidate for "kav…".
    private let accented: (UInt64, UInt64, UInt64)

    init(folded: [UInt8]) {
        precondition(!folded.isEmpty && folded.first != 0x20, "a folded needle starts with a letter")
        needle = folded
        starts = Self.startBytes(of: folded[0])
        var follows: [UInt8] = [0xCC, 0xCD]  // a combining mark folds to nothing
        if folded.count == 1 {
            follows = Array(0...255)
        } else if folded[1] == 0x20 {
            follows += [0x09, 0x0A, 0x0B, 0x0C, 0x0D, 0x20, 0xC2]  // whitespace, NBSP's lead
        } else {
            follows += Self.startBytes(of: folded[1])
        }
        var bits: [UInt64] = [0, 0, 0, 0]
        for b in follows { bits[Int(b >> 6)] |= 1 << UInt64(b & 63) }
        self.follows = (bits[0], bits[1], bits[2], bits[3])
        var letters: [UInt64] = [0, 0, 0]
        for (k, base) in SearchFold.baseLetters.enumerated() {
            // × and ÷ (0) fold to themselves, their first byte the lead 0xC3.
            let first = base == 0 ? 0xC3 : UInt8(truncatingIfNeeded: base)
            if folded.count == 1 || folded[1] == first { letters[k >> 6] |= 1 << UInt64(k & 63) }
        }
        accented = (letters[0], letters[1], letters[2])
    }

    static func == (a: FoldedMatcher, b: FoldedMatcher) -> Bool { a.needle == b.needle }

    /// The raw bytes at which a character whose fold holds `c` can start: `c`, its capital,
    /// and the lead bytes of U+00C0…U+017F (0xC3, 0xC4, 0xC5) whose letters fold to something
    /// holding it ("ä" → "a", "æ" → "ae").
    static func startBytes(of c: UInt8) -> [UInt8] {
        var starts = [c]
        if c &- 0x61 < 26 { starts.append(c - 0x20) }
        for (k, base) in SearchFold.baseLetters.enumerated()
        where UInt8(truncatingIfNeeded: base) == c || UInt8(base >> 8) == c {
            let lead = UInt8(0xC0 | ((k + 0xC0) >> 6))
            if !starts.contains(lead) { starts.append(lead) }
        }
        return starts
    }

    /// Whether a match may start at `h[at]`, by the first raw bytes of its first two characters.
    @inline(__always)
    func mayStart(at: Int, in h: UnsafeBufferPointer<UInt8>, end: Int) -> Bool {
        guard h[at] < 0x80 else { return true }  // a longer first character: not decided here
        guard at + 1 < end else { return needle.count == 1 }
        let b = h[at + 1]
        let word: UInt64
        switch b >> 6 {
        case 0: word = follows.0
        case 1: word = follows.1
        case 2: word = follows.2
        default: word = follows.3
        }
        guard word >> UInt64(b & 63) & 1 != 0 else { return false }
        // A letter of U+00C0…U+017F (leads 0xC3–0xC5 and a continuation): its fold decides.
        guard b &- 0xC3 < 3, at + 2 < end, h[at + 2] & 0xC0 == 0x80 else { return true }
        let k = (Int(b & 0x1F) << 6 | Int(h[at + 2] & 0x3F)) - 0xC0
        let letters = k < 64 ? accented.0 : k < 128 ? accented.1 : accented.2
        return letters >> UInt64(k & 63) & 1 != 0
    }

    /// Whether the fold of `h` (one line) contains the needle.
    func found(in h: UnsafeBufferPointer<UInt8>) -> Bool {
        guard let base = h.baseAddress else { return false }
        for s in starts {
            var p = 0
            while let hit = memchr(base + p, Int32(s), h.count - p) {
                let at = base.distance(to: hit.assumingMemoryBound(to: UInt8.self))
                if mayStart(at: at, in: h, end: h.count), matches(at: at, in: h, end: h.count) { return true }
                p = at + 1
            }
        }
        return false
    }

    /// Whether the fold of `h[at..<end]` begins with the needle, or does from the second byte of
    /// the first character's fold ("æ" folds to "ae", so "e…" may start inside it).
    @inline(__always)
    func matches(at: Int, in h: UnsafeBufferPointer<UInt8>, end: Int) -> Bool {
        var i = at
        let first = SearchFold.piece(h, &i, end)
        for j in 0..<first.count where first.byte(j) == needle[0] {
            if continues(first, from: j + 1, at: i, in: h, end: end) { return true }
        }
        return false
    }

    /// Whether the needle after its first byte follows: the rest of `piece` from `j`, then the
    /// fold of the characters from `i`.
    private func continues(_ piece: SearchFold.Piece, from j: Int, at i: Int, in h: UnsafeBufferPointer<UInt8>, end: Int) -> Bool {
        needle.withUnsafeBufferPointer { n in
            var k = 1
            var pending = piece
            var pj = j
            var i = i
            var spaced = false
            while true {
                while pj < pending.count {
                    if k == n.count { return true }
                    if pending.byte(pj) != n[k] { return false }
                    k += 1
                    pj += 1
                }
                if k == n.count { return true }
                guard i < end else { return false }
                let next = SearchFold.piece(h, &i, end)
                if next.isSpace {
                    // A run of whitespace folds to one space.
                    if spaced { continue }
                    if n[k] != 0x20 { return false }
                    spaced = true
                    k += 1
                } else if next.count > 0 {  // a combining mark folds to nothing
                    spaced = false
                    pending = next
                    pj = 0
                }
            }
        }
    }
}
