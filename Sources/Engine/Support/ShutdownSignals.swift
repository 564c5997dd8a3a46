import Dispatch

#if canImport(Glibc)
    import Glibc
#endif

/// Watches SIGINT and SIGTERM and calls `handler` for each, on a global queue (never the main
/// queue, which a blocking input loop may hold). The default actions are turned off meanwhile.
public final class ShutdownSignals: @unchecked Sendable {
    private let sources: [any DispatchSourceSignal]

    public init(_ handler: @escaping @Sendable () -> Void) {
        sources = [SIGINT, SIGTERM].map { sig in
            signal(sig, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: sig, queue: .global())
            source.setEventHandler(handler: handler)
            source.resume()
            return source
        }
    }

    deinit { sources.forEach { $0.cancel() } }
}
