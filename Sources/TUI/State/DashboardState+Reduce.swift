import Engine

extension DashboardState {
    /// Applies one message; returns the effects the runtime should carry out.
    public mutating func reduce(_ message: DashboardMessage) -> [DashboardEffect] {
        switch message {
        case .key(let key):
            if serviceStopped && key == .char("t") { return [.takeOver] }
            return handle(key)
        case .attach(let m): return reduceAttach(m)
        case .resize(let w, let h):
            width = w
            height = h
        case .tick(let t):
            now = t
            if let f = flash, f.until <= t { flash = nil }
        case .engine(let e): return apply(e)
        case .schedule(let next): nextPollAt = next
        case .history(let r, let f):
            reports = Array(r.suffix(Self.keptReports))
            failures = Array(f.suffix(Self.keptFailures))
        case .initialEvents(let list):
            // Events the engine stored meanwhile are already in the list; keep them.
            let known = Set(events.map(\.id))
            events = (events + list.filter { !known.contains($0.id) }).sortedNewestFirst()
            if events.count > Self.keptEvents { events.removeLast(events.count - Self.keptEvents) }
        case .replayDates(let dates):
            guard replay != nil else { return [] }
            replay!.dates = dates
            replay!.loading = false
            guard let last = dates.indices.last else {
                replay!.error = "nothing stored yet"
                return []
            }
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
        case .week(let list): week = list
        case .resetDone(let error):
            if let error {
                say("could not reset the 404 stop: \(error)", .alert)
            } else {
                phase = .idle
                sayStopCleared()
            }
        case .cannotOpen(let url):
            shownURL = url
            say("no browser found (xdg-open or $BROWSER): the URL is shown whole", .warn, short: "no browser found: the URL is shown whole")
        }
        return []
    }

    /// Shows a key's answer (or an engine's refusal) in the status line for a while.
    mutating func say(_ text: String, _ tone: Flash.Tone, short: String? = nil) {
        flash = Flash(text: text, tone: tone, until: now + Self.flashSeconds, short: short)
    }

    private mutating func apply(_ event: EngineEvent) -> [DashboardEffect] {
        switch event {
        case .phase(let p):
            if case .stopped = phase, !p.isStopped {
                // Cleared here, by `reset-404` in another process, or by the attached service.
                sayStopCleared()
            }
            phase = p
            // The engine moving on answers better than "poll at …" would.
            if p != .idle, flash?.tone == .info { flash = nil }
            if case .fetching = p { manualRequested = false }
        case .cycleStarted(let cycle, _):
            runningCycle = cycle
        case .stageFinished:
            break
        case .failure(let f):
            failures.append(f)
            if failures.count > Self.keptFailures { failures.removeFirst(failures.count - Self.keptFailures) }
            // The selection stays on the failure it was on.
            if focus == .failures && failureScroll > 0 { failureScroll += 1 }
        case .cycleFinished(let report, let storedLines):
            runningCycle = nil
            manualRequested = false
            // An answer like "polling now" has been overtaken by the cycle itself.
            if flash?.tone == .info { flash = nil }
            reports.append(report)
            if reports.count > Self.keptReports { reports.removeFirst(reports.count - Self.keptReports) }
            if report.outcome == .ok { lastSuccessAt = report.startedAt + (report.totalMs + report.waitedMs) / 1000 }
            let stored = storedLines.compactMap { s in s.decoded().map { (event: $0, isNew: s.isNew) } }
            if !stored.isEmpty {
                merge(stored.map(\.event))
                newIDs = Set(stored.filter(\.isNew).map(\.event.id))
                var effects: [DashboardEffect] = []
                if stored.contains(where: { s in watches.contains { $0.bell && $0.matches(s.event) } }) {
                    effects.append(.bell)
                }
                if week != nil { effects.append(.loadWeek) }
                return effects
            } else if report.outcome == .ok {
                newIDs = []
            }
        case .budget(let b): budget = b
        case .notice(let n):
            notices.append(n)
            if notices.count > 5 { notices.removeFirst() }
        case .scheduled(let next): nextPollAt = next
        case .pollRefused(let refusal):
            // The engine refused without a cycle, so no report changes. A refusal of another
            // viewer's request (the control socket) is that viewer's answer, not this one's.
            guard manualRequested else { return [] }
            manualRequested = false
            sayRefused(refusal)
        }
        return []
    }

    /// New and edited events into the live list. At the top the list follows the newest;
    /// elsewhere the selection stays on its event and the arrivals above it are counted.
    private mutating func merge(_ stored: [PoliceEvent]) {
        let keep = selected > 0 ? selectedEvent?.id : nil
        let replaced = Set(stored.map(\.id))
        events = (stored + events.filter { !replaced.contains($0.id) }).sortedNewestFirst()
        if events.count > Self.keptEvents { events.removeLast(events.count - Self.keptEvents) }
        guard replay == nil, let keep, let i = visibleEvents.firstIndex(where: { $0.id == keep }) else { return }
        newAbove += max(0, i - selected)
        selected = i
    }
}
