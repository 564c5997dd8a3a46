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
        #endif
    }
}

#if os(Linux)
    // <malloc.h> is not part of the Glibc module; these two are glibc's stable exports.
    @_silgen_name("mallopt") private func glibcMallopt(_ parameter: Int32, _ value: Int32) -> Int32
    @_silgen_name("malloc_trim") private func glibcMallocTrim(_ pad: Int) -> Int32
#endif
