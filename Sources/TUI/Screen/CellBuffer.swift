import Engine

/// What a widget draws into: a grid of cells with styles. Only the terminal backend turns a
/// buffer into terminal output; tests read it back as text.
public enum Color: Sendable, Hashable {
    case black, red, green, yellow, blue, magenta, cyan, white, gray
}

public struct Style: Sendable, Hashable {
    public var fg: Color?
    public var bg: Color?
    public var bold = false
    public var dim = false
    public var reverse = false
    public var underline = false

    public init(fg: Color? = nil, bg: Color? = nil, bold: Bool = false, dim: Bool = false, reverse: Bool = false, underline: Bool = false) {
        self.fg = fg
        self.bg = bg
        self.bold = bold
        self.dim = dim
        self.reverse = reverse
        self.underline = underline
    }

    public static let plain = Style()
}

public struct Cell: Sendable, Hashable {
    /// The character shown; "" for the second column of a wide character.
    public var text: String
    public var style: Style
    public static let blank = Cell(text: " ", style: .plain)
}

public struct Rect: Sendable, Hashable {
    public var x, y, width, height: Int
    public init(x: Int, y: Int, width: Int, height: Int) {
        self.x = x
        self.y = y
        self.width = max(0, width)
        self.height = max(0, height)
    }
    public var maxX: Int { x + width }
    public var maxY: Int { y + height }
    public func inset(_ n: Int) -> Rect { Rect(x: x + n, y: y + n, width: width - 2 * n, height: height - 2 * n) }
}

public struct CellBuffer: Sendable, Equatable {
    public let width: Int
    public let height: Int
    public private(set) var cells: [Cell]

    public init(width: Int, height: Int) {
        self.width = max(0, width)
        self.height = max(0, height)
        cells = Array(repeating: .blank, count: self.width * self.height)
    }

    public subscript(x: Int, y: Int) -> Cell {
        get { cells[y * width + x] }
        set { if x >= 0 && y >= 0 && x < width && y < height { cells[y * width + x] = newValue } }
    }

    /// Writes text from (x, y), clipped to `maxWidth` columns (and the buffer). Returns the
    /// columns used. Wide characters take two cells; one that does not fit is not drawn.
    /// The last line of defence against hostile text: whatever a pane passes, no control,
    /// bidi or zero-width character ever lands in a cell (see `TerminalText.sanitize`), so
    /// none can reach the terminal or shift a border.
    @discardableResult
    public mutating func put(_ text: String, x: Int, y: Int, style: Style = .plain, maxWidth: Int? = nil) -> Int {
        guard y >= 0 && y < height else { return 0 }
        let limit = min(width, x + (maxWidth ?? width))
        var col = x
        for ch in TerminalText.sanitize(text) {
            let w = displayWidth(ch)
            if w == 0 { continue }
            if col + w > limit { break }
            if col >= 0 {
                self[col, y] = Cell(text: ch == "\t" ? " " : String(ch), style: style)
                if w == 2 { self[col + 1, y] = Cell(text: "", style: style) }
            }
            col += w
        }
        return col - x
    }

    public mutating func fill(_ rect: Rect, style: Style = .plain, char: String = " ") {
        for y in rect.y..<min(rect.maxY, height) where y >= 0 {
            for x in rect.x..<min(rect.maxX, width) where x >= 0 { self[x, y] = Cell(text: char, style: style) }
        }
    }

    /// Applies a style to cells already drawn (a selection highlight).
    public mutating func restyle(_ rect: Rect, _ change: (inout Style) -> Void) {
        for y in rect.y..<min(rect.maxY, height) where y >= 0 {
            for x in rect.x..<min(rect.maxX, width) where x >= 0 { change(&cells[y * width + x].style) }
        }
    }

    /// A box-drawn border with a title.
    public mutating func box(_ r: Rect, title: String, style: Style = Style(fg: .gray), titleStyle: Style = Style(bold: true)) {
        guard r.width >= 2 && r.height >= 2 else { return }
        for x in (r.x + 1)..<(r.maxX - 1) {
            self[x, r.y] = Cell(text: "─", style: style)
            self[x, r.maxY - 1] = Cell(text: "─", style: style)
        }
        for y in (r.y + 1)..<(r.maxY - 1) {
            self[r.x, y] = Cell(text: "│", style: style)
            self[r.maxX - 1, y] = Cell(text: "│", style: style)
        }
        self[r.x, r.y] = Cell(text: "┌", style: style)
        self[r.maxX - 1, r.y] = Cell(text: "┐", style: style)
        self[r.x, r.maxY - 1] = Cell(text: "└", style: style)
        self[r.maxX - 1, r.maxY - 1] = Cell(text: "┘", style: style)
        if !title.isEmpty { put(" \(title) ", x: r.x + 2, y: r.y, style: titleStyle, maxWidth: r.width - 4) }
    }

    /// The buffer as text, one string per row (trailing spaces kept): what tests assert on.
    public var lines: [String] {
        (0..<height).map { y in (0..<width).map { self[$0, y].text }.joined() }
    }

    public var text: String { lines.joined(separator: "\n") }
}

/// Terminal columns a character takes: 0 for combining marks, 2 for East Asian wide and
/// emoji, else 1. (The C library's wcwidth depends on the locale; this does not.)
public func displayWidth(_ ch: Character) -> Int {
    guard let s = ch.unicodeScalars.first else { return 0 }
    let v = s.value
    if v < 0x20 { return v == 0x09 ? 1 : 0 }
    if v < 0x300 { return 1 }
    switch v {
    case 0x300...0x36F, 0x200B...0x200F, 0xFE00...0xFE0F: return 0
    case 0x1100...0x115F, 0x2E80...0x303E, 0x3041...0x33FF, 0x3400...0x4DBF, 0x4E00...0x9FFF, 0xA000...0xA4CF,
        0xAC00...0xD7A3, 0xF900...0xFAFF, 0xFE30...0xFE4F, 0xFF00...0xFF60, 0xFFE0...0xFFE6,
        0x1F300...0x1F64F, 0x1F900...0x1F9FF, 0x20000...0x3FFFD:
        return 2
    default: return 1
    }
}

public func displayWidth(_ s: String) -> Int { s.reduce(0) { $0 + displayWidth($1) } }

/// Cuts text to `width` columns, ending with "…" when cut.
public func truncate(_ s: String, _ width: Int) -> String {
    guard width > 0 else { return "" }
    if displayWidth(s) <= width { return s }
    var out = ""
    var used = 0
    for ch in s {
        let w = displayWidth(ch)
        if used + w > width - 1 { break }
        out.append(ch)
        used += w
    }
    return out + "…"
}

/// Word-wraps text into lines of at most `width` columns; a word longer than a line is cut
/// (by columns, so wide characters count twice). Linear in the text: a 200 KB summary
/// without a space wraps as fast as prose.
public func wrap(_ s: String, _ width: Int) -> [String] {
    guard width > 0 else { return [] }
    var lines: [String] = []
    var line = ""
    var lineWidth = 0
    for word in s.split(separator: " ", omittingEmptySubsequences: true) {
        let w = displayWidth(String(word))
        if !line.isEmpty && lineWidth + 1 + w <= width {
            line += " " + word
            lineWidth += 1 + w
            continue
        }
        if !line.isEmpty {
            lines.append(line)
            line = ""
            lineWidth = 0
        }
        if w <= width {
            line = String(word)
            lineWidth = w
            continue
        }
        for ch in word {
            let cw = displayWidth(ch)
            if lineWidth + cw > width {
                lines.append(line)
                line = ""
                lineWidth = 0
            }
            line.append(ch)
            lineWidth += cw
        }
    }
    if !line.isEmpty { lines.append(line) }
    return lines
}
