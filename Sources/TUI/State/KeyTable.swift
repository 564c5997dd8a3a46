/// A key press, as the backend decodes it.
public enum Key: Sendable, Hashable {
    case char(Character)
    case up, down, left, right, pageUp, pageDown, home, end
    case enter, escape, tab, backspace
}

/// What a key asks for.
public enum Intent: Sendable, Hashable {
    case pollNow, replay, filter, focusNext, up, down, pageUp, pageDown, top, bottom
    case open, back, previousDay, nextDay, jumpToDate, help, quit
}

public struct KeyBinding: Sendable {
    public var keys: [Key]
    /// How the keys are written in the help overlay.
    public var label: String
    public var help: String
    public var intent: Intent
}

/// The one table that both the input handler and the help overlay read.
public enum KeyTable {
    public static let bindings: [KeyBinding] = [
        KeyBinding(keys: [.char("p")], label: "p", help: "poll now (within the rate budget)", intent: .pollNow),
        KeyBinding(keys: [.char("r")], label: "r", help: "replay stored days / back to live", intent: .replay),
        KeyBinding(keys: [.char("/")], label: "/", help: "filter: words, type:WORD, place:WORD", intent: .filter),
        KeyBinding(keys: [.tab], label: "Tab", help: "move focus to the next pane", intent: .focusNext),
        KeyBinding(keys: [.up, .char("k")], label: "↑ k", help: "move up", intent: .up),
        KeyBinding(keys: [.down, .char("j")], label: "↓ j", help: "move down", intent: .down),
        KeyBinding(keys: [.pageUp], label: "PgUp", help: "page up", intent: .pageUp),
        KeyBinding(keys: [.pageDown], label: "PgDn", help: "page down", intent: .pageDown),
        KeyBinding(keys: [.char("g"), .home], label: "g Home", help: "first", intent: .top),
        KeyBinding(keys: [.char("G"), .end], label: "G End", help: "last", intent: .bottom),
        KeyBinding(keys: [.enter], label: "Enter", help: "open the event's details", intent: .open),
        KeyBinding(keys: [.escape], label: "Esc", help: "back: close details, help, filter or replay", intent: .back),
        KeyBinding(keys: [.left, .char("h")], label: "← h", help: "replay: previous day", intent: .previousDay),
        KeyBinding(keys: [.right, .char("l")], label: "→ l", help: "replay: next day", intent: .nextDay),
        KeyBinding(keys: [.char("d")], label: "d", help: "replay: jump to a date (YYYY-MM-DD)", intent: .jumpToDate),
        KeyBinding(keys: [.char("?")], label: "?", help: "this help", intent: .help),
        KeyBinding(keys: [.char("q")], label: "q", help: "quit", intent: .quit),
    ]

    private static let byKey: [Key: Intent] = {
        var map: [Key: Intent] = [:]
        for b in bindings { for k in b.keys { map[k] = b.intent } }
        return map
    }()

    public static func intent(for key: Key) -> Intent? { byKey[key] }
}
