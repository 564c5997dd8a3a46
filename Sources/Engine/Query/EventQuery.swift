#if canImport(Glibc)
    import Glibc
#endif

/// The one query language of the dashboard filter, `replay --query`, `tail` and watch rules.
///
///     brand                   a word: in the name, summary, type or place
///     "brand i byggnad"       a phrase: those words in that order
///     type:trafik             the type contains "trafik" (Trafikolycka, Trafikkontroll, …)
///     place:skåne             the place contains it (`location:` is the same)
///     place:"västra götaland" a field's text may be quoted
///     -rattfylleri            excludes events containing it; also -type:X, -place:X, -"a b"
///
/// Every part must match. Matching ignores case and diacritics the Swedish way (see
/// `SearchFold`): "malmo" finds "Malmö". A colon in any other word is plain text ("17:30").
public struct EventQuery: Sendable, Equatable, CustomStringConvertible {
    public enum Field: String, Sendable, Equatable { case any, type, place }

    public struct Term: Sendable, Equatable {
        public var field: Field
        /// The text as written (without quotes).
        public var text: String
        public var excluded: Bool
        /// `text`, folded.
        public let folded: [UInt8]
        /// Finds `folded` in raw stored lines; nil when there is nothing to find.
        let matcher: FoldedMatcher?

        public init(_ field: Field = .any, _ text: String, excluded: Bool = false) {
            self.field = field
            self.text = text
            self.excluded = excluded
            var f = SearchFold.fold(text)
            while f.first == 0x20 { f.removeFirst() }
            while f.last == 0x20 { f.removeLast() }
            folded = f
            matcher = f.isEmpty ? nil : FoldedMatcher(folded: f)
        }
    }

    public struct ParseError: Error, Sendable, Equatable, CustomStringConvertible {
        public var message: String
        public var description: String { message }
    }

    public private(set) var terms: [Term] = []
    /// The first problem of the text, when the lenient `init(_:)` read it anyway: an unclosed
    /// quote takes the rest as the phrase; a prefix with nothing after it is ignored (so a
    /// filter being typed never hides everything).
    public private(set) var error: ParseError?

    /// Reads `input` leniently (for a filter being typed); see `error`.
    public init(_ input: String) {
        var parser = QueryParser(input)
        terms = parser.terms()
        error = parser.error
    }

    /// Reads `input`, throwing at its first problem (for rules and command-line options).
    public static func parse(_ input: String) throws(ParseError) -> EventQuery {
        let query = EventQuery(input)
        if let error = query.error { throw error }
        return query
    }

    public init(terms: [Term]) { self.terms = terms.filter { !$0.folded.isEmpty } }

    /// Both queries' parts.
    public func and(_ other: EventQuery) -> EventQuery {
        var q = self
        q.terms += other.terms
        q.error = error ?? other.error
        return q
    }

    public var isEmpty: Bool { terms.isEmpty }

    public func matches(_ e: PoliceEvent) -> Bool {
        guard !terms.isEmpty else { return true }
        var all: [UInt8] = []
        var type: [UInt8] = []
        var place: [UInt8] = []
        all.reserveCapacity(512)
        // One buffer for words; a newline between fields (folding turns every newline inside
        // a field into a space) keeps a phrase from matching across two of them.
        for field in [e.name, e.summary, e.type, e.location?.name] {
            SearchFold.append((field ?? "").utf8, to: &all)
            all.append(0x0A)
        }
        SearchFold.append((e.type ?? "").utf8, to: &type)
        SearchFold.append((e.location?.name ?? "").utf8, to: &place)
        for term in terms {
            let haystack: [UInt8]
            switch term.field {
            case .any: haystack = all
            case .type: haystack = type
            case .place: haystack = place
            }
            if SearchFold.contains(haystack, term.folded) == term.excluded { return false }
        }
        return true
    }

    /// A cheap test on a stored JSON line before decoding it: false only when the event
    /// cannot match (a required part is nowhere in the line). A line with an escape (`\u00f6`,
    /// `\"`) is never ruled out, since its raw bytes are not its text. The line is searched in
    /// place, folding only where it is compared (`FoldedMatcher`); `QueryLineFilter` does the
    /// same over a whole file of lines.
    public func mayMatch<Line: Collection>(line: Line) -> Bool where Line.Element == UInt8 {
        let required = requiredMatchers
        guard !required.isEmpty else { return true }
        func test(_ h: UnsafeBufferPointer<UInt8>) -> Bool {
            FoldedCursor.find(0x5C, in: h, from: 0) < h.count || required.allSatisfy { $0.found(in: h) }
        }
        return line.withContiguousStorageIfAvailable(test) ?? Array(line).withUnsafeBufferPointer(test)
    }

    /// The matchers of the parts an event must contain (not the excluded ones).
    var requiredMatchers: [FoldedMatcher] { terms.compactMap { $0.excluded ? nil : $0.matcher } }

    /// The query written out again, in the language it was read in.
    public var description: String {
        terms.map { t in
            let quoted =
                t.text.contains { $0 == " " || $0 == "\"" || $0 == "\t" } || t.text.hasPrefix("-")
                || (t.field == .any && t.text.contains(":"))
            let value = quoted ? "\"" + t.text.replacing("\"", with: "") + "\"" : t.text
            return (t.excluded ? "-" : "") + (t.field == .any ? "" : t.field.rawValue + ":") + value
        }.joined(separator: " ")
    }
}
