import Foundation
import Testing

@testable import Engine
@testable import TUI

/// Hostile event text on the dashboard: nothing it holds reaches a cell as a control, bidi or
/// zero-width character, and no row loses a border.
@Suite struct HostileTextRenderTests {
    static let hostile: [PoliceEvent] = {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fixtures/hostile/hostile-events.json")
        return try! JSONDecoder().decode([PoliceEvent].self, from: Data(contentsOf: url)).sortedNewestFirst()
    }()

    static func forbidden(_ s: Unicode.Scalar) -> Bool {
        switch s.value {
        case 0x00...0x1F, 0x7F...0x9F, 0x061C, 0x180E, 0x00AD, 0x200B...0x200F, 0x2028...0x202E, 0x2060...0x206F, 0xFEFF,
            0xFFF9...0xFFFB, 0xE0000...0xE007F:
            return true
        default: return false
        }
    }

    func hostileState(width: Int, height: Int) -> DashboardState {
        var s = state(width: width, height: height)
        s.events = (Self.hostile + fixtureEvents()).sortedNewestFirst()
        return s
    }

    /// Every cell clean, and every pane's left and right border on every row it spans.
    func expectWhole(_ buf: CellBuffer, _ what: String) {
        for (i, cell) in buf.cells.enumerated() where cell.text.unicodeScalars.contains(where: Self.forbidden) {
            Issue.record(
                "\(what): cell \(i % buf.width),\(i / buf.width) holds \(cell.text.unicodeScalars.map { String($0.value, radix: 16) })")
        }
        let layout = DashboardLayout.compute(width: buf.width, height: buf.height)!
        for pane in [layout.events, layout.latency, layout.headroom, layout.failures] + (layout.counts.map { [$0] } ?? []) {
            for y in pane.y..<pane.maxY {
                let left = buf[pane.x, y].text
                let right = buf[pane.maxX - 1, y].text
                #expect(["│", "┌", "└", "├"].contains(left), "\(what): row \(y) left border \(left)")
                #expect(["│", "┐", "┘", "┤"].contains(right), "\(what): row \(y) right border \(right)")
            }
        }
    }

    @Test(arguments: [(120, 40), (80, 24), (200, 60)])
    func theListKeepsEveryBorderAndNoControlReachesACell(width: Int, height: Int) {
        let s = hostileState(width: width, height: height)
        let buf = render(s)
        expectWhole(buf, "\(width)x\(height)")
        // The hostile events are on screen, their controls shown as placeholders.
        #expect(buf.text.contains("22 augusti 13.03, Brand\u{FFFD}"))
        #expect(buf.text.contains("22 augusti 15.05, Larm"))
    }

    @Test(arguments: [(120, 40), (80, 24)])
    func everyHostileEventsDetailsStayWholeAndShowLineBreaks(width: Int, height: Int) {
        var s = hostileState(width: width, height: height)
        s.detailOpen = true
        var shown = 0
        for (i, e) in s.visibleEvents.enumerated() where Self.hostile.contains(where: { $0.id == e.id }) {
            s.selected = i
            expectWhole(render(s), "\(width)x\(height) details of \(e.id)")
            shown += 1
        }
        #expect(shown == Self.hostile.count)
    }

    @Test func theDetailsViewShowsALineBreakAsAVisibleMark() throws {
        var s = hostileState(width: 120, height: 40)
        s.detailOpen = true
        s.selected = try #require(s.visibleEvents.firstIndex { $0.id == 990007 })
        let text = render(s).text
        // A newline, a tab and a CR LF: ⏎, a space, one ⏎ (the view wraps the rest itself).
        #expect(text.contains("Rad ett⏎2026-08-22T17:07:00+0000 error polisen-dash:"))
        #expect(text.contains("loggrad⏎ indragen⏎sista."))
    }

    @Test func theCellBufferItselfRefusesControlsWhateverAPanePasses() {
        var buf = CellBuffer(width: 40, height: 1)
        let used = buf.put("a\u{1B}]0;t\u{07}\u{9B}2J\u{202E}b\u{200B}c\u{FEFF}\n\u{7F}", x: 0, y: 0)
        #expect(buf.lines[0].hasPrefix("a\u{FFFD}]0;t\u{FFFD}\u{FFFD}2Jbc \u{FFFD}"))
        #expect(used == 14)
        #expect(!buf.cells.contains { $0.text.unicodeScalars.contains(where: Self.forbidden) })
    }

    @Test func wrapKeepsEveryLineWithinItsWidthAlsoForOneHugeWord() {
        let huge = String(repeating: "åäö日本x", count: 40_000)
        let lines = wrap("Lång: " + huge, 57)
        #expect(lines.allSatisfy { displayWidth($0) <= 57 })
        #expect(lines.joined().count == ("Lång:" + huge).count)
    }
}
