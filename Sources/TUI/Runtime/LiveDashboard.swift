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
            if let week = try? await StoreEffects.lastWeek(reader) { runtime.post(.week(week)) }
        }
        // The next poll time is known once the scheduler has booked it, after each cycle.
        let polling = Task { await scheduler.run { _ in runtime.post(.schedule(nextPollAt: await scheduler.nextPollAt)) } }

        // SIGINT and SIGTERM end the loop; the terminal is restored on the way out.
        let signals = ShutdownSignals { runtime.requestStop() }
        defer { withExtendedLifetime(signals) {} }

        await runtime.run(state: state, clock: clock) { effect in
            if StoreEffects.perform(effect, reader: reader, runtime: runtime, environment: environment) { return }
            switch effect {
            case .pollNow:
                Task {
                    await scheduler.pollNow()
                    runtime.post(.schedule(nextPollAt: await scheduler.nextPollAt))
                }
            case .reset404:
                Task {
                    do {
                        try await poller.clearStop()
                        runtime.post(.resetDone(error: nil))
                    } catch {
                        runtime.post(.resetDone(error: "\(error)"))
                    }
                }
            case .copy, .bell, .quit, .takeOver, .loadReplayDates, .loadReplayDay, .loadWeek, .openURL:
                break  // the terminal loop's own, or done above
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
}
