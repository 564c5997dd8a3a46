/// Splits query text into terms: whitespace separates them outside quotes; a leading `-`
/// excludes; `type:`, `place:` or `location:` (any case) names a field; a value is bare text
/// and "quoted" sections, as in a shell.
struct QueryParser {
    private let chars: [Character]
    private var i = 0
    private(set) var error: EventQuery.ParseError?

    init(_ text: String) { chars = Array(text) }

    private static let fields: [String: EventQuery.Field] = ["type": .type, "place": .place, "location": .place]

    mutating func terms() -> [EventQuery.Term] {
        var out: [EventQuery.Term] = []
        while true {
            while i < chars.count, chars[i].isWhitespace { i += 1 }
            guard i < chars.count else { return out }
            let start = i
            var excluded = false
            if chars[i] == "-" {
                excluded = true
                i += 1
            }
            var field = EventQuery.Field.any
            if let colon = fieldPrefixEnd() {
                field = Self.fields[String(chars[i..<colon]).lowercased()]!
                i = colon + 1
            }
            let value = readValue()
            let term = EventQuery.Term(field, value, excluded: excluded)
            if !term.folded.isEmpty {
                out.append(term)
            } else if excluded || field != .any {
                note("\"\(String(chars[start..<i]))\" needs a word after it")
            }  // an empty phrase ("") asks for nothing
        }
    }

    /// Where the colon of a known field name at `i` is, if one is there.
    private func fieldPrefixEnd() -> Int? {
        var j = i
        while j < chars.count, chars[j].isLetter, j - i < 9 { j += 1 }
        guard j < chars.count, chars[j] == ":", Self.fields[String(chars[i..<j]).lowercased()] != nil else { return nil }
        return j
    }

    /// Bare characters and quoted sections up to unquoted whitespace.
    private mutating func readValue() -> String {
        var value = ""
        while i < chars.count, !chars[i].isWhitespace {
            if chars[i] == "\"" {
                let opened = i
                i += 1
                while i < chars.count, chars[i] != "\"" {
                    value.append(chars[i])
                    i += 1
                }
                if i < chars.count { i += 1 } else { note("unclosed quote (opened at character \(opened + 1))") }
            } else {
                value.append(chars[i])
                i += 1
            }
        }
        return value
    }

    private mutating func note(_ message: String) {
        if error == nil { error = EventQuery.ParseError(message: message) }
    }
}
