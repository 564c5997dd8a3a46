import CNcursesw

#if canImport(Glibc)
    import Glibc
#endif

/// The terminal backend: the only code that calls ncurses. Call it from one thread only.
final class NcursesTerminal {
    private var previous: CellBuffer?
    private var pairs: [Int: Int16] = [:]
    private let useColor: Bool
    private var grayIndex: Int16 = 7

    init(noColor: Bool) {
        // The locale comes from the environment; without a UTF-8 one (LANG unset) ncurses
        // would mangle å, ä and ö, so fall back to C.UTF-8 for the character type.
        setlocale(LC_ALL, "")
        if let codeset = nl_langinfo(nl_item(CODESET)), String(cString: codeset) != "UTF-8" {
            setlocale(LC_CTYPE, "C.UTF-8")
        }
        initscr()
        cbreak()
        noecho()
        nonl()
        keypad(pd_stdscr(), true)
        curs_set(0)
        set_escdelay(25)
        timeout(100)
        useColor = !noColor && has_colors()
        if useColor {
            start_color()
            use_default_colors()
            grayIndex = pd_colors() >= 16 ? 8 : 7
        }
        NcursesTerminal.installCrashRestore()
    }

    var size: (width: Int, height: Int) { (Int(pd_cols()), Int(pd_lines())) }

    func stop() {
        endwin()
    }

    /// A key, a resize, or nil after the 100 ms timeout.
    func readKey() -> (key: Key?, resized: Bool) {
        var ch: wint_t = 0
        let r = pd_get_wch(&ch)
        if r == pd_err() { return (nil, false) }
        let code = Int32(ch)
        if r == pd_key_code_yes() {
            switch code {
            case pd_key_resize():
                previous = nil
                return (nil, true)
            case KEY_UP: return (.up, false)
            case KEY_DOWN: return (.down, false)
            case KEY_LEFT: return (.left, false)
            case KEY_RIGHT: return (.right, false)
            case KEY_PPAGE: return (.pageUp, false)
            case KEY_NPAGE: return (.pageDown, false)
            case KEY_HOME: return (.home, false)
            case KEY_END: return (.end, false)
            case KEY_ENTER: return (.enter, false)
            case KEY_BACKSPACE: return (.backspace, false)
            default: return (nil, false)
            }
        }
        switch code {
        case 10, 13: return (.enter, false)
        case 27: return (.escape, false)
        case 9: return (.tab, false)
        case 8, 127: return (.backspace, false)
        default:
            guard let scalar = Unicode.Scalar(UInt32(ch)), code >= 32 else { return (nil, false) }
            return (.char(Character(scalar)), false)
        }
    }

    /// Rings the terminal's bell (a watch rule's match arrived).
    func bell() { beep() }

    /// Writes a sequence the terminal interprets itself (OSC 52), after the frame.
    func writeRaw(_ sequence: String) {
        // ncurses has flushed its frame by now; the sequence goes straight to the terminal.
        var bytes = Array(sequence.utf8)
        var offset = 0
        while offset < bytes.count {
            let n = bytes.withUnsafeMutableBytes { Glibc.write(1, $0.baseAddress! + offset, $0.count - offset) }
            if n <= 0 { break }
            offset += n
        }
    }

    /// Draws only the cells that changed since the last frame.
    func draw(_ frame: CellBuffer) {
        let full = previous == nil || previous!.width != frame.width || previous!.height != frame.height
        if full { clear() }
        for y in 0..<frame.height {
            for x in 0..<frame.width {
                let cell = frame[x, y]
                if !full, let p = previous, p[x, y] == cell { continue }
                if cell.text.isEmpty { continue }  // the right half of a wide character
                // The whole cluster: a decomposed "a\u{30A}" is å, not a.
                let cluster = cell.text.unicodeScalars.map { wchar_t(bitPattern: $0.value) }
                _ = cluster.withUnsafeBufferPointer {
                    pd_put_cluster(Int32(y), Int32(x), $0.baseAddress, Int32($0.count), attributes(cell.style), pair(cell.style))
                }
            }
        }
        previous = frame
        refresh()
    }

    private func attributes(_ s: Style) -> attr_t {
        var a = pd_a_normal()
        if s.bold { a |= pd_a_bold() }
        if s.dim { a |= pd_a_dim() }
        if s.reverse { a |= pd_a_reverse() }
        if s.underline { a |= pd_a_underline() }
        return a
    }

    private func index(_ c: Color?) -> Int16 {
        switch c {
        case nil: return -1
        case .black: return Int16(COLOR_BLACK)
        case .red: return Int16(COLOR_RED)
        case .green: return Int16(COLOR_GREEN)
        case .yellow: return Int16(COLOR_YELLOW)
        case .blue: return Int16(COLOR_BLUE)
        case .magenta: return Int16(COLOR_MAGENTA)
        case .cyan: return Int16(COLOR_CYAN)
        case .white: return Int16(COLOR_WHITE)
        case .gray: return grayIndex
        }
    }

    private func pair(_ s: Style) -> Int16 {
        guard useColor, s.fg != nil || s.bg != nil else { return 0 }
        let fg = index(s.fg)
        let bg = index(s.bg)
        let key = Int(fg + 1) * 64 + Int(bg + 1)
        if let p = pairs[key] { return p }
        let n = Int16(pairs.count + 1)
        guard Int32(n) < pd_color_pairs() else { return 0 }
        init_pair(n, fg, bg)
        pairs[key] = n
        return n
    }

    /// A crash (a trap, a bad access) must not leave the terminal in raw mode.
    private static func installCrashRestore() {
        for sig in [SIGILL, SIGTRAP, SIGSEGV, SIGBUS, SIGABRT, SIGFPE] {
            signal(sig) { s in
                endwin()
                signal(s, SIG_DFL)
                raise(s)
            }
        }
    }
}
