import Engine
import Synchronization

/// The built-in simulator behind `polisen-dash demo`: serves real events as a window moving a
/// few events per call, applies real edits after a few calls, and now and then answers 503 so
/// the retry path shows. No network: it stands behind the HTTP transport protocol, and the
/// phase timings it reports are made up (the demo says so on screen).
public final class DemoAPI: HTTPTransport {
    private struct State {
        var cursor: Int
        var calls = 0
        var current: [Int: [UInt8]] = [:]
    }

    private let timeline: [(id: Int, line: [UInt8])]
    private let edits: [(id: Int, line: [UInt8])]
    private let state: Mutex<State>
    private let clock: any WallClock

    /// `timeline`: compact event lines, oldest publication first. `edits`: later versions.
    public init(timeline: [(id: Int, line: [UInt8])], edits: [(id: Int, line: [UInt8])], clock: any WallClock = SystemClock()) {
        self.timeline = timeline
        self.edits = edits
        self.clock = clock
        var s = State(cursor: min(500, timeline.count))
        for e in timeline { s.current[e.id] = e.line }
        state = Mutex(s)
    }

    /// Reads the bundled JSON: `{"timeline": [...], "edits": [...]}`.
    public convenience init(bundle: [UInt8], clock: any WallClock = SystemClock()) throws {
        func lines(_ key: String) throws -> [(Int, [UInt8])] {
            guard let start = bundle.firstRange(of: Array("\"\(key)\":".utf8))?.upperBound else { throw BodyError.empty }
            // The value is a JSON array: scan it as a response body.
            var depth = 0
            var end = start
            var inString = false
            var escaped = false
            for i in start..<bundle.count {
                let c = bundle[i]
                if inString {
                    if escaped { escaped = false } else if c == 0x5C { escaped = true } else if c == 0x22 { inString = false }
                    continue
                }
                if c == 0x22 {
                    inString = true
                } else if c == 0x5B {
                    depth += 1
                } else if c == 0x5D {
                    depth -= 1
                    if depth == 0 {
                        end = i + 1
                        break
                    }
                }
            }
            let scan = try EventScanner.scan(Array(bundle[start..<end]))
            return scan.events.map { ($0.id, Array(scan.lineBytes($0))) }
        }
        self.init(timeline: try lines("timeline"), edits: try lines("edits"), clock: clock)
    }

    public func send(_ request: HTTPRequest) async throws(TransportError) -> HTTPResponse {
        let body = state.withLock { s -> [UInt8] in
            s.calls += 1
            if s.calls == 4 { for e in edits { s.current[e.id] = e.line } }
            if s.calls % 5 == 3 { return [] }  // answered 503 below
            s.cursor = min(timeline.count, s.cursor + Int.random(in: 1...3))
            var body: [UInt8] = [0x5B]
            for (i, e) in timeline[max(0, s.cursor - 500)..<s.cursor].reversed().enumerated() {
                if i > 0 { body.append(0x2C) }
                body += s.current[e.id] ?? e.line
            }
            body.append(0x5D)
            return body
        }
        let latency = Double.random(in: 0.12...0.35)
        do { try await clock.sleep(seconds: latency) } catch { throw .cancelled }
        var t = HTTPTimings()
        t.dnsMs = Double.random(in: 2...9)
        t.connectMs = Double.random(in: 12...25)
        t.tlsMs = Double.random(in: 25...45)
        t.totalMs = latency * 1000
        t.ttfbMs = max(1, t.totalMs * 0.8 - t.dnsMs - t.connectMs - t.tlsMs)
        if body.isEmpty {
            return HTTPResponse(
                status: 503, headers: ["retry-after": "2", "content-type": "text/plain"], body: Array("busy (demo)".utf8), timings: t)
        }
        return HTTPResponse(
            status: 200, headers: ["content-type": "application/json"], body: body,
            bytesWire: body.count * 10 / 58, timings: t)
    }
}
