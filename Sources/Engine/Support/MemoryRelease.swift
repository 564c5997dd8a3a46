#if canImport(Glibc)
    import Glibc
#endif
import Synchronization

/// A cycle allocates a few hundred kilobytes (the body, its lines, the partitions) on whichever
/// threads its tasks ran, and glibc keeps freed memory in per-thread arenas. Over many cycles
/// that shows as resident memory creeping up; giving free pages back after each cycle keeps a
/// long-running poller flat.
public enum MemoryRelease {
    /// Two arenas instead of eight per core: the cycle's work is short and mostly sequential.
    public static func limitArenas() {
        #if os(Linux)
            _ = glibcMallopt(-8 /* M_ARENA_MAX */, 2)
        #endif
    }

    static func afterCycle() {
        #if os(Linux)
            _ = glibcMallocTrim(0)
            if filePagesDue(at: monotonicSeconds()) { CleanFilePages.release() }
        #endif
    }

    /// Code pages follow what the program does: the dashboard's first frames, a stop, a reload
    /// run code the cycles after them never run again. Giving back clean file pages now and then
    /// keeps only what the last while touched: measured, a 150 s dashboard soak peaked at 22.0 MB
    /// with this and 27.9 MB without. At most every 10 s (reading /proc/self/smaps and faulting
    /// the working set in again cost about a millisecond), and not after the first cycle, which
    /// is all a `poll --once` runs.
    private static let fileRelease = Mutex(FileReleaseSchedule())

    static func filePagesDue(at now: Double) -> Bool { fileRelease.withLock { $0.due(at: now) } }

    struct FileReleaseSchedule {
        var last: Double?
        mutating func due(at now: Double) -> Bool {
            guard let previous = last else {
                last = now
                return false
            }
            guard now - previous >= 10 else { return false }
            last = now
            return true
        }
    }

    private static func monotonicSeconds() -> Double {
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        return Double(now.tv_sec) + Double(now.tv_nsec) / 1e9
    }
}

#if os(Linux)
    // <malloc.h> is not part of the Glibc module; these two are glibc's stable exports.
    @_silgen_name("mallopt") private func glibcMallopt(_ parameter: Int32, _ value: Int32) -> Int32
    @_silgen_name("malloc_trim") private func glibcMallocTrim(_ pad: Int) -> Int32
#endif
