import Dispatch
#if canImport(Glibc)
import Glibc
#endif

/// Runs `body` until it returns or SIGINT/SIGTERM arrives; a signal cancels it, so a waiting
/// cycle stops at once and a running write finishes (writes are atomic either way).
func withShutdownSignals<T: Sendable>(_ body: @escaping @Sendable () async -> T) async -> T {
    let task = Task { await body() }
    let sources = [SIGINT, SIGTERM].map { sig -> any DispatchSourceSignal in
        signal(sig, SIG_IGN)
        let source = DispatchSource.makeSignalSource(signal: sig, queue: .global())
        source.setEventHandler { task.cancel() }
        source.resume()
        return source
    }
    let value = await task.value
    sources.forEach { $0.cancel() }
    return value
}
