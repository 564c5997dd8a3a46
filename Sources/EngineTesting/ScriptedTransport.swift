import Engine
import Synchronization

/// Answers requests from a script, in order, and records when each came.
public final class ScriptedTransport: HTTPTransport {
    private let state = Mutex<(script: [Result<HTTPResponse, TransportError>], calls: [Double])>(([], []))
    public let clock: ManualClock
    /// How long each call takes on the manual clock (moved forward during `send`).
    public let latency: Double

    public init(clock: ManualClock, latency: Double = 0, _ script: [Result<HTTPResponse, TransportError>] = []) {
        self.clock = clock
        self.latency = latency
        state.withLock { $0.script = script }
    }

    public func push(_ r: Result<HTTPResponse, TransportError>) { state.withLock { $0.script.append(r) } }
    public var calls: [Double] { state.withLock { $0.calls } }

    public func send(_ request: HTTPRequest) async throws(TransportError) -> HTTPResponse {
        let next = state.withLock { s -> Result<HTTPResponse, TransportError> in
            s.calls.append(clock.now())
            return s.script.isEmpty ? .failure(.other("script exhausted")) : s.script.removeFirst()
        }
        if latency > 0 { clock.advance(by: latency) }
        return try next.get()
    }
}
