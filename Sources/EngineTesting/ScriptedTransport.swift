import Engine
import Synchronization

/// Answers requests from a script, in order, and records when each came.
public final class ScriptedTransport: HTTPTransport {
    private let state = Mutex<(script: [Result<HTTPResponse, TransportError>], calls: [Double])>(([], []))
    public let clock: ManualClock

    public init(clock: ManualClock, _ script: [Result<HTTPResponse, TransportError>] = []) {
        self.clock = clock
        state.withLock { $0.script = script }
    }

    public func push(_ r: Result<HTTPResponse, TransportError>) { state.withLock { $0.script.append(r) } }
    public var calls: [Double] { state.withLock { $0.calls } }

    public func send(_ request: HTTPRequest) async throws(TransportError) -> HTTPResponse {
        let next = state.withLock { s -> Result<HTTPResponse, TransportError> in
            s.calls.append(clock.now())
            return s.script.isEmpty ? .failure(.other("script exhausted")) : s.script.removeFirst()
        }
        return try next.get()
    }
}
