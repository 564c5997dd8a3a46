#if canImport(Glibc)
    import Glibc
#endif

/// A `FoldedMatcher` run over the lines of one buffer in order. It looks for the needle's
/// rarest letter (its anchor: "v" of "kavlinge", where "k" is twice as common in Swedish), with
/// memchr once over the rest of the buffer per raw byte that letter can start with, and tries
/// the matcher only at the starts just before each hit. The result is the matcher's.
///
/// Why the starts just before suffice: a match holding the anchor at raw byte `p` starts at
/// most `reach` bytes before it, as every character folds to at least half as many bytes as it
/// has — except whitespace (a run is one space), the no-break space and combining marks (which
/// fold to nothing). Where one of those lead bytes is in the window before a hit, the match may
/// start further back, and every start back to the last one tried is tried. (Whitespace counts
/// only when the needle has a space before its anchor: else no match holds any.)
struct FoldedCursor: Sendable {
    let matcher: FoldedMatcher
    /// The anchor's raw start bytes.
    private let anchors: [UInt8]
    /// How far before an anchor's hit a match can start, without whitespace or marks between.
    private let reach: Int
    /// For each byte, whether a match can start at it (1) and whether it leads a character that
    /// folds to fewer bytes than half its own (2: whitespace, the no-break space, marks).
    private let classes: [UInt8]
    /// The needle's letter before the anchor, when it is an ASCII letter: the raw byte before a
    /// one-byte hit must then end a character folding to it (the letter, its capital, or the
    /// last byte of a longer character), or no match holds the hit.
    private let before: UInt8?
    /// For each anchor byte, where it next occurs (at or after where it was last looked for);
    /// -1 before the buffer is searched, `Int.max` when it occurs no more.
    private var next: [Int]

    init(_ matcher: FoldedMatcher) {
        self.matcher = matcher
        let anchor = Self.anchor(of: matcher)
        anchors = anchor == 0 ? matcher.starts : FoldedMatcher.startBytes(of: matcher.needle[anchor])
        // The needle's bytes before the anchor, one more for a start inside a two-letter fold
        // ("æ" → "ae") and one for the anchor's own, at two raw bytes each; then slack for a
        // character cut by the window's edge.
        reach = anchor == 0 ? 0 : 2 * anchor + 6
        var classes = [UInt8](repeating: 0, count: 256)
        for b in matcher.starts { classes[Int(b)] |= 1 }
        // Whitespace (and the no-break space's lead) can be in a match only where the needle
        // has a space before its anchor; marks can be anywhere.
        let spaced = matcher.needle[..<anchor].contains(0x20)
        for b in spaced ? [0x09, 0x0A, 0x0B, 0x0C, 0x0D, 0x20, 0xC2, 0xCC, 0xCD] : [0xCC, 0xCD] { classes[b] |= 2 }
        self.classes = classes
        before = anchor > 0 && matcher.needle[anchor - 1] &- 0x61 < 26 ? matcher.needle[anchor - 1] : nil
        next = Array(repeating: -1, count: anchors.count)
    }

    /// Starts over on a new buffer.
    mutating func reset() {
        for s in next.indices { next[s] = -1 }
    }

    /// Whether the fold of line `line` of `h` contains the needle; lines come in order.
    mutating func found(in h: UnsafeBufferPointer<UInt8>, line: Range<Int>) -> Bool {
        let (matcher, reach, anchors, before) = (self.matcher, self.reach, self.anchors, self.before)
        return classes.withUnsafeBufferPointer { classes in
            next.withUnsafeMutableBufferPointer { next in
                @inline(__always) func tryStart(_ q: Int) -> Bool {
                    matcher.mayStart(at: q, in: h, end: line.upperBound) && matcher.matches(at: q, in: h, end: line.upperBound)
                }
                for s in 0..<anchors.count {
                    var p = next[s]
                    guard p < line.upperBound else { continue }
                    let byte = anchors[s]
                    if p < line.lowerBound { p = Self.find(byte, in: h, from: line.lowerBound) }
                    // Every start before `tried` has been tried (for this anchor byte).
                    var tried = line.lowerBound
                    while p < line.upperBound {
                        if let before, h[p] < 0x80, p > line.lowerBound {
                            let b = h[p - 1]
                            if b | 0x20 != before && b & 0xC0 != 0x80 {
                                p = Self.find(byte, in: h, from: p + 1)
                                continue
                            }
                        }
                        let low = max(line.lowerBound, p - reach)
                        var spread = false
                        for q in low..<p {
                            let c = classes[Int(h[q])]
                            guard c != 0 else { continue }
                            if c & 2 != 0 { spread = true }
                            if c & 1 != 0 && q >= tried && tryStart(q) {
                                next[s] = p
                                return true
                            }
                        }
                        // Whitespace or a mark before it: the match may start further back.
                        if spread {
                            for q in tried..<max(tried, low) where classes[Int(h[q])] & 1 != 0 && tryStart(q) {
                                next[s] = p
                                return true
                            }
                        }
                        if classes[Int(h[p])] & 1 != 0 && tryStart(p) {
                            next[s] = p
                            return true
                        }
                        if spread || low <= tried { tried = p + 1 }
                        p = Self.find(byte, in: h, from: p + 1)
                    }
                    next[s] = p
                }
                return false
            }
        }
    }

    /// The needle's byte to look for: the lowercase letter whose raw forms are rarest in Swedish
    /// text, or its first byte when that is as rare.
    static func anchor(of matcher: FoldedMatcher) -> Int {
        func rarity(_ i: Int) -> Int {
            let c = matcher.needle[i]
            guard c &- 0x61 < 26 else { return Int.max }
            // Letter frequencies in Swedish, per mille; ä, å and ö (lead byte 0xC3) count for
            // the letters they fold to.
            let perMille = [94, 15, 15, 47, 101, 20, 29, 21, 58, 6, 31, 53, 35, 85, 45, 18, 1, 84, 66, 77, 19, 24, 1, 2, 7, 1]
            return perMille[Int(c - 0x61)] + (FoldedMatcher.startBytes(of: c).contains(0xC3) ? 15 : 0)
        }
        var best = 0
        for i in matcher.needle.indices.dropFirst() where rarity(i) < rarity(best) { best = i }
        return best
    }

    /// Where `byte` next occurs in `h` from `from`; `Int.max` when nowhere.
    @inline(__always)
    static func find(_ byte: UInt8, in h: UnsafeBufferPointer<UInt8>, from: Int) -> Int {
        guard from < h.count, let base = h.baseAddress, let hit = memchr(base + from, Int32(byte), h.count - from) else { return Int.max }
        return base.distance(to: hit.assumingMemoryBound(to: UInt8.self))
    }
}
