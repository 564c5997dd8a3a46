#if canImport(Glibc)
    import Glibc
#endif

/// One poller per local store: an exclusive `flock` on `STORE/.lock`, held while the process
/// lives (the kernel drops it when the process ends, also on a crash).
public final class StoreLock: Sendable {
    public let path: String
    private let fd: Int32

    public struct Held: Error, CustomStringConvertible, Sendable {
        public var path: String
        public var holder: String
        public var description: String {
            "another polisen-dash (\(holder)) is already polling this store (\(path)); a second poller would race it. Stop it first, or use `status` and `replay`, which need no lock"
        }
    }

    public init(storeRoot: String) throws {
        try FileIO.makeDirectories(storeRoot)
        path = "\(storeRoot)/.lock"
        var opened = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        // A store that became read-only still locks (flock needs no write access); its cycles
        // then fail at their first write with a clear error, as any other write fault.
        if opened < 0 && errno == EROFS { opened = open(path, O_RDONLY | O_CLOEXEC) }
        guard opened >= 0 else { throw FileIOError(path: path, operation: "open", code: errno) }
        fd = opened
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            let holder = (try? FileIO.readAll(path)).map { String(decoding: $0, as: UTF8.self) } ?? "unknown"
            close(fd)
            throw Held(path: path, holder: holder.isEmpty ? "pid unknown" : holder)
        }
        let note = Array("pid \(getpid())".utf8)
        ftruncate(fd, 0)
        _ = note.withUnsafeBytes { pwrite(fd, $0.baseAddress, $0.count, 0) }
    }

    deinit { close(fd) }
}
