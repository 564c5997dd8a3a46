extension Metadata {
    private static let emptySeen = Array(#","seen":{}"#.utf8)

    /// The seen map as JSON, `{"id":["hash hex","date",last served,observed at],…}`, ids in
    /// string order as JSONEncoder's sorted keys put them; straight into one byte buffer.
    func seenJSON() -> [UInt8] {
        let ids = seen.entries.keys.map(String.init).sorted()
        var out: [UInt8] = []
        out.reserveCapacity(2 + ids.count * 64)
        out.append(UInt8(ascii: "{"))
        for (n, key) in ids.enumerated() {
            // The keys came from these entries.
            let e = seen.entries[Int(key)!]!
            if n > 0 { out.append(UInt8(ascii: ",")) }
            out.append(contentsOf: "\"\(key)\":[\"\(XXH64.hex(e.hash))\",\"\(e.date.description)\",\(e.lastSeen)".utf8)
            if let observed = e.observedAt { out.append(contentsOf: ",\(Self.number(observed))".utf8) }
            out.append(UInt8(ascii: "]"))
        }
        out.append(UInt8(ascii: "}"))
        return out
    }

    /// A Double as JSONEncoder writes it (shortest round-trip form, no ".0" on whole numbers).
    private static func number(_ value: Double) -> String {
        let text = value.description
        return text.hasSuffix(".0") ? String(text.dropLast(2)) : text
    }

    /// Puts `seen` in place of the empty map in `file`: the top-level one is the last
    /// occurrence (only plain numbers follow it in sorted key order, and an object nested in
    /// the reports before it comes earlier).
    static func splice(_ seen: [UInt8], into file: inout [UInt8]) {
        let pattern = emptySeen
        var i = file.count - pattern.count
        while i >= 0 {
            if file[i] == pattern[0] && file[i..<i + pattern.count].elementsEqual(pattern) {
                // Keep `,"seen":` and replace `{}`.
                file.replaceSubrange(i + pattern.count - 2..<i + pattern.count, with: seen)
                return
            }
            i -= 1
        }
        preconditionFailure("metadata encoding has no seen map")
    }
}
