/// The /healthz verdict: healthy while the last successful cycle is younger than two
/// intervals. A process that has not yet had a success is given the same grace from its start.
public struct HealthCheck: Sendable, Equatable {
    public let healthy: Bool
    public let reason: String

    public static func evaluate(
        lastSuccessAt: Double?, startedAt: Double, interval: Double, stop: String?,
        now: Double
    ) -> HealthCheck {
        if let stop { return HealthCheck(healthy: false, reason: "polling stopped: \(stop)") }
        let limit = 2 * interval
        guard let last = lastSuccessAt, last >= startedAt - limit else {
            let up = now - startedAt
            return up < limit
                ? HealthCheck(healthy: true, reason: "starting: no successful cycle yet, up \(formatDuration(up))")
                : HealthCheck(
                    healthy: false, reason: "no successful cycle since start \(formatDuration(up)) ago (limit \(formatDuration(limit)))")
        }
        let age = now - last
        return age < limit
            ? HealthCheck(healthy: true, reason: "ok: last successful cycle \(formatDuration(max(0, age))) ago")
            : HealthCheck(
                healthy: false,
                reason: "last successful cycle \(formatDuration(age)) ago, more than two intervals (\(formatDuration(limit)))")
    }
}
