import Engine

/// The dashboard's styles; with NO_COLOR every colour is dropped and only bold, dim and
/// reverse remain.
public struct Theme: Sendable {
    public var noColor: Bool

    func c(_ s: Style) -> Style {
        guard noColor else { return s }
        var t = s
        t.fg = nil
        t.bg = nil
        return t
    }

    var title: Style { c(Style(fg: .black, bg: .cyan, bold: true)) }
    var titleAlert: Style { c(Style(fg: .red, bg: .cyan, bold: true)) }
    var demoBadge: Style { c(Style(fg: .black, bg: .yellow, bold: true)) }
    var replayBadge: Style { c(Style(fg: .black, bg: .magenta, bold: true)) }
    var border: Style { c(Style(fg: .gray)) }
    var focusedBorder: Style { c(Style(fg: .cyan, bold: true)) }
    var paneTitle: Style { c(Style(bold: true)) }
    var dim: Style { c(Style(fg: .gray, dim: noColor)) }
    var new: Style { c(Style(fg: .green, bold: true)) }
    var ok: Style { c(Style(fg: .green)) }
    var warn: Style { c(Style(fg: .yellow, bold: true)) }
    var error: Style { c(Style(fg: .red, bold: true)) }
    var selected: Style { Style(reverse: true) }
    var bar: Style { c(Style(fg: .green)) }
    var barEmpty: Style { c(Style(fg: .gray)) }
    var status: Style { c(Style(fg: .white, bg: .blue)) }
    var key: Style { c(Style(fg: .yellow, bold: true)) }
    /// The status line when something failed or was refused: unmistakable, also without colour.
    var alertLine: Style { noColor ? Style(bold: true, reverse: true) : Style(fg: .white, bg: .red, bold: true) }
    var warnLine: Style { c(Style(fg: .yellow, bg: .blue, bold: true)) }
    /// The waits between attempts, apart from the work.
    var wait: Style { c(Style(fg: .gray, dim: true)) }
    var separator: Style { c(Style(fg: .cyan)) }
    /// Watch rules' colours, by the rule's colour index.
    func watch(_ index: Int) -> Style {
        let colours: [Color] = [.magenta, .cyan, .yellow, .green, .blue, .red]
        return c(Style(fg: colours[((index % colours.count) + colours.count) % colours.count], bold: true))
    }
    /// Fetch phases: DNS, connect, TLS, request.
    var phases: [Style] { [c(Style(fg: .magenta)), c(Style(fg: .blue)), c(Style(fg: .cyan)), c(Style(fg: .green))] }
}

/// `█████░░░` for a fraction, exactly `width` columns.
func meter(_ fraction: Double, width: Int) -> (full: Int, empty: Int) {
    let f = fraction.isFinite ? min(max(fraction, 0), 1) : 0
    let full = Int((f * Double(width)).rounded())
    return (full, width - full)
}

/// `HH:MM:SS` Stockholm time.
func clockTime(_ t: Double) -> String {
    let local = Int64(t) + Int64(StockholmCalendar.offsetMinutes(at: Int64(t)) * 60)
    let secs = Int(((local % 86_400) + 86_400) % 86_400)
    return "\(two(secs / 3600)):\(two(secs % 3600 / 60)):\(two(secs % 60))"
}

func two(_ n: Int) -> String { n < 10 ? "0\(n)" : "\(n)" }
