import Engine
import Logging
import Metrics
import NIOCore
import NIOHTTP1
import NIOPosix
import Prometheus

/// `--metrics-addr`: Prometheus text on /metrics (swift-metrics through swift-prometheus), the
/// freshness verdict on /healthz (readiness: is the archive being kept up to date?) and the
/// liveness verdict on /livez (is the process's engine answering? a 404 stop is not a reason
/// to restart it), served over SwiftNIO's HTTP/1.1 server.
final class MetricsServer: Sendable {
    private let channel: NIOAsyncChannel<NIOAsyncChannel<HTTPServerRequestPart, HTTPServerResponsePart>, Never>
    private let serving: Task<Void, Never>
    let boundAddress: String

    /// Bootstraps the metrics system (once per process) and starts serving.
    static func start(address: String, poller: Poller, interval: Double, logger: Logger) async throws -> MetricsServer {
        let (host, port) = try hostAndPort(address)
        let registry = PrometheusCollectorRegistry()
        let buckets = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120].map { Duration.milliseconds(Int64($0 * 1000)) }
        MetricsSystem.bootstrap(HelpedMetricsFactory(registry: registry, durationBuckets: buckets))
        CycleMetrics.publishInitialValues(version: EngineConfig.version, processStart: processStartTime)
        let startedAt = SystemClock().now()
        let respond: @Sendable (String) async -> Reply = { path in
            switch path {
            case "/metrics":
                await poller.publishGauges()
                var buffer: [UInt8] = []
                registry.emit(into: &buffer)
                return Reply(status: .ok, contentType: "text/plain; version=0.0.4; charset=utf-8", body: buffer)
            case "/healthz":
                let verdict = HealthCheck.evaluate(
                    lastSuccessAt: await poller.lastSuccessAt, startedAt: startedAt, interval: interval,
                    stop: await poller.stop?.message, now: SystemClock().now())
                return Reply(
                    status: verdict.healthy ? .ok : .serviceUnavailable, contentType: "text/plain; charset=utf-8",
                    body: Array((verdict.reason + "\n").utf8))
            case "/livez":
                let alive = await Liveness.probe(poller)
                let up = formatDuration(SystemClock().now() - processStartTime)
                return Reply(
                    status: alive ? .ok : .serviceUnavailable, contentType: "text/plain; charset=utf-8",
                    body: Array(
                        (alive
                            ? "alive: up \(up), the engine answers\n"
                            : "not alive: the engine did not answer in \(Int(Liveness.deadline)) s\n").utf8))
            default:
                return Reply(
                    status: .notFound, contentType: "text/plain; charset=utf-8", body: Array("try /metrics, /healthz or /livez\n".utf8))
            }
        }
        let channel: NIOAsyncChannel<NIOAsyncChannel<HTTPServerRequestPart, HTTPServerResponsePart>, Never>
        do {
            channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
                .bind(host: host, port: port) { child in
                    child.eventLoop.makeCompletedFuture {
                        try child.pipeline.syncOperations.configureHTTPServerPipeline()
                        return try NIOAsyncChannel<HTTPServerRequestPart, HTTPServerResponsePart>(wrappingChannelSynchronously: child)
                    }
                }
        } catch {
            throw CommandFailure(description: "cannot serve metrics on \(address): \(error)")
        }
        let bound = channel.channel.localAddress
        let shown =
            bound.map { ($0.protocol == .inet6 ? "[\($0.ipAddress ?? host)]" : $0.ipAddress ?? host) + ":\($0.port ?? port)" } ?? address
        let serving = Task {
            do {
                try await withThrowingDiscardingTaskGroup { group in
                    try await channel.executeThenClose { connections in
                        for try await connection in connections {
                            group.addTask { await serve(connection, respond: respond) }
                        }
                    }
                }
            } catch {
                if !Task.isCancelled { logger.error("metrics server stopped: \(error)") }
            }
        }
        logger.info("metrics on http://\(shown)/metrics, health on /healthz (data fresh) and /livez (process alive)")
        return MetricsServer(channel: channel, serving: serving, boundAddress: shown)
    }

    private init(
        channel: NIOAsyncChannel<NIOAsyncChannel<HTTPServerRequestPart, HTTPServerResponsePart>, Never>,
        serving: Task<Void, Never>, boundAddress: String
    ) {
        self.channel = channel
        self.serving = serving
        self.boundAddress = boundAddress
    }

    func stop() async {
        try? await channel.channel.close()
        serving.cancel()
        await serving.value
    }

    struct Reply: Sendable {
        var status: HTTPResponseStatus
        var contentType: String
        var body: [UInt8]
    }

    /// One connection: GET requests answered in turn (keep-alive), anything else refused.
    private static func serve(
        _ connection: NIOAsyncChannel<HTTPServerRequestPart, HTTPServerResponsePart>,
        respond: @Sendable (String) async -> Reply
    ) async {
        try? await connection.executeThenClose { inbound, outbound in
            var request: HTTPRequestHead?
            for try await part in inbound {
                switch part {
                case .head(let head): request = head
                case .body: break
                case .end:
                    guard let head = request else { continue }
                    let path = String(head.uri.prefix { $0 != "?" })
                    let reply =
                        head.method == .GET || head.method == .HEAD
                        ? await respond(path)
                        : Reply(status: .methodNotAllowed, contentType: "text/plain; charset=utf-8", body: Array("GET only\n".utf8))
                    var headers = HTTPHeaders()
                    headers.add(name: "Content-Type", value: reply.contentType)
                    headers.add(name: "Content-Length", value: String(reply.body.count))
                    if !head.isKeepAlive { headers.add(name: "Connection", value: "close") }
                    try await outbound.write(.head(HTTPResponseHead(version: head.version, status: reply.status, headers: headers)))
                    if head.method != .HEAD { try await outbound.write(.body(.byteBuffer(ByteBuffer(bytes: reply.body)))) }
                    try await outbound.write(.end(nil))
                    if !head.isKeepAlive { return }
                    request = nil
                }
            }
        }
    }

    /// HOST:PORT, [IPv6]:PORT, or localhost:PORT.
    static func hostAndPort(_ text: String) throws -> (String, Int) {
        guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]), (0...65535).contains(port) else {
            throw CommandFailure(description: "metrics_addr \(text): expected HOST:PORT")
        }
        var host = String(text[..<colon])
        if host.hasPrefix("[") && host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        return (host, port)
    }
}

extension Setup {
    /// The metrics server when metrics_addr is set.
    func startMetricsServer(poller: Poller, logger: Logger) async throws -> MetricsServer? {
        guard let address = metricsAddress else { return nil }
        return try await MetricsServer.start(address: address, poller: poller, interval: pollingPolicy.longestDelay, logger: logger)
    }
}
