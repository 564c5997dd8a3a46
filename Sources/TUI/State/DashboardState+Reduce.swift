import Engine

extension DashboardState {
    /// Applies one message; returns the effects the runtime should carry out.
    public mutating func reduce(_ message: DashboardMessage) -> [DashboardEffect] {
        switch message {
        case .key(let key): return handle(key)
        case .resize(let w, let h): width = w; height = h
        case .tick(let t): now = t
        case .engine(let e): apply(e)
        case .schedule(let next): nextPollAt = next
        case .history(let r, let f):
            reports = Array(r.suffix(Self.keptReports)); failures = Array(f.suffix(Self.keptFailures))
        case .initialEvents(let list):
            events = Array(list.prefix(Self.keptEvents))
        case .replayDates(let dates):
            guard replay != nil else { return [] }
            replay!.dates = dates
            replay!.loading = false
            guard let last = dates.indices.last else { replay!.error = "nothing stored yet"; return [] }
            replay!.index = last
            replay!.loading = true
            return [.loadReplayDay(dates[last])]
        case .replayDay(let day):
            guard replay != nil, replay!.date == day.date else { return [] }
            replay!.day = day
            replay!.loading = false
            replay!.error = nil
            selected = 0
        case .replayFailed(let message):
            replay?.loading = false
            replay?.error = message
        }
        return []
    }

    private mutating func apply(_ event: EngineEvent) {
        switch event {
        case .phase(let p):
            phase = p
            if case .fetching = p { manualRequested = false }
        case .cycleStarted(let cycle, _):
            runningCycle = cycle
        case .stageFinished:
            break
        case .failure(let f):
            failures.append(f)
            if failures.count > Self.keptFailures { failures.removeFirst(failures.count - Self.keptFailures) }
        case .cycleFinished(let report, let storedLines):
            let stored = storedLines.compactMap { $0.decoded() }
            runningCycle = nil
            reports.append(report)
            if reports.count > Self.keptReports { reports.removeFirst(reports.count - Self.keptReports) }
            if !stored.isEmpty {
                let keep = selectedEvent?.id
                newIDs = Set(stored.map(\.id))
                let replaced = Set(stored.map(\.id))
                events = (stored + events.filter { !replaced.contains($0.id) }).sortedNewestFirst()
                if events.count > Self.keptEvents { events.removeLast(events.count - Self.keptEvents) }
                if let keep, replay == nil, let i = visibleEvents.firstIndex(where: { $0.id == keep }) { selected = i }
            } else if report.outcome == .ok {
                newIDs = []
            }
            manualRequested = false
        case .budget(let b): budget = b
        case .notice(let n):
            notices.append(n)
            if notices.count > 5 { notices.removeFirst() }
        case .scheduled(let next): nextPollAt = next
        }
    }

    private mutating func handle(_ key: Key) -> [DashboardEffect] {
        if let prompt { return edit(prompt, key) }
        guard let intent = KeyTable.intent(for: key) else { return [] }
        if helpOpen {
            // Any of these closes the overlay; q still quits.
            if intent == .quit { quitting = true; return [.quit] }
            helpOpen = false
            return []
        }
        let count = visibleEvents.count
        let page = max(1, DashboardLayout.compute(width: width, height: height).map { $0.events.height - 3 } ?? 10)
        switch intent {
        case .quit: quitting = true; return [.quit]
        case .help: helpOpen = true
        case .pollNow:
            manualRequested = true
            return [.pollNow]
        case .replay:
            if replay != nil { leaveReplay() } else {
                replay = Replay(loading: true)
                selected = 0; detailOpen = false
                return [.loadReplayDates]
            }
        case .filter: prompt = .filter; promptText = filter
        case .jumpToDate: if replay != nil { prompt = .date; promptText = "" }
        case .focusNext:
            focus = DashboardState.Pane(rawValue: (focus.rawValue + 1) % DashboardState.Pane.allCases.count)!
        case .up: move(-1, count)
        case .down: move(1, count)
        case .pageUp: move(-page, count)
        case .pageDown: move(page, count)
        case .top: move(-count - failures.count, count)
        case .bottom: move(count + failures.count, count)
        case .open: if focus == .events && selectedEvent != nil { detailOpen = true }
        case .back:
            if detailOpen { detailOpen = false } else if !filter.isEmpty { filter = ""; selected = 0 } else if replay != nil { leaveReplay() }
        case .previousDay: return stepDay(-1)
        case .nextDay: return stepDay(1)
        }
        return []
    }

    private mutating func move(_ delta: Int, _ count: Int) {
        if focus == .failures {
            failureScroll = min(max(0, failureScroll + delta), max(0, failures.count - 1))
            return
        }
        guard focus == .events, count > 0 else { return }
        selected = min(max(0, selected + delta), count - 1)
    }

    private mutating func leaveReplay() {
        replay = nil
        selected = 0; detailOpen = false; filter = ""
    }

    private mutating func stepDay(_ delta: Int) -> [DashboardEffect] {
        guard var r = replay, let i = r.index else { return [] }
        let j = i + delta
        guard r.dates.indices.contains(j) else { return [] }
        r.index = j
        r.loading = true
        replay = r
        detailOpen = false
        return [.loadReplayDay(r.dates[j])]
    }

    private mutating func edit(_ p: Prompt, _ key: Key) -> [DashboardEffect] {
        switch key {
        case .escape:
            prompt = nil
            if p == .filter { filter = ""; selected = 0 }
        case .enter:
            prompt = nil
            if p == .date {
                guard var r = replay else { return [] }
                guard let date = LocalDate(iso: promptText) else { r.error = "not a date: \(promptText) (YYYY-MM-DD)"; replay = r; return [] }
                // The stored date nearest at or before the one asked for.
                guard let i = r.dates.lastIndex(where: { $0 <= date }) ?? (r.dates.isEmpty ? nil : 0) else { return [] }
                r.index = i; r.loading = true; replay = r
                return [.loadReplayDay(r.dates[i])]
            }
        case .backspace:
            if !promptText.isEmpty { promptText.removeLast() }
            if p == .filter { filter = promptText; selected = 0 }
        case .char(let c):
            promptText.append(c)
            if p == .filter { filter = promptText; selected = 0 }
        default: break
        }
        return []
    }
}
