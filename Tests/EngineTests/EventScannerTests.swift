import Foundation
import Testing

@testable import Engine

@Suite struct EventScannerTests {
    @Test(arguments: Fixtures.names)
    func everyFixtureDecodesWithoutLoss(name: String) throws {
        let scan = try EventScanner.scan(Fixtures.bytes(name))
        let reference = Fixtures.objects(name)
        #expect(scan.skipped == 0)
        #expect(scan.events.count == reference.count)
        for (event, object) in zip(scan.events, reference) {
            #expect(event.id == object["id"] as? Int)
            // The compact line holds every field and value exactly.
            let line = scan.lineBytes(event)
            #expect(!line.contains(0x0A))
            #expect(jsonObject(line) == object as NSDictionary)
            #expect(event.datetime.instant > 1_500_000_000)
        }
    }

    @Test func sameContentInPrettyLayoutGivesSameLineAndHash() throws {
        let compact = #"[{"id":1,"datetime":"2024-01-02 3:04:05 +01:00","name":"å ä ö","location":{"name":"X","gps":"1,2"}}]"#
        let pretty =
            "[\n  {\n    \"id\": 1,\n    \"datetime\": \"2024-01-02 3:04:05 +01:00\",\n    \"name\": \"å ä ö\",\n    \"location\": {\n      \"name\": \"X\",\n      \"gps\": \"1,2\"\n    }\n  }\n]\n"
        let a = try EventScanner.scan(Array(compact.utf8))
        let b = try EventScanner.scan(Array(pretty.utf8))
        #expect(a.events[0].hash == b.events[0].hash)
        #expect(Array(a.lineBytes(a.events[0])) == Array(b.lineBytes(b.events[0])))
        #expect(String(decoding: a.lineBytes(a.events[0]), as: UTF8.self) == String(compact.dropFirst().dropLast()))
    }

    @Test func byteOrderMarkIsAccepted() throws {
        let body = [0xEF, 0xBB, 0xBF] + Fixtures.bytes("snapshot-2018-04-13-civil-courage-fixture.json")
        let scan = try EventScanner.scan(body)
        #expect(scan.events.map(\.id) == [37919, 37918])
    }

    @Test func unpaddedHoursAndBothOffsetsParse() throws {
        let scan = try EventScanner.scan(Fixtures.bytes("snapshot-2023-03-30T0944Z-dnouri.json"))
        let offsets = Set(scan.events.map(\.datetime.offsetMinutes))
        #expect(offsets == [60, 120])
        #expect(scan.events.contains { $0.datetime.hour < 10 })
    }

    @Test(arguments: [
        ("", BodyError.empty),
        ("   \n", BodyError.empty),
        ("<!DOCTYPE html><html></html>", BodyError.html),
        (#"{"events":[]}"#, BodyError.notAnArray(found: #""{"events":[]""#)),
    ])
    func bodiesThatAreNotEventArraysFail(body: String, expected: BodyError) {
        #expect(throws: expected) { try EventScanner.scan(Array(body.utf8)) }
    }

    @Test func everyTruncationOfARealResponseIsRejected() {
        let body = Fixtures.bytes("snapshot-2026-03-31T0652Z-dnouri-filtered-cache.json")
        var accepted = 0
        // Every cut point in the first 2 KB and a stride through the rest.
        var cuts = Array(1..<2048)
        cuts += Array(stride(from: 2048, to: body.count - 2, by: 97))
        for n in cuts {
            // A cut that leaves only trailing whitespace off is still a complete array.
            let prefix = Array(body[0..<n])
            if String(decoding: body[n...], as: UTF8.self).allSatisfy(\.isWhitespace) { continue }
            if (try? EventScanner.scan(prefix)) != nil { accepted += 1 }
        }
        #expect(accepted == 0)
    }

    @Test(arguments: [
        #"[{"id":1,"datetime":"2024-01-02 3:04:05 +01:00"}]x"#,
        #"[{"id":1,"datetime":"2024-01-02 3:04:05 +01:00"},]"#,
        #"[{"id":1,"datetime":"2024-01-02 3:04:05 +01:00",}]"#,
        #"[{"id":01,"datetime":"2024-01-02 3:04:05 +01:00"}]"#,
        #"[{"id":1,"datetime":"2024-01-02 3:04:05 +01:00","x":tru}]"#,
        #"[{"id":1,"datetime":"2024-01-02 3:04:05 +01:00","x":"\q"}]"#,
        "[{\"id\":1,\"datetime\":\"2024-01-02 3:04:05 +01:00\",\"x\":\"a\u{01}b\"}]",
        #"[{"id":1 "datetime":"2024-01-02 3:04:05 +01:00"}]"#,
    ])
    func grammarErrorsFailTheWholeBody(body: String) {
        #expect(throws: BodyError.self) { try EventScanner.scan(Array(body.utf8)) }
    }

    @Test func invalidUTF8IsRejected() {
        var body = Array(#"[{"id":1,"datetime":"2024-01-02 3:04:05 +01:00","name":"X"}]"#.utf8)
        let i = body.firstIndex(of: UInt8(ascii: "X"))!
        body[i] = 0xC3  // a lead byte followed by a quote
        #expect(throws: BodyError.self) { try EventScanner.scan(body) }
        body[i] = 0xFF
        #expect(throws: BodyError.self) { try EventScanner.scan(body) }
    }

    @Test func deepNestingIsRejectedNotACrash() {
        let body = "[" + String(repeating: "[", count: 10_000) + String(repeating: "]", count: 10_000) + "]"
        #expect(throws: BodyError.self) { try EventScanner.scan(Array(body.utf8)) }
    }

    @Test func malformedEventsAreSkippedAndCountedNotFatal() throws {
        let body = #"""
            [{"id":1,"datetime":"2024-01-02 3:04:05 +01:00"},
             {"id":"2","datetime":"2024-01-02 3:04:05 +01:00"},
             {"id":3,"datetime":"yesterday"},
             {"id":4.5,"datetime":"2024-01-02 3:04:05 +01:00"},
             {"datetime":"2024-01-02 3:04:05 +01:00"},
             17,
             {"id":6,"datetime":"2024-01-02 13:04:05 +01:00","extra":[1,{"a":null}]}]
            """#
        let scan = try EventScanner.scan(Array(body.utf8))
        #expect(scan.events.map(\.id) == [1, 6])
        #expect(scan.skipped == 5)
        #expect(scan.skipReasons.contains("id is not an integer"))
    }

    @Test(arguments: [
        (#""type":["x"]"#, "type is not a string"),
        (#""type":null"#, "type is not a string"),
        (#""name":42"#, "name is not a string"),
        (#""summary":{"text":"x"}"#, "summary is not a string"),
        (#""url":false"#, "url is not a string"),
        (#""location":null"#, "location is not an object"),
        (#""location":"Malmö""#, "location is not an object"),
        (#""location":[59.3,18.1]"#, "location is not an object"),
        (#""location":{"name":["Malmö"],"gps":"55.6,13.0"}"#, "location's name or gps is not a string"),
        (#""location":{"name":"Malmö","gps":[55.6,13.0]}"#, "location's name or gps is not a string"),
    ])
    func wrongTypedFieldsAreSkippedAndCounted(field: String, reason: String) throws {
        let good =
            #"{"id":1,"datetime":"2024-01-02 3:04:05 +01:00","name":"n","type":"Stöld","location":{"name":"Malmö","gps":"55.6,13.0"}}"#
        let body = "[" + good + #",{"id":2,"datetime":"2024-01-02 3:04:05 +01:00","# + field + "}]"
        let scan = try EventScanner.scan(Array(body.utf8))
        #expect(scan.events.map(\.id) == [1])
        #expect(scan.skipped == 1)
        #expect(scan.skipReasons == [reason])
        // The good event's line is kept exactly; the bad one leaves nothing behind.
        #expect(String(decoding: scan.lineBytes(scan.events[0]), as: UTF8.self) == good)
    }

    @Test func aNegativeIdIsSkippedAndCountedButZeroAndAMissingFieldAreNot() throws {
        let body =
            #"[{"id":-5,"datetime":"2024-01-02 3:04:05 +01:00"},{"id":0,"datetime":"2024-01-02 3:04:05 +01:00"},"#
            + #"{"id":7,"datetime":"2024-01-02 3:04:05 +01:00","location":{}},{"id":8,"datetime":"2024-01-02 3:04:05 +01:00","location":{"gps":"1,2","extra":null}}]"#
        let scan = try EventScanner.scan(Array(body.utf8))
        #expect(scan.events.map(\.id) == [0, 7, 8])
        #expect(scan.skipReasons == ["id is negative"])
    }

    @Test func keysThatOnlyLookLikeTheFieldsAreLeftAlone() throws {
        // Same lengths as the checked keys, other names: not checked.
        let body =
            #"[{"id":1,"datetime":"2024-01-02 3:04:05 +01:00","typo":[1],"nome":null,"summery":1,"uri":{},"locatio":null,"locale":[]}]"#
        #expect(try EventScanner.scan(Array(body.utf8)).events.map(\.id) == [1])
    }

    @Test func anArrayOfNonEventsFails() {
        #expect(throws: BodyError.noUsableEvents(elements: 3)) { try EventScanner.scan(Array("[1,2,3]".utf8)) }
    }

    @Test func emptyArrayIsValidAndEmpty() throws {
        #expect(try EventScanner.scan(Array("[]".utf8)).events.isEmpty)
    }

    @Test func jsonlLinesAreReadAndBadLinesCounted() {
        let good = #"{"id":1,"datetime":"2024-01-02 3:04:05 +01:00"}"#
        let text = good + "\n" + #"{"id":2,"datetime":"2024-01-0"# + "\nnot json\n" + good.replacingOccurrences(of: "1,", with: "3,") + "\n"
        let scan = EventScanner.scanLines(Array(text.utf8))
        #expect(scan.events.map(\.id) == [1, 3])
        #expect(scan.skipped == 2)
        #expect(String(decoding: scan.lineBytes(scan.events[1]), as: UTF8.self).contains(#""id":3"#))
    }
}

@Suite struct ContentFingerprintTests {
    @Test func escapingDoesNotChangeTheFingerprintButContentDoes() throws {
        let api = #"[{"id":7,"datetime":"2024-01-02 3:04:05 +01:00","name":"Örebro \"x\"","url":"/a/b/","summary":"a\nb 😀"}]"#
        // As Python's json.dumps writes it: ASCII escapes, "\/" allowed, ", " separators.
        let python =
            #"[{"id": 7, "datetime": "2024-01-02 3:04:05 +01:00", "name": "\u00d6rebro \"x\"", "url": "\/a\/b\/", "summary": "a\u000Ab \ud83d\ude00"}]"#
        let a = try EventScanner.scan(Array(api.utf8))
        let b = try EventScanner.scan(Array(python.utf8))
        #expect(a.events[0].hash == b.events[0].hash)
        // Stored lines stay as received.
        #expect(String(decoding: b.lineBytes(b.events[0]), as: UTF8.self).contains(#"\u00d6rebro"#))
        let edited = try EventScanner.scan(Array(python.replacingOccurrences(of: "x", with: "y").utf8))
        #expect(edited.events[0].hash != a.events[0].hash)
    }
}

@Suite struct ScannerWordAtATimeTests {
    /// The string scan reads eight bytes at a time: put each kind of special byte at every
    /// offset of a word and check the event's name against Foundation's reading.
    @Test func specialBytesAtEveryOffsetOfAWord() throws {
        let specials = ["\\\"", "\\\\", "\\u00e5", "å", "€", "😀", "\\n"]
        for special in specials {
            for offset in 0..<17 {
                let name = String(repeating: "a", count: offset) + special + String(repeating: "b", count: 17 - offset)
                let body = "[{\"id\":1,\"datetime\":\"2024-01-02 3:04:05 +01:00\",\"name\":\"\(name)\"}]"
                let scan = try EventScanner.scan(Array(body.utf8))
                let line = scan.lineBytes(scan.events[0])
                let mine = try #require(jsonObject(line)?["name"] as? String)
                let foundation = try #require(
                    (try JSONSerialization.jsonObject(with: Data(body.utf8)) as? [[String: Any]])?.first?["name"] as? String)
                #expect(mine == foundation, "\(special) at \(offset)")
            }
        }
        // A control character or a stray quote inside a word is still refused, wherever it is.
        for offset in 0..<9 {
            let bad = "[{\"id\":1,\"name\":\"" + String(repeating: "a", count: offset) + "\u{01}bbbbbbbb\"}]"
            #expect(throws: BodyError.self) { try EventScanner.scan(Array(bad.utf8)) }
        }
    }
}
