import Engine

/// The bottom line: a prompt, a question, a key's answer, or the health of the archive
/// (a failed last cycle in the alert colour; the last success and the next try always),
/// with key hints from the key table on the right.
struct StatusLine {
    let state: DashboardState
    let theme: Theme

    func draw(_ buf: inout CellBuffer, _ r: Rect) {
        let s = state
        buf.fill(r, style: theme.status)
        if let prompt = s.prompt {
            let label = prompt == .filter ? "filter (words, type:…, place:…): " : "jump to date (YYYY-MM-DD): "
            let help = " Enter accepts · Esc clears "
            let x = buf.put(" " + label, x: 0, y: r.y, style: theme.status)
            let room = r.width - x - displayWidth(help)
            buf.put(truncateFront(TerminalText.sanitize(s.promptText) + "█", room), x: x, y: r.y, style: theme.status)
            buf.put(help, x: r.width - displayWidth(help), y: r.y, style: theme.status)
            return
        }
        if s.confirmation == .reset404 {
            buf.fill(r, style: theme.alertLine)
            buf.put(
                truncate(" reset the 404 stop and let polling resume? y yes · any other key no", r.width), x: 0, y: r.y,
                style: theme.alertLine)
            return
        }
        // A key's answer takes the room of all hints but help and quit.
        let hints = hintText(width: s.flash == nil ? r.width : 0)
        let room = r.width - displayWidth(hints) - 1
        var (text, style) = message()
        if displayWidth(text) > room, let cut = text.ranges(of: " · store ").last {
            text = String(text[..<cut.lowerBound]) + " "
        }
        if displayWidth(text) > room, s.flash == nil, s.phase.isStopped {
            text = " ● STOPPED by a 404: R resets it "
        }
        if style != theme.status { buf.fill(Rect(x: 0, y: r.y, width: room + 1, height: 1), style: style) }
        buf.put(truncate(text, room), x: 0, y: r.y, style: style)
        buf.put(hints, x: r.width - displayWidth(hints), y: r.y, style: theme.status)
    }

    /// What the left part says, and in which style.
    private func message() -> (String, Style) {
        let s = state
        if let f = s.flash {
            let style = f.tone == .alert ? theme.alertLine : f.tone == .warn ? theme.warnLine : theme.status
            let room = state.width - displayWidth(hintText(width: 0)) - 1
            return (" " + fit([f.text, f.short].compactMap { $0 }, room - 2) + " ", style)
        }
        var parts: [String] = []
        let style: Style
        if case .idle = s.phase, let failed = s.failedLastCycle {
            parts.append("✖ last cycle failed \(clockTime(failed.startedAt)): \(DashboardState.shortReason(failed.error))")
            style = theme.alertLine
        } else {
            let (phase, alert) = phaseText(s)
            parts.append("● " + phase)
            style = alert ? theme.warnLine : theme.status
        }
        // The last success and the next try are in the title bar; the store when it fits.
        parts.append("store \(s.storeLocation)")
        return (" " + parts.joined(separator: " · ") + " ", style)
    }

    /// The key table's hints in its order, as many as fit in two fifths of the line (help and
    /// quit always).
    private func hintText(width: Int) -> String {
        let all = KeyTable.hints(replay: state.replay != nil)
        let last = Array(all.suffix(2))
        var chosen: [String] = []
        for hint in all.dropLast(2) {
            if displayWidth((chosen + [hint] + last).joined(separator: "  ")) + 1 > (width == 0 ? 0 : max(width * 2 / 5, 34)) { break }
            chosen.append(hint)
        }
        return (chosen + last).joined(separator: "  ") + " "
    }
}

func phaseText(_ s: DashboardState) -> (String, Bool) {
    switch s.phase {
    case .idle: return ("idle", false)
    case .waitingForBudget(let until): return ("waiting for the rate budget (\(countdown(until - s.now)))", true)
    case .fetching(let attempt): return (attempt > 1 ? "fetching (attempt \(attempt))" : "fetching", false)
    case .backingOff(let until): return ("backing off: retry in \(countdown(until - s.now))", true)
    case .processing: return ("processing", false)
    case .saving: return ("saving", false)
    case .updatingMetadata: return ("updating metadata", false)
    case .stopped: return ("STOPPED by a 404: R (or polisen-dash reset-404) clears it", true)
    }
}

/// Keeps the end of a text that is too long (a prompt shows where one types).
func truncateFront(_ s: String, _ width: Int) -> String {
    guard width > 0 else { return "" }
    if displayWidth(s) <= width { return s }
    var out: [Character] = []
    var used = 0
    for ch in s.reversed() {
        let w = displayWidth(ch)
        if used + w > width - 1 { break }
        out.append(ch)
        used += w
    }
    return "…" + String(out.reversed())
}
