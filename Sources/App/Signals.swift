import Engine

/// Runs `body` until it returns or SIGINT/SIGTERM arrives; a signal cancels it, so a waiting
/// cycle stops at once and a running write finishes (writes are atomic either way).
/// `onSignal` runs on the signal's queue first (e.g. to start a `StopDeadline`).
func withShutdownSignals<T: Sendable>(
    onSignal: @escaping @Sendable () -> Void = {}, _ body: @escaping @Sendable () async -> T
) async -> T {
    let task = Task { await body() }
    let signals = ShutdownSignals {
        onSignal()
        task.cancel()
    }
    let value = await task.value
    withExtendedLifetime(signals) {}
    return value
}
