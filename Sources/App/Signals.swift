import Engine

/// Runs `body` until it returns or SIGINT/SIGTERM arrives; a signal cancels it, so a waiting
/// cycle stops at once and a running write finishes (writes are atomic either way).
func withShutdownSignals<T: Sendable>(_ body: @escaping @Sendable () async -> T) async -> T {
    let task = Task { await body() }
    let signals = ShutdownSignals { task.cancel() }
    let value = await task.value
    withExtendedLifetime(signals) {}
    return value
}
