import Synchronization

/// The engine's event stream, fanned out. Every subscriber gets every event published after it
/// subscribed, in order, on a stream of its own; the dashboard, the control socket, `tail` and
/// the watch rules each subscribe. Publishing never waits: a subscriber that falls behind keeps
/// only the newest `bufferingNewest` events and loses older ones, so a slow view can never hold
/// up a cycle. With no subscriber an event is simply dropped (a headless `run` keeps nothing).
public final class EventBroadcaster: Sendable {
    private struct State {
        var nextID = 0
        var subscribers: [Int: AsyncStream<EngineEvent>.Continuation] = [:]
        var finished = false
    }

    private let state = Mutex(State())
    /// Held while an event is handed out, so every subscriber sees the publishing order. Never
    /// taken together with `state`: handing out resumes a consumer's task, which takes that
    /// task's lock, and cancelling a consumer's task runs its stream's termination under that
    /// same task lock, which takes `state`. Yielding under `state` deadlocked the two.
    private let publishing = Mutex(())

    public init() {}

    /// A new stream of the events published from now on; it ends when `finish()` is called or
    /// the consumer stops iterating.
    public func subscribe(bufferingNewest limit: Int = 4096) -> AsyncStream<EngineEvent> {
        let (stream, continuation) = AsyncStream.makeStream(of: EngineEvent.self, bufferingPolicy: .bufferingNewest(limit))
        let id: Int? = state.withLock { s in
            guard !s.finished else { return nil }
            s.nextID += 1
            s.subscribers[s.nextID] = continuation
            return s.nextID
        }
        guard let id else {
            continuation.finish()
            return stream
        }
        continuation.onTermination = { [weak self] _ in
            _ = self?.state.withLock { $0.subscribers.removeValue(forKey: id) }
        }
        return stream
    }

    /// Hands `event` to every subscriber without waiting for any of them.
    public func publish(_ event: EngineEvent) {
        publishing.withLock { _ in
            let continuations = state.withLock { Array($0.subscribers.values) }
            // Outside `state` (see `publishing`). A stream ended meanwhile just refuses it.
            for continuation in continuations { continuation.yield(event) }
        }
    }

    /// Ends every stream, and any subscribed later.
    public func finish() {
        let ended = state.withLock { s in
            s.finished = true
            defer { s.subscribers.removeAll() }
            return Array(s.subscribers.values)
        }
        // Outside the lock: finishing runs each stream's termination handler, which takes it.
        for continuation in ended { continuation.finish() }
    }

    public var subscriberCount: Int { state.withLock { $0.subscribers.count } }
}
