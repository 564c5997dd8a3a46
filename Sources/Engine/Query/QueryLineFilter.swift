/// `EventQuery.mayMatch` over the lines of a whole file, given in order: each required part's
/// start bytes and the escape byte are looked for once across the file (`FoldedCursor`), not
/// once per line, so a line that cannot match costs little more than finding its end.
struct QueryLineFilter: Sendable {
    private var cursors: [FoldedCursor]
    /// Where the next backslash is (see `FoldedCursor`).
    private var backslash = -1

    init(_ query: EventQuery) {
        cursors = query.requiredMatchers.map(FoldedCursor.init)
    }

    /// Starts over on a new buffer.
    mutating func reset() {
        backslash = -1
        for i in cursors.indices { cursors[i].reset() }
    }

    /// `EventQuery.mayMatch(line: h[line])`; lines of one buffer come in order.
    mutating func mayMatch(_ h: UnsafeBufferPointer<UInt8>, line: Range<Int>) -> Bool {
        guard !cursors.isEmpty else { return true }
        // A line with an escape is never ruled out (its raw bytes are not its text).
        if backslash < line.lowerBound { backslash = FoldedCursor.find(0x5C, in: h, from: line.lowerBound) }
        if backslash < line.upperBound { return true }
        for i in cursors.indices where !cursors[i].found(in: h, line: line) { return false }
        return true
    }
}
