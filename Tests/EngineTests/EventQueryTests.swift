import Foundation
import Testing

@testable import Engine

/// The query language against the real fixtures, checked against Foundation's own case- and
/// diacritic-insensitive comparison as an independent oracle.
@Suite struct EventQueryTests {
    static let events: [PoliceEvent] = {
        var byID: [Int: PoliceEvent] = [:]
        for name in Fixtures.names {
            for e in try! JSONDecoder().decode([PoliceEvent].self, from: Data(Fixtures.bytes(name))) { byID[e.id] = e }
        }
        return byID.values.sorted { $0.id < $1.id }
    }()

    func ids(_ query: String) -> Set<Int> {
        Set(Self.events.filter(EventQuery(query).matches).map(\.id))
    }

    /// Each event's fields folded by Foundation (ICU), once: the oracle's side.
    struct Folded {
        var id: Int
        var name, summary, type, place: String
        var any: String { [name, summary, type, place].joined(separator: "\n") }
    }
    static let folded: [Folded] = events.map { e in
        func f(_ s: String?) -> String { fold(s ?? "") }
        return Folded(id: e.id, name: f(e.name), summary: f(e.summary), type: f(e.type), place: f(e.location?.name))
    }
    static func fold(_ s: String) -> String { s.folding(options: [.caseInsensitive, .diacriticInsensitive], locale: nil) }

    func oracle(_ field: (Folded) -> String, contains needle: String) -> Set<Int> {
        let n = Self.fold(needle)
        return Set(Self.folded.filter { field($0).contains(n) }.map(\.id))
    }

    @Test func theFixturesAreThere() { #expect(Self.events.count > 8000) }

    @Test func swedishLettersFoldBothWays() {
        let malmo = ids("malmo")
        #expect(malmo.count > 200)
        #expect(ids("Malmö") == malmo)
        #expect(ids("MALMÖ") == malmo)
        #expect(ids("place:malmo") == oracle({ $0.place }, contains: "Malmö"))
        #expect(ids("place:SKANE") == oracle({ $0.place }, contains: "skåne"))
        let ovrigt = ids("type:ovrigt")
        #expect(ovrigt == oracle({ $0.type }, contains: "övrigt"))
        #expect(Set(Self.events.filter { $0.type == "Övrigt" }.map(\.id)).isSubset(of: ovrigt))
        // É and other Latin letters: "linne" finds Linnéuniversitetet, Linnégatan, …
        let linne = ids("linne")
        #expect(linne == oracle({ $0.name + "\n" + $0.summary }, contains: "linné"))
        #expect(linne.contains(410820))
        #expect(ids("LINNÉ") == linne)
    }

    @Test func wordsMatchNameSummaryTypeAndPlace() {
        for word in ["kävlinge", "göteborg", "rattfylleri", "e4", "stöld"] {
            let expected = oracle({ [$0.name, $0.summary, $0.type, $0.place].joined(separator: "\n") }, contains: word)
            #expect(!expected.isEmpty, "\(word)")
            #expect(ids(word) == expected, "\(word)")
        }
    }

    @Test func allPartsMustMatch() {
        let both = ids("type:trafikolycka place:skåne")
        #expect(!both.isEmpty)
        #expect(both == ids("type:trafikolycka").intersection(ids("place:skåne")))
        #expect(ids("brand göteborg") == ids("brand").intersection(ids("göteborg")))
    }

    @Test func typeContainsTheTextLikeTheFilterAlwaysDid() {
        // `type:trafik` finds Trafikolycka, Trafikkontroll, Trafikbrott, …
        let types = Set(Self.events.filter(EventQuery("type:trafik").matches).compactMap(\.type))
        #expect(types.contains("Trafikolycka") && types.contains("Trafikkontroll") && types.contains("Trafikolycka, vilt"))
        #expect(types.allSatisfy { $0.lowercased().contains("trafik") })
    }

    @Test func phrasesMatchWordsInOrder() {
        let phrase = ids("\"brand i byggnad\"")
        let words = ids("brand i byggnad")
        #expect(!phrase.isEmpty)
        #expect(phrase.isSubset(of: words))
        #expect(phrase.count < words.count)
        #expect(phrase == oracle(\.any, contains: "brand i byggnad"))
        // a quoted field value
        #expect(ids("place:\"västra götaland\"") == oracle({ $0.place }, contains: "Västra Götaland"))
        #expect(!ids("place:\"västra götaland\"").isEmpty)
    }

    @Test func exclusionRemovesWhatMatches() {
        let all = Set(Self.events.map(\.id))
        #expect(ids("-malmö") == all.subtracting(ids("malmö")))
        #expect(ids("type:trafikolycka -type:vilt") == ids("type:trafikolycka").subtracting(ids("type:vilt")))
        #expect(
            ids("type:trafikolycka -type:vilt").allSatisfy { id in
                Self.events.first { $0.id == id }!.type.map { !$0.contains("vilt") } ?? false
            })
        #expect(ids("brand -\"brand i byggnad\"") == ids("brand").subtracting(ids("\"brand i byggnad\"")))
        #expect(ids("-place:stockholm") == all.subtracting(ids("place:stockholm")))
    }

    @Test func anEmptyQueryMatchesEverything() {
        #expect(ids("").count == Self.events.count)
        #expect(ids("   ").count == Self.events.count)
        #expect(EventQuery("").isEmpty)
    }

    @Test func aColonInAnyOtherWordIsText() {
        let q = EventQuery("kl:12 17:30")
        #expect(q.terms.map(\.field) == [.any, .any])
        #expect(q.terms.map(\.text) == ["kl:12", "17:30"])
        #expect(EventQuery("TYPE:brand Location:malmö").terms.map(\.field) == [.type, .place])
    }

    @Test func badInputIsAnErrorWhenParsedStrictly() {
        let cases: [(String, String)] = [
            ("\"brand i", "unclosed quote (opened at character 1)"),
            ("malmö type:\"brand", "unclosed quote (opened at character 12)"),
            ("type:", "\"type:\" needs a word after it"),
            ("brand -", "\"-\" needs a word after it"),
            ("-place:\"\"", "\"-place:\"\"\" needs a word after it"),
        ]
        for (text, message) in cases {
            #expect(throws: EventQuery.ParseError(message: message), "\(text)") { try EventQuery.parse(text) }
        }
        #expect(throws: Never.self) { try EventQuery.parse("type:brand -\"i byggnad\" place:\"västra götaland\"") }
    }

    @Test func aFilterBeingTypedIsReadLeniently() {
        // The unclosed phrase is taken as typed so far; a bare prefix asks for nothing yet.
        let typing = EventQuery("\"brand i bygg")
        #expect(typing.error != nil)
        #expect(Set(Self.events.filter(typing.matches).map(\.id)) == ids("\"brand i bygg\""))
        #expect(ids("brand type:") == ids("brand"))
        #expect(ids("brand -") == ids("brand"))
    }

    @Test func foldingTable() {
        #expect(
            String(decoding: SearchFold.fold("ÅÄÖ åäö ÉÈÊË éü ÆæØøßÞþ ŁłŒœŠžĳ"), as: UTF8.self)
                == "aao aao eeee eu aeaeoossthth lloeoeszij")
        #expect(String(decoding: SearchFold.fold("a\u{308}B\u{30A}"), as: UTF8.self) == "ab")  // decomposed marks
        #expect(String(decoding: SearchFold.fold("a \n\t b\u{A0}c"), as: UTF8.self) == "a b c")
        #expect(String(decoding: SearchFold.fold("× ÷ – 12:30 Δ"), as: UTF8.self) == "× ÷ – 12:30 Δ")
    }

    @Test func aStoredLinePrefilterNeverRulesOutAMatch() {
        // Lines as the store holds them: the API's fields, unescaped UTF-8, one object a line.
        var lineByID: [Int: [UInt8]] = [:]
        for name in Fixtures.names {
            for object in Fixtures.objects(name) {
                lineByID[object["id"] as! Int] = Array(
                    try! JSONSerialization.data(withJSONObject: object, options: [.withoutEscapingSlashes]))
            }
        }
        let lines = Self.events.map { lineByID[$0.id]! }
        #expect(lines.allSatisfy { !$0.contains(0x5C) })
        for text in ["malmo", "type:trafikolycka place:skåne", "\"brand i byggnad\" -stockholm", "linné"] {
            let q = EventQuery(text)
            for (e, line) in zip(Self.events, lines) where q.matches(e) {
                #expect(q.mayMatch(line: line), "\(text) \(e.id)")
            }
            let ruledOut = lines.filter { !q.mayMatch(line: $0) }.count
            #expect(ruledOut > Self.events.count / 2, "\(text): the prefilter should rule out most lines")
        }
    }

    @Test func theQueryWritesItselfBack() {
        for text in ["brand", "type:trafik -place:\"västra götaland\" \"kl 12\"", "-\"17:30\"", "\"-5\""] {
            let q = EventQuery(text)
            #expect(EventQuery(q.description) == q, "\(text) → \(q.description)")
        }
    }
}
