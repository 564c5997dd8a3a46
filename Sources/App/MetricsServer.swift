import Engine
import FlyingFox
import FlyingSocks
import Foundation
import Logging
import Metrics
import Prometheus

/// `--metrics-addr`: Prometheus text on /metrics (swift-metrics through swift-prometheus)
/// and the health verdict on /healthz, served by FlyingFox.
final class MetricsServer: Sendable {
    private let server: HTTPServer
    private let task: Task<Void, Never>

    /// Bootstraps the metrics system (once per process) and starts serving.
    static func start(address: String, poller: Poller, interval: Double, logger: Logger) async throws -> MetricsServer {
        let registry = PrometheusCollectorRegistry()
        var factory = PrometheusMetricsFactory(registry: registry)
        factory.defaultDurationHistogramBuckets = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120]
            .map { Duration.milliseconds(Int64($0 * 1000)) }
        MetricsSystem.bootstrap(factory)
        let startedAt = SystemClock().now()
        let server = HTTPServer(address: try socketAddress(address), logger: SwiftLogBridge(logger: logger))
        await server.appendRoute("GET /metrics") { _ in
            await poller.publishGauges()
            var buffer: [UInt8] = []
            registry.emit(into: &buffer)
            return HTTPResponse(statusCode: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"], body: Data(buffer))
        }
        await server.appendRoute("GET /healthz") { _ in
            let verdict = HealthCheck.evaluate(lastSuccessAt: await poller.lastSuccessAt, startedAt: startedAt, interval: interval,
                                               stop: await poller.stop?.message, now: SystemClock().now())
            return HTTPResponse(statusCode: verdict.healthy ? .ok : .serviceUnavailable,
                                headers: [.contentType: "text/plain; charset=utf-8"], body: Data((verdict.reason + "\n").utf8))
        }
        let task = Task {
            do { try await server.run() } catch is CancellationError {} catch {
                logger.error("metrics server stopped: \(error)")
            }
        }
        do { try await server.waitUntilListening(timeout: 5) } catch {
            task.cancel()
            throw CommandFailure(description: "cannot serve metrics on \(address): \(error)")
        }
        if let bound = await server.listeningAddress, case .ip4(let ip, let port) = bound {
            logger.info("metrics on http://\(ip):\(port)/metrics, health on /healthz")
        } else if let bound = await server.listeningAddress, case .ip6(let ip, let port) = bound {
            logger.info("metrics on http://[\(ip)]:\(port)/metrics, health on /healthz")
        }
        return MetricsServer(server: server, task: task)
    }

    private init(server: HTTPServer, task: Task<Void, Never>) {
        self.server = server; self.task = task
    }

    func stop() async {
        await server.stop(timeout: 1)
        task.cancel()
    }

    /// HOST:PORT, [IPv6]:PORT, or localhost:PORT.
    static func socketAddress(_ text: String) throws -> any SocketAddress {
        guard let colon = text.lastIndex(of: ":"), let port = UInt16(text[text.index(after: colon)...]) else {
            throw CommandFailure(description: "metrics_addr \(text): expected HOST:PORT")
        }
        var host = String(text[..<colon])
        if host.hasPrefix("[") && host.hasSuffix("]") {
            host = String(host.dropFirst().dropLast())
            do { return try sockaddr_in6.inet6(ip6: host, port: port) } catch {
                throw CommandFailure(description: "metrics_addr \(text): \(host) is not an IPv6 address")
            }
        }
        if host == "localhost" { host = "127.0.0.1" }
        do { return try sockaddr_in.inet(ip4: host, port: port) } catch {
            throw CommandFailure(description: "metrics_addr \(text): \(host) is not an IPv4 address (use an address, localhost, or [IPv6])")
        }
    }
}

/// FlyingFox's log lines through swift-log, so the dashboard's silent logger silences them too.
private struct SwiftLogBridge: FlyingSocks.Logging {
    let logger: Logger
    func logDebug(_ debug: @autoclosure () -> String) { logger.debug("\(debug())") }
    func logInfo(_ info: @autoclosure () -> String) { logger.debug("\(info())") }
    func logWarning(_ warning: @autoclosure () -> String) { logger.warning("\(warning())") }
    func logError(_ error: @autoclosure () -> String) { logger.error("\(error())") }
    func logCritical(_ critical: @autoclosure () -> String) {
        // FlyingFox reports its own orderly stop as a critical CancellationError.
        let message = critical()
        if message.contains("CancellationError") { logger.debug("\(message)") } else { logger.critical("\(message)") }
    }
}

extension Setup {
    /// The metrics server when metrics_addr is set.
    func startMetricsServer(poller: Poller, logger: Logger) async throws -> MetricsServer? {
        guard let address = metricsAddress else { return nil }
        // Health allows two of the longest scheduled gaps (twice the interval when adaptive).
        return try await MetricsServer.start(address: address, poller: poller, interval: adaptive ? 2 * interval : interval, logger: logger)
    }

    func makeScheduler(poller: Poller) -> Scheduler {
        let policy: any PollingPolicy = adaptive ? AdaptivePolicy(rules: engineConfig.rules, interval: interval) : FixedInterval(interval)
        return Scheduler(poller: poller, clock: SystemClock(), policy: policy)
    }

    var scheduleDescription: String {
        adaptive ? AdaptivePolicy(rules: engineConfig.rules, interval: interval).description : FixedInterval(interval).description
    }
}
