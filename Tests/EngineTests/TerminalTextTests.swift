import Testing

@testable import Engine

/// The one sanitiser for human-readable output (issue: event text is data, never terminal control).
@Suite struct TerminalTextTests {
    /// Every scalar a sanitised text must never hold.
    static func forbidden(_ s: Unicode.Scalar) -> Bool {
        switch s.value {
        case 0x00...0x1F, 0x7F...0x9F: return true
        case 0x061C, 0x180E, 0x00AD, 0x200B...0x200F, 0x2028...0x202E, 0x2060...0x206F, 0xFEFF, 0xFFF9...0xFFFB, 0xE0000...0xE007F:
            return true
        default: return false
        }
    }

    @Test func plainAndSwedishTextIsReturnedAsItIs() {
        for s in ["", "Rån, Malmö", "Trafikolycka — Luleå 17.59", "日本語 😀 é", "a\u{301}"] {
            #expect(TerminalText.sanitize(s) == s)
            #expect(TerminalText.sanitize(s, breaks: .visible) == s)
        }
    }

    @Test func escapeSequencesBecomeVisibleAndInert() {
        #expect(TerminalText.sanitize("a\u{1B}[2Jb") == "a\u{FFFD}[2Jb")
        // OSC 0 (title) and OSC 52 (clipboard), ended by BEL and by ST (ESC \).
        #expect(TerminalText.sanitize("\u{1B}]0;pwned\u{07}x") == "\u{FFFD}]0;pwned\u{FFFD}x")
        #expect(TerminalText.sanitize("\u{1B}]52;c;cHduZWQ=\u{1B}\\") == "\u{FFFD}]52;c;cHduZWQ=\u{FFFD}\\")
        // C1 CSI, OSC and ST.
        #expect(TerminalText.sanitize("\u{9B}2J\u{9D}0;t\u{9C}") == "\u{FFFD}2J\u{FFFD}0;t\u{FFFD}")
    }

    @Test func everyC0ControlDelAndC1IsAPlaceholderExceptLineBreaksAndTab() {
        for v in Array(0x00...0x1F) + Array(0x7F...0x9F) {
            let s = String(Unicode.Scalar(UInt32(v))!)
            let out = TerminalText.sanitize("a" + s + "b")
            switch v {
            case 0x09, 0x0A, 0x0B, 0x0C, 0x0D, 0x85: #expect(out == "a b", "U+\(String(v, radix: 16))")
            default: #expect(out == "a\u{FFFD}b", "U+\(String(v, radix: 16))")
            }
        }
    }

    @Test func lineBreaksAreSpacesOrVisibleInTheDetailsView() {
        let text = "one\ntwo\r\nthree\rfour\u{2028}five\u{2029}six\u{85}seven\tend"
        #expect(TerminalText.sanitize(text) == "one two three four five six seven end")
        #expect(TerminalText.sanitize(text, breaks: .visible) == "one⏎two⏎three⏎four⏎five⏎six⏎seven end")
        // A forged log line cannot start a line of its own.
        #expect(!TerminalText.sanitize("x\n2026-08-22T17:07:00Z error polisen-dash: forged").contains("\n"))
    }

    @Test func bidiControlsAndZeroWidthCharactersAreRemoved() {
        #expect(TerminalText.sanitize("a\u{202E}txet\u{202C}b") == "atxetb")
        #expect(TerminalText.sanitize("\u{2066}a\u{2069}\u{2067}b\u{2069}\u{2068}c\u{2069}") == "abc")
        #expect(TerminalText.sanitize("\u{202A}\u{202B}\u{202D}x\u{200E}\u{200F}\u{061C}") == "x")
        #expect(TerminalText.sanitize("n\u{200B}o\u{200C}l\u{200D}l\u{FEFF}\u{2060}\u{00AD}") == "noll")
        // Tags (invisible ASCII copies), deprecated format controls and annotation anchors.
        #expect(TerminalText.sanitize("x\u{E0001}\u{E0070}\u{E0077}\u{E007F}y") == "xy")
        #expect(TerminalText.sanitize("x\u{206A}\u{206F}\u{FFF9}\u{FFFB}y") == "xy")
    }

    @Test func noForbiddenScalarSurvivesAnyInput() {
        // Every scalar of the ranges that matter, each alone and between letters.
        var all = String.UnicodeScalarView()
        for v in UInt32(0)...0x3000 { if let s = Unicode.Scalar(v) { all.append(s) } }
        for v in [0xFEFF, 0xFFF9, 0xFFFA, 0xFFFB, 0xE0001, 0xE0041, 0xE007F] as [UInt32] { all.append(Unicode.Scalar(v)!) }
        let out = TerminalText.sanitize(String(all))
        #expect(!out.unicodeScalars.contains(where: Self.forbidden))
        #expect(!TerminalText.sanitize(String(all), breaks: .visible).unicodeScalars.contains(where: Self.forbidden))
        // Printable text around the controls is kept.
        #expect(out.contains("ABC") && out.contains("äå"))
    }

    @Test func aLongHostileStringIsHandledWhole() {
        let piece = "åäö\u{1B}[2J" + String(repeating: "x", count: 40) + "\u{202E}"
        let long = String(repeating: piece, count: 4_100)  // about 200 KB
        let out = TerminalText.sanitize(long)
        #expect(!out.unicodeScalars.contains(where: Self.forbidden))
        #expect(out.count == long.count - 4_100)  // the RLOs removed, the rest kept one for one
    }
}
