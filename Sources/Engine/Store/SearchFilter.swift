/// What a history search looks for in stored lines before reading them: a text (case-folded,
/// `FoldedNeedle`), a query (`QueryLineFilter`), or both. Lines of a file come in order.
struct SearchFilter: Sendable {
    let text: FoldedNeedle?
    private var query: QueryLineFilter?

    init(text: FoldedNeedle? = nil, query: EventQuery? = nil) {
        self.text = text
        self.query = query.map(QueryLineFilter.init)
    }

    /// Starts over on a new file's bytes.
    mutating func reset() { query?.reset() }

    /// Whether line `line` of `h` may hold what is searched for (false only when it cannot).
    mutating func mayHold(_ h: UnsafeBufferPointer<UInt8>, line: Range<Int>) -> Bool {
        if let text, !text.found(in: UnsafeBufferPointer(rebasing: h[line])) { return false }
        return query?.mayMatch(h, line: line) ?? true
    }
}
