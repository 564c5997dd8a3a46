#if canImport(Glibc)
    import Glibc
#endif

/// Runs blocking work (a libcurl transfer, the terminal loop) on a thread of its own. The global
/// dispatch queues on Linux run only about as many blocking items at once as there are cores,
/// which would serialise a cycle's parallel partition writes on a 2-core machine.
public enum DedicatedThread {
    private final class Work {
        let body: () -> Void
        init(_ body: @escaping () -> Void) { self.body = body }
    }

    public static func run(_ body: @escaping @Sendable () -> Void) {
        // No thread to be had: run it here rather than lose the request.
        if !start(body) { body() }
    }

    /// Starts `body` on a thread of its own; false (and `body` not run) when none can be had.
    public static func start(_ body: @escaping @Sendable () -> Void) -> Bool {
        let work = Unmanaged.passRetained(Work(body)).toOpaque()
        var attributes = pthread_attr_t()
        pthread_attr_init(&attributes)
        defer { pthread_attr_destroy(&attributes) }
        pthread_attr_setdetachstate(&attributes, Int32(PTHREAD_CREATE_DETACHED))
        pthread_attr_setstacksize(&attributes, 1 << 20)
        var thread = pthread_t()
        let started = pthread_create(
            &thread, &attributes,
            { context in
                let work = Unmanaged<Work>.fromOpaque(context!).takeRetainedValue()
                work.body()
                return nil
            }, work)
        if started != 0 { Unmanaged<Work>.fromOpaque(work).release() }
        return started == 0
    }
}
