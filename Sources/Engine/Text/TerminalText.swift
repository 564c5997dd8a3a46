/// Text from the API (or from anyone who can write the store) is data: before it reaches a
/// terminal it goes through here, so that no event can move the cursor, set a title, write the
/// clipboard, reverse or hide text, or shift a column. The one sanitiser every human-readable
/// output uses; `--json` output and the stored bytes never pass through it.
public enum TerminalText {
    /// What a line break or tab inside a field becomes.
    public enum Breaks: Sendable {
        /// A space: one-line outputs (lists, log lines, replay and status text).
        case space
        /// A visible ⏎ for a line break (a tab still becomes a space): the details view, which wraps lines itself.
        case visible
    }

    /// Shown in place of a control character: visible, one column wide, never interpreted.
    public static let placeholder: Character = "\u{FFFD}"

    /// The text with every control character made harmless:
    /// - C0 controls, DEL, C1 controls (U+0080–U+009F) and ESC → U+FFFD (a CR LF pair or a
    ///   lone LF, CR, VT, FF, NEL, LS or PS → a line break per `breaks`; a tab → a space);
    /// - bidi embeddings, overrides, isolates and marks (U+061C, U+200E/F, U+202A–U+202E,
    ///   U+2066–U+2069) and zero-width or invisible format characters (U+200B–U+200D, U+2060–U+2064,
    ///   U+FEFF, U+00AD, U+180E; the deprecated format controls U+206A–U+206F, the annotation
    ///   anchors U+FFF9–U+FFFB, and tags U+E0000–U+E007F, invisible copies of ASCII) → removed,
    ///   so nothing reverses, hides or shifts text.
    public static func sanitize(_ text: String, breaks: Breaks = .space) -> String {
        // The common case, plain printable text, is returned as it is without a copy.
        if !text.unicodeScalars.contains(where: needsWork) { return text }
        var out = String.UnicodeScalarView()
        var scalars = text.unicodeScalars.makeIterator()
        var pending = scalars.next()
        while let s = pending {
            pending = scalars.next()
            switch s.value {
            case 0x09: out.append(" ")
            case 0x0D where pending?.value == 0x0A:
                continue  // CR LF: one break, made by the LF
            case 0x0A, 0x0B, 0x0C, 0x0D, 0x85, 0x2028, 0x2029:
                out.append(breaks == .visible ? "⏎" : " ")
            case 0x00...0x1F, 0x7F...0x9F:
                out.append(contentsOf: String(placeholder).unicodeScalars)
            case 0x061C, 0x200B...0x200F, 0x202A...0x202E, 0x2060...0x206F, 0xFEFF, 0x00AD, 0x180E, 0xFFF9...0xFFFB,
                0xE0000...0xE007F:
                continue
            default:
                out.append(s)
            }
        }
        return String(out)
    }

    /// Whether a scalar is one `sanitize` changes.
    @inline(__always)
    static func needsWork(_ s: Unicode.Scalar) -> Bool {
        let v = s.value
        if v < 0x20 || (v >= 0x7F && v <= 0x9F) { return true }
        if v < 0x00AD { return false }
        switch v {
        case 0x00AD, 0x061C, 0x180E, 0x200B...0x200F, 0x2028, 0x2029, 0x202A...0x202E, 0x2060...0x206F, 0xFEFF,
            0xFFF9...0xFFFB, 0xE0000...0xE007F:
            return true
        default: return false
        }
    }
}
