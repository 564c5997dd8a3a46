import EngineTesting
import Foundation
import Testing

@testable import Engine

/// Searching raw stored lines without folding a copy gives what folding a copy gives, and the
/// store hands a search its files whole and in order.
@Suite struct FoldedSearchTests {
    /// Characters that fold in every way there is: case, Swedish and other accents, two-letter
    /// folds, combining marks, whitespace runs and NBSP, characters kept as they are.
    static let pieces = [
        "a", "A", "k", "K", "v", "V", "l", "i", "n", "g", "e", "s", "t", "h", "o", " ", "  ", "\t", "\u{A0}", " \u{A0} ",
        "ä", "Ä", "å", "Å", "ö", "Ö", "é", "É", "æ", "Æ", "ß", "þ", "ĳ", "œ", "ķ", "ā", "a\u{308}", "\u{308}", "×", "÷",
        "Δ", "–", "-", ",", "1", "ş", "\"",
    ]

    static func text(_ rng: inout SplitMix64, _ count: Int) -> String {
        (0..<count).map { _ in pieces[Int(rng.next() % UInt64(pieces.count))] }.joined()
    }

    /// A needle as a query term makes it: folded, without spaces at either end; nil when empty.
    static func needle(_ text: String) -> [UInt8]? {
        let folded = EventQuery.Term(.any, text).folded
        return folded.isEmpty ? nil : folded
    }

    static func copyFolded(_ line: String, contains needle: [UInt8]) -> Bool {
        SearchFold.contains(SearchFold.fold(line), needle)
    }

    @Test func findingInPlaceAgreesWithFoldingACopy() {
        var rng = SplitMix64(seed: 18_4)
        var found = 0
        for _ in 0..<4000 {
            let line = Self.text(&rng, 1 + Int(rng.next() % 30))
            // Half the needles are taken from the line itself (written in another case or
            // form), half are made up.
            let source = rng.next() % 2 == 0 ? Self.text(&rng, 1 + Int(rng.next() % 4)) : String(line.shuffledSlice(&rng))
            guard let needle = Self.needle(source) else { continue }
            let expected = Self.copyFolded(line, contains: needle)
            let got = Array(line.utf8).withUnsafeBufferPointer { FoldedMatcher(folded: needle).found(in: $0) }
            #expect(got == expected, "\(line.debugDescription) \(String(decoding: needle, as: UTF8.self).debugDescription)")
            if expected { found += 1 }
        }
        #expect(found > 1000, "the cases should include many matches")
    }

    /// Over a whole buffer the cursor looks for the needle's rarest letter and tries the starts
    /// just before it; lines with whitespace, marks and two-letter folds before that letter
    /// still give what folding a copy of each line gives.
    @Test func anchoringOnTheRarestLetterAgreesWithFoldingACopy() {
        var rng = SplitMix64(seed: 18_44)
        var found = 0
        var anchored = 0
        for _ in 0..<3000 {
            let lines = (0..<(1 + Int(rng.next() % 6))).map { _ in Self.text(&rng, Int(rng.next() % 40)) }
            let from = lines[Int(rng.next() % UInt64(lines.count))]
            let source = rng.next() % 3 == 0 || from.isEmpty ? Self.text(&rng, 2 + Int(rng.next() % 6)) : from.shuffledSlice(&rng) + from.shuffledSlice(&rng)
            guard let needle = Self.needle(source) else { continue }
            let matcher = FoldedMatcher(folded: needle)
            if FoldedCursor.anchor(of: matcher) > 0 { anchored += 1 }
            var cursor = FoldedCursor(matcher)
            let buffer = Array(lines.joined(separator: "\n").utf8)
            buffer.withUnsafeBufferPointer { all in
                cursor.reset()
                var start = 0
                for line in lines {
                    let end = start + line.utf8.count
                    let expected = Self.copyFolded(line, contains: needle)
                    #expect(cursor.found(in: all, line: start..<end) == expected, "\(line.debugDescription) \(String(decoding: needle, as: UTF8.self).debugDescription)")
                    if expected { found += 1 }
                    start = end + 1
                }
            }
        }
        #expect(found > 400, "the cases should include many matches")
        #expect(anchored > 1000, "most needles should be looked for by a later letter")
    }

    @Test func swedishLettersMatchInEitherCaseAndWithoutTheirDots() {
        let line = Array(#"{"id":1,"name":"Brand, KÄVLINGE","summary":"Skåne län"}"#.utf8)
        for (text, expected) in [
            ("kävlinge", true), ("KAVLINGE", true), ("Kävlinge", true), ("skane lan", true), ("SKÅNE  LÄN", true),
            ("kävlingen", false), ("skåne län,", false), ("brand kävlinge", false),
        ] {
            let matcher = FoldedMatcher(folded: Self.needle(text)!)
            #expect(line.withUnsafeBufferPointer(matcher.found) == expected, "\(text)")
        }
    }

    @Test func aFileIsSearchedLineByLineAsEachLineAlone() {
        var rng = SplitMix64(seed: 77)
        for round in 0..<300 {
            var lines = (0..<(1 + Int(rng.next() % 12))).map { _ in Self.text(&rng, Int(rng.next() % 25)) }
            if round % 5 == 0 { lines[0] += #"\u00e4"#}  // an escape: never ruled out
            let queryText = [Self.text(&rng, 1 + Int(rng.next() % 2)), rng.next() % 3 == 0 ? Self.text(&rng, 1) : ""]
                .joined(separator: " ")
            let query = EventQuery(terms: queryText.split(separator: " ").map { EventQuery.Term(.any, String($0)) })
            let buffer = Array(lines.joined(separator: "\n").utf8)
            var filter = QueryLineFilter(query)
            buffer.withUnsafeBufferPointer { all in
                filter.reset()
                var start = 0
                for line in lines {
                    let end = start + line.utf8.count
                    #expect(filter.mayMatch(all, line: start..<end) == query.mayMatch(line: Array(line.utf8)), "\(line.debugDescription) \(query)")
                    start = end + 1
                }
            }
        }
    }

    @Test func partNamesReadAndWriteAsBefore() {
        let date = LocalDate(year: 2025, month: 3, day: 1)
        let cases: [(String, PartRef.Kind?)] = [
            ("part-00000042.jsonl", .part(cycle: 42)), ("part-7.jsonl", .part(cycle: 7)),
            ("part-00000001-00000042.jsonl", .part(cycle: 42, first: 1)), ("events-1700000000.jsonl", .legacy(unix: 1_700_000_000)),
            ("part-+5.jsonl", .part(cycle: 5)), ("part-1--2.jsonl", .part(cycle: 2, first: 1)), ("part-2-1.jsonl", nil),
            ("part-.jsonl", nil), ("events-.jsonl", nil), ("part-5.json", nil), ("part-12345678901234567890.jsonl", nil),
            ("part-x.jsonl", nil), (".part-00000001.jsonl.tmp-1-2", nil),
        ]
        for (name, kind) in cases { #expect(PartRef(date: date, fileName: name)?.kind == kind, "\(name)") }
        #expect(PartRef(date: date, cycle: 42).key == "events/2025/03/01/part-00000042.jsonl")
        #expect(PartRef(date: date, cycles: 3...123_456_789).fileName == "part-00000003-123456789.jsonl")
        #expect(PartRef(date: LocalDate(year: 987, month: 12, day: 31), kind: .legacy(unix: 5)).key == "events/0987/12/31/events-5.jsonl")
    }

    @Test func theLocalStoreHandsEveryPartOverInOrderAndSaysWhichAreMissing() async throws {
        let root = temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let store = LocalStore(root: root)
        var parts: [PartRef] = []
        for i in 0..<300 {
            let part = PartRef(date: LocalDate(year: 2025, month: 1 + i % 3, day: 1 + i % 28), cycle: i)
            parts.append(part)
            try await store.writePart(part, Array(String(repeating: "\(i)\n", count: 1 + i % 50).utf8))
        }
        parts.sort()
        #expect(try await store.listParts(date: nil) == parts)
        let missing = Set([0, 5, 150, 299].map { parts[$0] })
        for part in missing { FileIO.remove("\(root)/\(part.key)") }
        var seen: [Int] = []
        try await store.readParts(parts) { i, read in
            seen.append(i)
            switch read {
            case .success(let bytes):
                #expect(!missing.contains(parts[i]))
                let cycle = parts[i].cycle!
                #expect(bytes == Array(String(repeating: "\(cycle)\n", count: 1 + cycle % 50).utf8))
            case .failure(let error):
                #expect(missing.contains(parts[i]))
                guard case StoreError.notFound = error else { Issue.record("\(error)"); return }
            }
        }
        #expect(seen == Array(parts.indices))
        // A reader that stops early gets no more and is not kept waiting.
        struct Enough: Error {}
        var count = 0
        await #expect(throws: Enough.self) {
            try await store.readParts(parts) { i, _ in
                count += 1
                if i == 20 { throw Enough() }
            }
        }
        #expect(count == 21)
    }

    /// Each file is scanned in a buffer its reading thread reuses: a scan sees exactly that
    /// file's bytes (never the rest of a longer file read before it, whichever thread read
    /// it), files bigger than any before included, and the results come in order.
    @Test func scansSeeEachFileWholeThoughTheReadBuffersAreReused() async throws {
        let root = temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let store = LocalStore(root: root)
        var rng = SplitMix64(seed: 18)
        var parts: [PartRef] = []
        var expected: [[UInt8]] = []
        for i in 0..<240 {
            let part = PartRef(date: LocalDate(year: 2025, month: 4, day: 1 + i / 24), cycle: i)
            // Mostly small files, every seventh up to 300 KB, some empty.
            let size = i % 7 == 0 ? Int(rng.next() % 300_000) : (i % 11 == 0 ? 0 : Int(rng.next() % 5_000))
            let bytes = (0..<size).map { j in UInt8(truncatingIfNeeded: (j * 31 + i) % 251) }
            try await store.writePart(part, bytes)
            parts.append(part)
            expected.append(bytes)
        }
        final class Seen: Sendable {
            let bytes: [UInt8]
            init(_ bytes: [UInt8]) { self.bytes = bytes }
        }
        var order: [Int] = []
        try await store.scanParts(parts, { _, bytes in Seen(Array(bytes)) }) { i, read in
            order.append(i)
            let seen = try read.get()
            #expect(seen.bytes.count == expected[i].count, "part \(i)")
            #expect(seen.bytes == expected[i], "part \(i)")
        }
        #expect(order == Array(parts.indices))
    }
}

extension String {
    /// A random piece of the string, each letter's case flipped at random.
    fileprivate func shuffledSlice(_ rng: inout SplitMix64) -> String {
        let chars = Array(self)
        let start = Int(rng.next() % UInt64(chars.count))
        let end = min(chars.count, start + 1 + Int(rng.next() % 6))
        return chars[start..<end].map { rng.next() % 2 == 0 ? $0.uppercased() : $0.lowercased() }.joined()
    }
}
