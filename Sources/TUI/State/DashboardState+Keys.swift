import Engine

/// Keys: every key answers, also when it refuses (the answer goes to the status line).
extension DashboardState {
    mutating func handle(_ key: Key) -> [DashboardEffect] {
        if let prompt { return edit(prompt, key) }
        if let confirmation { return confirm(confirmation, key) }
        guard let intent = KeyTable.intent(for: key) else {
            say("\(describe(key)) does nothing here: ? lists the keys", .info)
            return []
        }
        if helpOpen {
            // Any key closes the overlay; q still quits.
            if intent == .quit {
                quitting = true
                return [.quit]
            }
            helpOpen = false
            return []
        }
        let count = visibleEvents.count
        let page = max(1, DashboardLayout.compute(width: width, height: height).map { $0.events.height - 3 } ?? 10)
        switch intent {
        case .quit:
            quitting = true
            return [.quit]
        case .help: helpOpen = true
        case .pollNow: return pollNow()
        case .replay:
            if replay != nil {
                leaveReplay()
                say("back to live", .info)
            } else {
                replay = Replay(loading: true)
                selected = 0
                newAbove = 0
                detailOpen = false
                return [.loadReplayDates]
            }
        case .filter:
            prompt = .filter
            promptText = filter
        case .jumpToDate:
            if replay != nil {
                prompt = .date
                promptText = ""
            } else {
                say("d jumps to a date in replay: press r first", .info)
            }
        case .counts:
            countsOpen.toggle()
            if countsOpen && week == nil { return [.loadWeek] }
        case .matchesOnly:
            guard !watches.isEmpty else {
                say("no watch rules: add [[watch]] tables to the config file", .info)
                return []
            }
            matchesOnly.toggle()
            selected = 0
            newAbove = 0
            say(matchesOnly ? "only the watch rules' matches (\(visibleEvents.count)); m shows all" : "all events", .info)
        case .focusNext:
            focus = DashboardState.Pane(rawValue: (focus.rawValue + 1) % DashboardState.Pane.allCases.count)!
        case .up: move(-1, count)
        case .down: move(1, count)
        case .pageUp: move(-page, count)
        case .pageDown: move(page, count)
        case .top: move(-count - failures.count, count)
        case .bottom: move(count + failures.count, count)
        case .open: open()
        case .back: back()
        case .openURL:
            guard let url = selectedURL() else { return [] }
            say("opening \(url)", .info)
            return [.openURL(url)]
        case .copyURL:
            guard let url = selectedURL() else { return [] }
            say("URL copied to the clipboard (OSC 52: the terminal must allow it)", .info)
            return [.copy(url)]
        case .reset404:
            guard case .stopped = phase else {
                say("nothing to reset: polling is not stopped by a 404", .info)
                return []
            }
            confirmation = .reset404
        case .previousDay: return stepDay(-1)
        case .nextDay: return stepDay(1)
        }
        return []
    }

    private mutating func open() {
        switch focus {
        case .events:
            if selectedEvent != nil { detailOpen = true } else { say("no event to open", .info) }
        case .failures:
            if selectedFailure != nil { failureDetailOpen = true } else { say("no failure to open", .info) }
        case .latency, .headroom:
            say("Enter opens an event or a failure: Tab moves to their panes", .info)
        }
    }

    private mutating func back() {
        if shownURL != nil {
            shownURL = nil
        } else if failureDetailOpen {
            failureDetailOpen = false
        } else if detailOpen {
            detailOpen = false
        } else if countsOpen {
            countsOpen = false
        } else if !filter.isEmpty {
            filter = ""
            selected = 0
            newAbove = 0
        } else if matchesOnly {
            matchesOnly = false
            selected = 0
        } else if replay != nil {
            leaveReplay()
        } else {
            say("nothing to close", .info)
        }
    }

    private mutating func selectedURL() -> String? {
        guard let e = selectedEvent else {
            say("no event selected", .info)
            return nil
        }
        guard let url = e.absoluteURL else {
            say("this event has no URL", .info)
            return nil
        }
        return TerminalText.sanitize(url)
    }

    private mutating func move(_ delta: Int, _ count: Int) {
        if focus == .failures {
            failureScroll = min(max(0, failureScroll + delta), max(0, failures.count - 1))
            return
        }
        guard focus == .events else {
            say("↑↓ move in the events or failures pane: Tab moves there", .info)
            return
        }
        guard count > 0 else { return }
        selected = min(max(0, selected + delta), count - 1)
        // Arrivals above the selection that it has moved past are seen.
        newAbove = min(newAbove, selected)
    }

    private mutating func leaveReplay() {
        replay = nil
        selected = 0
        newAbove = 0
        detailOpen = false
        filter = ""
    }

    private mutating func stepDay(_ delta: Int) -> [DashboardEffect] {
        guard var r = replay else {
            say("←→ move a day in replay: press r first", .info)
            return []
        }
        guard let i = r.index else {
            say(r.loading ? "still loading the stored days" : "nothing stored yet", .info)
            return []
        }
        let j = i + delta
        guard r.dates.indices.contains(j) else {
            say(
                delta < 0 ? "no stored day before \(r.dates[i]): it is the first" : "no stored day after \(r.dates[i]): it is the last",
                .warn)
            return []
        }
        r.index = j
        r.loading = true
        replay = r
        detailOpen = false
        return [.loadReplayDay(r.dates[j])]
    }

    private mutating func confirm(_ c: Confirmation, _ key: Key) -> [DashboardEffect] {
        confirmation = nil
        guard key == .char("y") || key == .char("Y") else {
            say("reset cancelled: polling stays stopped", .info)
            return []
        }
        say("clearing the 404 stop…", .info)
        return [.reset404]
    }

    private mutating func edit(_ p: Prompt, _ key: Key) -> [DashboardEffect] {
        switch key {
        case .escape:
            prompt = nil
            if p == .filter {
                filter = ""
                selected = 0
                newAbove = 0
            }
        case .enter:
            prompt = nil
            if p == .date { return jump(to: promptText) }
        case .backspace:
            if !promptText.isEmpty { promptText.removeLast() }
            if p == .filter {
                filter = promptText
                selected = 0
                newAbove = 0
            }
        case .char(let c):
            promptText.append(c)
            if p == .filter {
                filter = promptText
                selected = 0
                newAbove = 0
            }
        default: break
        }
        return []
    }

    /// Replay's `d`: the day asked for, or the stored day nearest before it (else after it).
    private mutating func jump(to text: String) -> [DashboardEffect] {
        guard var r = replay else { return [] }
        let shown = TerminalText.sanitize(text)
        guard let date = LocalDate(iso: text.trimmingSpaces) else {
            say("not a date: \"\(shown)\" (use YYYY-MM-DD)", .alert)
            return []
        }
        guard !r.dates.isEmpty else {
            say("nothing stored yet", .warn)
            return []
        }
        let i = r.dates.lastIndex(where: { $0 <= date }) ?? 0
        if r.dates[i] != date { say("no events stored on \(date), showing \(r.dates[i])", .warn) }
        r.index = i
        r.loading = true
        replay = r
        detailOpen = false
        return [.loadReplayDay(r.dates[i])]
    }

    private func describe(_ key: Key) -> String {
        switch key {
        case .char(let c): return "key \(TerminalText.sanitize(String(c)))"
        default: return "that key"
        }
    }
}

extension String {
    var trimmingSpaces: String {
        var s = Substring(self)
        while s.first == " " { s.removeFirst() }
        while s.last == " " { s.removeLast() }
        return String(s)
    }
}
