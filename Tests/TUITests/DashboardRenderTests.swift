import EngineTesting
import Foundation
import Testing

@testable import Engine
@testable import TUI

let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .appendingPathComponent("Fixtures/polisen")

func fixtureEvents(_ name: String = "snapshot-2026-08-22T1754Z-dnouri.json") -> [PoliceEvent] {
    let data = try! Data(contentsOf: fixtures.appendingPathComponent(name))
    return try! JSONDecoder().decode([PoliceEvent].self, from: data).sortedNewestFirst()
}

func sampleReport(cycle: Int = 7, fetchMs: Double = 312) -> CycleReport {
    var r = CycleReport(cycle: cycle, trigger: .schedule, startedAt: 1_780_000_000)
    r.fetched = 500
    r.new = 2
    r.unchanged = 498
    r.stages.fetchMs = fetchMs
    r.stages.getMetadataMs = 1.2
    r.stages.processMs = 0.3
    r.stages.saveEventsMs = 2.5
    r.stages.updateMetadataMs = 1.8
    r.totalMs = fetchMs + 5.8
    var http = CycleReport.HTTPFacts(HTTPResponse(status: 200, body: Array(repeating: 0, count: 172_000), bytesWire: 29_500))
    http.dnsMs = 12
    http.connectMs = 20
    http.tlsMs = 45
    http.ttfbMs = 200
    http.totalMs = 300
    r.http = http
    return r
}

func state(width: Int = 120, height: Int = 40) -> DashboardState {
    var s = DashboardState(
        width: width, height: height, now: 1_780_000_000, storeLocation: "/srv/polisen", apiURL: "https://polisen.se/api/events")
    s.events = fixtureEvents()
    s.newIDs = [650297]
    s.reports = [sampleReport(cycle: 6, fetchMs: 250), sampleReport()]
    s.budget = BudgetSnapshot(ledger: CallLedger(calls: [1_779_999_000, 1_779_999_900]), rules: .polisen, now: 1_780_000_000)
    s.nextPollAt = 1_780_000_000 + 1500
    return s
}

@Suite struct DashboardRenderTests {
    @Test func everyPaneAppearsAtTheMinimumSizeAndLarger() {
        for (w, h) in [(80, 24), (120, 40), (200, 60)] {
            let text = render(state(width: w, height: h)).text
            #expect(text.contains("Latest events · 500 · 1 new"), "\(w)x\(h)")
            #expect(text.contains("Stage latency"))
            #expect(text.contains("API rate headroom"))
            #expect(text.contains("Failures and retries"))
            #expect(text.contains("p poll"))
        }
    }

    @Test func theHeadroomPaneSaysWhichScheduleRuns() {
        var s = state()
        s.schedule = AdaptivePolicy(rules: .polisen, interval: 1800).description
        let text = render(s).text
        #expect(text.contains("schedule: adaptive, every 1 min to 1 h"))
        s.schedule = FixedInterval(1800).description
        #expect(render(s).text.contains("schedule: every 30 min"))
        // At the smallest size the line gives way rather than overwrite the border.
        s.width = 80
        s.height = 24
        let small = render(s)
        let layout = DashboardLayout.compute(width: 80, height: 24)!
        #expect(small[layout.headroom.x, layout.headroom.maxY - 1].text == "└")
    }

    @Test func swedishTextKeepsEveryColumnAligned() {
        let buf = render(state())
        let layout = DashboardLayout.compute(width: 120, height: 40)!
        // The events pane's right border sits in the same column on every row, whatever
        // the å, ä, ö and É in the row.
        for y in layout.events.y..<layout.events.maxY {
            #expect(["│", "┐", "┘"].contains(buf[layout.events.maxX - 1, y].text), "row \(y)")
        }
        // The event's own time (its day is the publication day, under the day's separator)
        // and the county without " län".
        #expect(buf.text.contains("17.59 — Försök till"))
        #expect(!buf.text.contains("22 augusti 17.59"))
        #expect(buf.text.contains("Skåne "))
        #expect(!buf.text.contains("Skåne län"))
    }

    @Test func wideCharactersTakeTwoCells() {
        var buf = CellBuffer(width: 10, height: 1)
        #expect(buf.put("日本x", x: 0, y: 0) == 5)
        #expect(buf[0, 0].text == "日" && buf[1, 0].text == "" && buf[4, 0].text == "x")
        #expect(displayWidth("Örebro län") == 10)
    }

    @Test func newEventsAreMarkedAndTheSelectionIsHighlighted() {
        let buf = render(state())
        let row = buf.lines.firstIndex { $0.contains("17.59 — Försök till") }!
        #expect(buf.lines[row].contains("●"))
        #expect(buf[2, row].style.reverse)  // the first row is selected
    }

    @Test func latencyNamesTheBottleneckAndSplitsTheFetch() {
        let text = render(state()).text
        #expect(text.contains("cycle 7 · 318 ms · bottleneck: fetch"))
        #expect(text.contains("98%"))  // fetch: 312 of 317.8 ms
        #expect(text.contains("dns 12 ms"))
        #expect(text.contains("tls 45 ms"))
        // Every stage's p50/p95, wrapped to the pane.
        #expect(text.contains("p50/p95 ms fetch 250/312 · meta 1.2/1.2"))
        #expect(text.contains("proc 0.3/0.3 · save 2.5/2.5 · upd 1.8/1.8"))
    }

    @Test func headroomShowsBudgetsCountdownsAndCompression() {
        let text = render(state()).text
        #expect(text.contains("2/60"))
        #expect(text.contains("2/1440"))
        #expect(text.contains("next poll in 25:00"))
        #expect(text.contains("manual poll: now"))
        #expect(text.contains("compression 5.8×"))
        #expect(text.contains("window 500/500 events"))
    }

    @Test func failuresShowNewestFirstWithTheirOutcome() {
        var s = state()
        s.failures = [
            FailureEntry(at: 1_780_000_000, cycle: 7, stage: .fetch, error: "HTTP 503", attempt: 1, backoff: 2, outcome: .retrying),
            FailureEntry(
                at: 1_780_000_003, cycle: 7, stage: .fetch, error: "recovered after HTTP 503", attempt: 2, backoff: nil, outcome: .recovered
            ),
        ]
        let lines = render(s).lines
        let retry = lines.firstIndex { $0.contains("fetch #1 retry in 2 s") }
        let recovered = lines.firstIndex { $0.contains("fetch #2 recovered") }
        #expect(retry != nil && recovered != nil)
        #expect(recovered! < retry!)
        #expect(lines.contains { $0.contains("HTTP 503") })
    }

    @Test func gapAndFilteredWarningsShow() {
        var s = state()
        var r = sampleReport(cycle: 8)
        r.gap = true
        s.reports.append(r)
        #expect(render(s).text.contains("⚠ possible gap"))
    }

    @Test func tooSmallSaysSoAndHowToQuit() {
        let text = render(state(width: 79, height: 30)).text
        #expect(text.contains("terminal too small: 79×30"))
        #expect(text.contains("q quits"))
        #expect(!text.contains("Stage latency"))
    }

    @Test func helpListsEveryBindingOfTheKeyTable() {
        var s = state()
        _ = s.reduce(.key(.char("?")))
        let text = render(s).text
        for b in KeyTable.bindings { #expect(text.contains(b.help), "\(b.label)") }
    }

    @Test func noColorDropsEveryColour() {
        var s = state()
        s.noColor = true
        let buf = render(s)
        #expect(buf.cells.allSatisfy { $0.style.fg == nil && $0.style.bg == nil })
        #expect(render(state()).cells.contains { $0.style.fg != nil })
    }

    @Test func detailViewShowsTheWholeSummaryAndWhere() {
        var s = state()
        _ = s.reduce(.key(.down))
        _ = s.reduce(.key(.enter))
        let e = s.selectedEvent!
        let text = render(s).text
        #expect(text.contains("Event \(e.id)"))
        #expect(text.contains(e.location!.gps!))
        #expect(text.contains(e.datetime))
        #expect(text.contains("https://polisen.se/aktuellt/handelser/"))
    }

    @Test func layoutTilesTheScreenWithoutOverlap() {
        for w in stride(from: 80, through: 240, by: 17) {
            for h in stride(from: 24, through: 80, by: 11) {
                let l = DashboardLayout.compute(width: w, height: h)!
                var covered = Set<Int>()
                for r in l.panes {
                    for y in r.y..<r.maxY { for x in r.x..<r.maxX { #expect(covered.insert(y * w + x).inserted) } }
                }
                #expect(covered.count == w * h)
            }
        }
        #expect(DashboardLayout.compute(width: 79, height: 24) == nil)
        #expect(DashboardLayout.compute(width: 80, height: 23) == nil)
    }
}

@Suite struct ReducerTests {
    @Test func keysBecomeEffectsThroughTheKeyTable() {
        var s = state()
        #expect(s.reduce(.key(.char("p"))) == [.pollNow])
        #expect(s.manualRequested)
        #expect(s.reduce(.key(.char("q"))) == [.quit])
        #expect(s.reduce(.key(.char("x"))) == [])
    }

    @Test func filteringNarrowsTheListAndEscapeClearsIt() {
        var s = state()
        _ = s.reduce(.key(.char("/")))
        for c in "kävlinge" { _ = s.reduce(.key(.char(c))) }
        #expect(s.visibleEvents.count >= 1)
        #expect(
            s.visibleEvents.allSatisfy {
                ($0.name ?? "").lowercased().contains("kävlinge") || ($0.summary ?? "").lowercased().contains("kävlinge")
            })
        _ = s.reduce(.key(.enter))
        #expect(s.prompt == nil && s.filter == "kävlinge")
        _ = s.reduce(.key(.escape))
        #expect(s.filter.isEmpty && s.visibleEvents.count == 500)
    }

    @Test func theFilterNarrowsByTypePlaceAndWords() {
        var s = state()
        let all = s.visibleEvents
        s.filter = "type:brand place:skåne"
        #expect(!s.visibleEvents.isEmpty)
        #expect(
            s.visibleEvents.count
                == all.filter { ($0.type ?? "").lowercased().contains("brand") && ($0.location?.name ?? "").lowercased().contains("skåne") }
                .count)
        s.filter = "type:brand villa"
        #expect(
            s.visibleEvents.allSatisfy {
                ($0.type ?? "").lowercased().contains("brand") && (($0.summary ?? "") + ($0.name ?? "")).lowercased().contains("villa")
            })
        s.filter = "place:nowhere"
        #expect(s.visibleEvents.isEmpty)
        #expect(render(s).text.contains("no event matches"))
    }

    @Test func movementStaysInBounds() {
        var s = state()
        _ = s.reduce(.key(.char("k")))
        #expect(s.selected == 0)
        _ = s.reduce(.key(.char("G")))
        #expect(s.selected == 499)
        _ = s.reduce(.key(.char("j")))
        #expect(s.selected == 499)
        _ = s.reduce(.key(.char("g")))
        #expect(s.selected == 0)
    }

    @Test func replayLoadsTheNewestDayAndStepsThroughDays() {
        var s = state()
        #expect(s.reduce(.key(.char("r"))) == [.loadReplayDates])
        let days = [
            LocalDate(year: 2026, month: 8, day: 20), LocalDate(year: 2026, month: 8, day: 21), LocalDate(year: 2026, month: 8, day: 22),
        ]
        #expect(s.reduce(.replayDates(days)) == [.loadReplayDay(days[2])])
        _ = s.reduce(.replayDay(StoreReader.Day(date: days[2], events: Array(fixtureEvents().prefix(3)), problems: [])))
        #expect(s.visibleEvents.count == 3)
        #expect(render(s).text.contains("Replay 2026-08-22 · 3 events · day 3/3"))
        #expect(s.reduce(.key(.left)) == [.loadReplayDay(days[1])])
        #expect(s.reduce(.key(.right)) == [.loadReplayDay(days[2])])
        #expect(s.reduce(.key(.right)) == [])
        _ = s.reduce(.key(.char("d")))
        for c in "2026-08-20" { _ = s.reduce(.key(.char(c))) }
        #expect(s.reduce(.key(.enter)) == [.loadReplayDay(days[0])])
        _ = s.reduce(.key(.escape))
        #expect(s.replay == nil)
    }

    @Test func aFinishedCycleAddsItsEventsOnTopAndMarksThem() {
        var s = state()
        s.events = Array(s.events.dropFirst(2))
        let stored = Array(fixtureEvents().prefix(2))
        _ = s.reduce(.engine(.cycleFinished(sampleReport(cycle: 9), stored: stored.map(storedEvent))))
        #expect(s.events.prefix(2).map(\.id) == stored.map(\.id))
        #expect(s.newIDs == Set(stored.map(\.id)))
        #expect(s.reports.last?.cycle == 9)
    }

    @Test func anEditReplacesTheOlderVersionInTheList() {
        var s = state()
        var edited = s.events[5]
        edited.summary = "Ändrad sammanfattning"
        _ = s.reduce(.engine(.cycleFinished(sampleReport(cycle: 9), stored: [storedEvent(edited)])))
        #expect(s.events.count == 500)
        #expect(s.events.first { $0.id == edited.id }?.summary == "Ändrad sammanfattning")
    }

    @Test func historyIsBounded() {
        var s = state()
        for i in 0..<200 { _ = s.reduce(.engine(.cycleFinished(sampleReport(cycle: i), stored: []))) }
        #expect(s.reports.count == DashboardState.keptReports)
        for i in 0..<300 {
            _ = s.reduce(
                .engine(.failure(FailureEntry(at: 0, cycle: i, stage: .fetch, error: "x", attempt: 1, backoff: nil, outcome: .gaveUp))))
        }
        #expect(s.failures.count == DashboardState.keptFailures)
    }
}

/// An event as the engine's stream carries it: its stored line.
func storedEvent(_ e: PoliceEvent) -> StoredEvent {
    let encoder = JSONEncoder()
    return StoredEvent(id: e.id, line: String(decoding: try! encoder.encode(e), as: UTF8.self), isNew: true)
}
