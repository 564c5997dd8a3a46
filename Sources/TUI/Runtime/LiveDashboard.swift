import Engine

/// The dashboard over a running engine: the scheduler polls, engine events become messages,
/// effects become engine commands or store reads.
public enum LiveDashboard {
    public static func run(
        poller: Poller, scheduler: Scheduler, apiURL: String, demo: Bool = false, noColor: Bool,
        watches: [WatchRule] = [], environment: [String: String] = [:],
        clock: any WallClock = SystemClock()
    ) async {
        let runtime = DashboardRuntime()
        var state = DashboardState(width: 80, height: 24, now: clock.now(), storeLocation: poller.store.location, apiURL: apiURL)
        state.noColor = noColor
        state.demo = demo
        state.watches = watches
        state.lastSuccessAt = await poller.lastSuccessAt
        if let meta = await poller.currentMetadata() {
            state.reports = Array(meta.reports.suffix(DashboardState.keptReports))
            state.failures = Array(meta.failures.suffix(DashboardState.keptFailures))
        }
        state.budget = await poller.budget()
        if let stop = await poller.stop { state.phase = .stopped(reason: stop.message) }
        state.nextPollAt = await scheduler.nextPollAt
        state.schedule = scheduler.scheduleDescription

        let reader = StoreReader(store: poller.store)
        // Subscribed before the scheduler starts: no event of its first cycle is missed.
        let events = poller.subscribe()
        let pump = Task {
            for await event in events { runtime.post(.engine(event)) }
        }
        let loader = Task {
            // The stored window: the API serves the newest 500.
            if let recent = try? await reader.recent(limit: 500) { runtime.post(.initialEvents(recent)) }
            if let week = try? await lastWeek(reader) { runtime.post(.week(week)) }
        }
        // The next poll time is known once the scheduler has booked it, after each cycle.
        let polling = Task { await scheduler.run { _ in runtime.post(.schedule(nextPollAt: await scheduler.nextPollAt)) } }

        // SIGINT and SIGTERM end the loop; the terminal is restored on the way out.
        let signals = ShutdownSignals { runtime.requestStop() }
        defer { withExtendedLifetime(signals) {} }

        await runtime.run(state: state, clock: clock) { effect in
            switch effect {
            case .pollNow:
                Task {
                    await scheduler.pollNow()
                    runtime.post(.schedule(nextPollAt: await scheduler.nextPollAt))
                }
            case .loadReplayDates:
                Task {
                    do { runtime.post(.replayDates(try await reader.dates())) } catch { runtime.post(.replayFailed("\(error)")) }
                }
            case .loadReplayDay(let date):
                Task {
                    do { runtime.post(.replayDay(try await reader.day(date))) } catch { runtime.post(.replayFailed("\(error)")) }
                }
            case .loadWeek:
                Task { if let week = try? await lastWeek(reader) { runtime.post(.week(week)) } }
            case .reset404:
                Task {
                    do {
                        try await poller.clearStop()
                        runtime.post(.resetDone(error: nil))
                    } catch {
                        runtime.post(.resetDone(error: "\(error)"))
                    }
                }
            case .openURL(let url):
                Task { if !URLOpener.open(url, environment: environment) { runtime.post(.cannotOpen(url: url)) } }
            case .copy, .bell, .quit, .takeOver:
                break  // the terminal loop's own
            }
        }
        // An in-flight cycle is abandoned: its request is aborted and writes are atomic, so
        // nothing half-written remains; wait for it to settle before the process ends.
        polling.cancel()
        loader.cancel()
        await polling.value
        await poller.finishEvents()
        await pump.value
    }

    /// The events of the last seven stored days (Stockholm dates with data), for the counts view.
    static func lastWeek(_ reader: StoreReader) async throws -> [PoliceEvent] {
        let days = try await reader.dates().suffix(7)
        guard let first = days.first, let last = days.last else { return [] }
        return try await reader.events(from: first, to: last).entries.map(\.event)
    }
}
