import Engine
import Synchronization

/// The connection to a service that an attached dashboard watches (the control socket's
/// client lives in the App: the dashboard has no network code).
public protocol ServiceLink: Sendable {
    /// What the service sent on connecting.
    var snapshot: ServiceSnapshot { get }
    /// Everything after the snapshot; ends when the service goes away.
    var messages: AsyncStream<ControlMessage> { get }
    func send(_ command: String)
    func close()
}

/// The dashboard over a service in another process: the same state, reducer and panes, with
/// engine events from the service's socket; `p` and the 404 reset are sent to it, replay reads
/// the store directly. `q` detaches and leaves the service running.
public enum AttachedDashboard {
    public enum Ending: Sendable, Equatable { case detached, takeOver }

    public static func run(
        link: any ServiceLink, store: any EventStore, noColor: Bool, watches: [WatchRule] = [],
        environment: [String: String] = [:], clock: any WallClock = SystemClock()
    ) async -> Ending {
        let runtime = DashboardRuntime()
        let snapshot = link.snapshot
        var state = DashboardState(width: 80, height: 24, now: clock.now(), storeLocation: store.location, apiURL: snapshot.apiURL)
        state.noColor = noColor
        state.watches = watches
        state.seed(from: snapshot)
        let reader = StoreReader(store: store)
        let pump = Task {
            for await message in link.messages {
                if let event = message.event {
                    // Events the snapshot already holds are not applied twice.
                    if (message.seq ?? Int.max) > snapshot.seq { runtime.post(.engine(event)) }
                } else if let reply = message.reply, reply != ControlCommand.snapshot {
                    runtime.post(
                        .attach(.answer(command: reply, ok: message.ok ?? false, reason: message.reason, until: message.until)))
                }
            }
            runtime.post(.attach(.serviceStopped))
        }
        let takeOver = Atomic<Bool>(false)
        let signals = ShutdownSignals { runtime.requestStop() }
        defer { withExtendedLifetime(signals) {} }
        await runtime.run(state: state, clock: clock) { effect in
            if StoreEffects.perform(effect, reader: reader, runtime: runtime, environment: environment) { return }
            switch effect {
            case .pollNow: link.send(ControlCommand.pollNow)
            case .reset404: link.send(ControlCommand.reset404)
            case .takeOver:
                takeOver.store(true, ordering: .relaxed)
                runtime.requestStop()
            case .copy, .bell, .quit, .loadReplayDates, .loadReplayDay, .loadWeek, .openURL:
                break  // the terminal loop's own, or done above
            }
        }
        link.close()
        await pump.value
        return takeOver.load(ordering: .relaxed) ? .takeOver : .detached
    }
}
