/// A key press, as the backend decodes it.
public enum Key: Sendable, Hashable {
    case char(Character)
    case up, down, left, right, pageUp, pageDown, home, end
    case enter, escape, tab, backspace
}

/// What a key asks for.
public enum Intent: Sendable, Hashable {
    case pollNow, replay, filter, focusNext, up, down, pageUp, pageDown, top, bottom
    case open, back, previousDay, nextDay, jumpToDate, counts, matchesOnly, openURL, copyURL, reset404, help, quit
}

public struct KeyBinding: Sendable {
    /// Where a binding's hint appears in the status bar.
    public enum Hint: Sendable, Equatable { case none, live, replay, both }

    public var keys: [Key]
    /// How the keys are written in the help overlay.
    public var label: String
    public var help: String
    /// A shorter help text (at most 30 columns) for a narrow help overlay.
    public var brief: String? = nil
    public var intent: Intent
    /// The status bar's short form ("p poll"), when it has one.
    public var hint: String? = nil
    public var shown: Hint = .none
}

/// The one table that the input handler, the help overlay and the status bar's hints read.
public enum KeyTable {
    public static let bindings: [KeyBinding] = [
        KeyBinding(keys: [.char("p")], label: "p", help: "poll now (within the rate budget)", brief: "poll now (within the budget)", intent: .pollNow, hint: "poll", shown: .live),
        KeyBinding(
            keys: [.char("r")], label: "r", help: "replay stored days / back to live", brief: "replay stored days / live", intent: .replay, hint: "replay", shown: .live),
        KeyBinding(
            keys: [.char("/")], label: "/", help: "filter: words, type:WORD, place:WORD", brief: "filter: words, type:, place:", intent: .filter, hint: "filter", shown: .both),
        KeyBinding(
            keys: [.char("c")], label: "c", help: "counts: per hour, per day, top types and counties", brief: "counts per hour, day, type", intent: .counts, hint: "counts",
            shown: .both),
        KeyBinding(keys: [.char("m")], label: "m", help: "list only the watch rules' matches / all", brief: "only watch rule matches / all", intent: .matchesOnly),
        KeyBinding(keys: [.tab], label: "Tab", help: "move focus to the next pane", intent: .focusNext),
        KeyBinding(keys: [.up, .char("k")], label: "↑ k", help: "move up", intent: .up),
        KeyBinding(keys: [.down, .char("j")], label: "↓ j", help: "move down", intent: .down),
        KeyBinding(keys: [.pageUp], label: "PgUp", help: "page up", intent: .pageUp),
        KeyBinding(keys: [.pageDown], label: "PgDn", help: "page down", intent: .pageDown),
        KeyBinding(keys: [.char("g"), .home], label: "g Home", help: "first: the newest event (the list then follows it)", brief: "newest event (list follows)", intent: .top),
        KeyBinding(keys: [.char("G"), .end], label: "G End", help: "last", intent: .bottom),
        KeyBinding(keys: [.enter], label: "Enter", help: "open the event's or the failure's details", brief: "details of event or failure", intent: .open),
        KeyBinding(
            keys: [.escape], label: "Esc", help: "back: close details, help, filter or replay", brief: "back (details, filter, replay)", intent: .back, hint: "live", shown: .replay),
        KeyBinding(keys: [.char("o")], label: "o", help: "open the event's page in a browser", brief: "open the event's page", intent: .openURL),
        KeyBinding(keys: [.char("y")], label: "y", help: "copy the event's URL to the clipboard (OSC 52)", brief: "copy the URL (OSC 52)", intent: .copyURL),
        KeyBinding(
            keys: [.left, .char("h")], label: "← h", help: "replay: previous day", intent: .previousDay, hint: "←→ day", shown: .replay),
        KeyBinding(keys: [.right, .char("l")], label: "→ l", help: "replay: next day", intent: .nextDay),
        KeyBinding(
            keys: [.char("d")], label: "d", help: "replay: jump to a date (YYYY-MM-DD)", brief: "replay: go to date YYYY-MM-DD", intent: .jumpToDate, hint: "date", shown: .replay),
        KeyBinding(keys: [.char("R")], label: "R", help: "reset a 404 stop (asks first)", intent: .reset404),
        KeyBinding(keys: [.char("?")], label: "?", help: "this help", intent: .help, hint: "help", shown: .both),
        KeyBinding(keys: [.char("q")], label: "q", help: "quit", intent: .quit, hint: "quit", shown: .both),
    ]

    private static let byKey: [Key: Intent] = {
        var map: [Key: Intent] = [:]
        for b in bindings { for k in b.keys { map[k] = b.intent } }
        return map
    }()

    public static func intent(for key: Key) -> Intent? { byKey[key] }

    /// The status bar's hints for live or replay: the mode's own first, then the common
    /// ones, each group in table order: "p poll  r replay  / filter  …  ? help  q quit".
    public static func hints(replay: Bool) -> [String] {
        let own = bindings.filter { $0.hint != nil && $0.shown == (replay ? .replay : .live) }
        let common = bindings.filter { $0.hint != nil && $0.shown == .both }
        return (own + common).map { b in
            // "←→ day" names its keys itself.
            b.hint!.hasPrefix("←") ? b.hint! : "\(b.label.split(separator: " ").first!) \(b.hint!)"
        }
    }
}
