import Foundation
import Testing

/// Hostile event text in the real dashboard in a real terminal: served names, summaries,
/// places, types and URLs holding terminal controls (clear screen, OSC 0/2 titles, OSC 52
/// clipboard, OSC 8 links, BEL, C1 controls, bidi overrides) and text that is hard to lay out
/// (combining marks, wide CJK, very long words). tmux interprets whatever reaches it, so the
/// proof is on its side: every row whole, the sanitised placeholders on screen, the pane's
/// title and tmux's clipboard untouched (while the dashboard's own `y` does reach it).
@Suite(.serialized) struct DashboardHostileTests {
    /// Beside the shared hostile fixture: what a screen in particular must survive.
    static var screenEvents: [[String: Any]] {
        [
        [
            "id": 990100, "datetime": "2026-08-22 19:09:00 +02:00",
            "name": "22 augusti 19.09, Länk\u{1B}]8;;https://evil.example/\u{07}klicka\u{1B}]8;;\u{07}, Visby",
            "summary":
                "OSC 8 \u{1B}]8;;https://evil.example/\u{1B}\\länktext\u{1B}]8;;\u{1B}\\ och BEL\u{07}\u{07} och titel\u{1B}]0;pwned-title\u{07} slut.",
            "url": "/aktuellt/handelser/2026/augusti/22/990100/\u{1B}]52;c;cHduZWQ=\u{07}",
            "type": "Brand\u{1B}]8;;https://evil.example/\u{07}",
            "location": ["name": "Gotlands län\u{1B}]2;pwned-title\u{1B}\\", "gps": "57.634800,18.294800"],
        ],
        [
            "id": 990101, "datetime": "2026-08-22 19:03:00 +02:00",
            "name": "22 augusti 19.03, Ska\u{0301}ne\u{0308} kombinerat, Ystad",
            "summary": "Kombinerande tecken: e\u{0301} a\u{030A} o\u{0308} n\u{0303}\u{0323} Z\u{0351}a\u{0356}l\u{0358}g\u{0359}o i löptext.",
            "url": "/aktuellt/handelser/2026/augusti/22/990101/",
            "type": "Sammanfattning\u{0308}", "location": ["name": "Ska\u{0301}ne län", "gps": "55.429500,13.820000"],
        ],
        [
            "id": 990102, "datetime": "2026-08-22 19:02:00 +02:00",
            "name": "22 augusti 19.02, 火災 東京都渋谷区, Kiruna",
            "summary": "全角 ＡＢＣ と ひらがな 火災が発生しました 東京都渋谷区神南一丁目 警察が出動 "
                + String(repeating: "幅の広い文字列が続きます ", count: 12),
            "url": "/aktuellt/handelser/2026/augusti/22/990102/",
            "type": "火災", "location": ["name": "東京都 län", "gps": "67.855800,20.225300"],
        ],
        [
            "id": 990103, "datetime": "2026-08-22 19:01:00 +02:00",
            "name": "22 augusti 19.01, " + String(repeating: "Långtordutanmellanrum", count: 30) + ", Ort",
            "summary": "Ord: " + String(repeating: "ÅÄÖåäö日本", count: 400) + " slut.",
            "url": "/aktuellt/handelser/2026/augusti/22/" + String(repeating: "x", count: 500) + "/",
            "type": String(repeating: "Typ", count: 40),
            "location": ["name": String(repeating: "Län", count: 60), "gps": "59.329324,18.068581"],
        ],
        ]
    }
    static let eventCount = 13

    /// The shared hostile fixture and the events above, as one simulator fixture directory.
    static func fixtures() throws -> String {
        let dir = temporaryDirectory()
        try FileManager.default.copyItem(
            atPath: HostileTextTests.hostileFixtures + "/hostile-events.json", toPath: dir + "/hostile-events.json")
        try JSONSerialization.data(withJSONObject: screenEvents).write(to: URL(fileURLWithPath: dir + "/screen-events.json"))
        return dir
    }

    /// Columns a terminal gives a row (tmux's capture drops a wide character's padding cell).
    static func columns(_ row: String) -> Int {
        row.unicodeScalars.reduce(0) { w, u in
            switch u.properties.generalCategory {
            case .nonspacingMark, .enclosingMark: return w
            default: break
            }
            switch u.value {
            case 0x200B...0x200F, 0xFE00...0xFE0F: return w
            case 0x1100...0x115F, 0x2E80...0x303E, 0x3041...0x33FF, 0x3400...0x4DBF, 0x4E00...0x9FFF, 0xA000...0xA4CF,
                0xAC00...0xD7A3, 0xF900...0xFAFF, 0xFE30...0xFE4F, 0xFF00...0xFF60, 0xFFE0...0xFFE6, 0x20000...0x3FFFD:
                return w + 2
            default: return w + 1
            }
        }
    }

    static func isBox(_ c: Character?) -> Bool { c.map { $0.unicodeScalars.first!.value >= 0x2500 && $0.unicodeScalars.first!.value <= 0x257F } ?? false }

    /// Every row between the title bar and the status line spans the width exactly and begins
    /// and ends on a border; the title and status lines fit; no control is left in the styled
    /// capture but tmux's own colour and style sequences.
    func expectWhole(_ t: TmuxSession, width: Int, height: Int, _ what: String, sourceLocation: SourceLocation = #_sourceLocation) {
        let rows = t.screen().split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        #expect(rows.count >= height, "\(what): \(rows.count) rows", sourceLocation: sourceLocation)
        for (y, row) in rows.prefix(height).enumerated() {
            if y == 0 || y == height - 1 {
                #expect(Self.columns(row) <= width, "\(what): row \(y) overflows:\n\(row)", sourceLocation: sourceLocation)
                continue
            }
            #expect(Self.columns(row) == width, "\(what): row \(y) is \(Self.columns(row)) columns:\n\(row)", sourceLocation: sourceLocation)
            #expect(Self.isBox(row.first) && Self.isBox(row.last), "\(what): row \(y) lost a border:\n\(row)", sourceLocation: sourceLocation)
        }
        let styled = t.styledScreen().replacing(#/\u{1B}\[[0-9;:]*m/#, with: "")
        let controls = styled.unicodeScalars.filter { $0.value != 0x0A && ($0.value < 0x20 || (0x7F...0x9F).contains($0.value)) }
        #expect(controls.isEmpty, "\(what): controls on screen \(controls.map { $0.value })", sourceLocation: sourceLocation)
    }

    func expectTerminalUntouched(_ t: TmuxSession, title: String, _ what: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let now = try t.tmux(["display-message", "-p", "#{pane_title}"])
        #expect(now == title && !now.contains("pwned"), "\(what): pane title \(now)", sourceLocation: sourceLocation)
        #expect(try t.tmux(["list-buffers"]).isEmpty, "\(what): the clipboard was set", sourceLocation: sourceLocation)
    }

    @Test(arguments: [(80, 24), (120, 40)])
    func hostileTextIsShownSanitisedAndLeavesTheTerminalAlone(width: Int, height: Int) throws {
        let sim = try APISimulator(["--fixtures", try Self.fixtures()])
        let store = temporaryDirectory()
        // tmux takes OSC 52 from programs into its clipboard only with set-clipboard on: on from the
        // first byte, so a forged sequence would land there.
        let t = try TmuxSession(
            [binaryPath, "--api-url", sim.apiURL, "--store", store, "--min-spacing", "0"],
            env: ["TERM": "xterm-256color", "LANG": "C.UTF-8"], width: width, height: height,
            config: "set -s set-clipboard on\nset -g status off\n")
        let title = try t.tmux(["display-message", "-p", "#{pane_title}"])
        t.waitForSettled("the list", timeout: 30) { $0.contains("Latest events · \(Self.eventCount)") }
        expectWhole(t, width: width, height: height, "live list")
        try expectTerminalUntouched(t, title: title, "live list")

        // Every event's details, one after the other from the newest.
        var seen: Set<String> = []
        var details = ""
        for i in 0..<Self.eventCount {
            try t.send("Enter")
            let s = t.waitForSettled("details of event #\(i + 1)") { $0.contains("Event 99") }
            if let id = s.firstMatch(of: #/Event (99\d{4})/#)?.1 { seen.insert(String(id)) }
            details += s
            expectWhole(t, width: width, height: height, "details #\(i + 1)")
            try t.send("Escape")
            t.waitFor("details #\(i + 1) closed") { !$0.contains("Event 99") }
            try t.send("j")
        }
        #expect(seen.count == Self.eventCount, "details seen: \(seen.sorted())")
        // The controls are visible placeholders; the text around them is kept.
        for shown in ["\u{FFFD}[2J", "\u{FFFD}]8;;", "Bedrägeri\u{FFFD}[31m", "火災", "東京都", "Ska\u{0301}ne", "Omvänd txet"] {
            #expect(details.contains(shown), "details never showed \(shown)")
        }
        try expectTerminalUntouched(t, title: title, "details")

        // Replay reads the same text back from the store.
        try t.send("r")
        t.waitFor("Replay 2026-08-22", timeout: 30)
        t.waitForSettled("the replayed list") { $0.contains("19:09") }
        expectWhole(t, width: width, height: height, "replay")
        try t.send("g", "Enter")
        t.waitForSettled("replay details") { $0.contains("Event 990100") }
        expectWhole(t, width: width, height: height, "replay details")
        try expectTerminalUntouched(t, title: title, "replay")

        // The check can fail: the dashboard's own OSC 52 (y) does reach tmux's clipboard, with
        // the URL sanitised, and nothing the event text forged.
        try t.send("y")
        let deadline = Date().addingTimeInterval(10)
        while try t.tmux(["list-buffers"]).isEmpty && Date() < deadline { usleep(100_000) }
        let copied = try t.tmux(["show-buffer"])
        #expect(copied == "https://polisen.se/aktuellt/handelser/2026/augusti/22/990100/\u{FFFD}]52;c;cHduZWQ=\u{FFFD}")
        #expect(try t.tmux(["list-buffers"]).split(separator: "\n").count == 1)
        try t.send("q")
        #expect(t.exitStatus() == 0)
    }
}
