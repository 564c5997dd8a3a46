#if canImport(Glibc)
    import Glibc
#endif

/// One poller per local store, and one per state folder of a shared (S3) store: an exclusive
/// `flock` on `STORE/.lock`, or on the state folder's lock file for that store (pollers on one
/// bucket from one state folder would share one journal and one call ledger; each poller needs
/// a state folder of its own). Held while the process lives (the kernel drops it when the
/// process ends, also on a crash).
public final class StoreLock: Sendable {
    public let path: String
    private let fd: Int32

    public struct Held: Error, CustomStringConvertible, Sendable {
        public var path: String
        public var holder: String
        /// The shared store polled, when the lock is its state folder's.
        public var store: String?
        public var description: String {
            guard let store else {
                return
                    "another polisen-dash (\(holder)) is already polling this store (\(path)); a second poller would race it. Stop it first, or use `status` and `replay`, which need no lock"
            }
            return
                "another polisen-dash (\(holder)) is already polling \(store) from this state folder (\(path)); a second one would share its journal and call ledger. Stop it first, give the second poller a state folder of its own (XDG_STATE_HOME), or use `status` and `replay`, which need no lock"
        }
    }

    public convenience init(storeRoot: String) throws {
        try FileIO.makeDirectories(storeRoot)
        try self.init(path: "\(storeRoot)/.lock")
    }

    /// `store`: the shared store this state folder's lock is for (named in the refusal).
    public init(path: String, store: String? = nil) throws {
        try FileIO.makeDirectories(FileIO.dirname(of: path))
        self.path = path
        var opened = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        // A store that became read-only still locks (flock needs no write access); its cycles
        // then fail at their first write with a clear error, as any other write fault.
        if opened < 0 && errno == EROFS { opened = open(path, O_RDONLY | O_CLOEXEC) }
        guard opened >= 0 else { throw FileIOError(path: path, operation: "open", code: errno) }
        fd = opened
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            let holder = (try? FileIO.readAll(path)).map { String(decoding: $0, as: UTF8.self) } ?? "unknown"
            close(fd)
            throw Held(path: path, holder: holder.isEmpty ? "pid unknown" : holder, store: store)
        }
        let note = Array("pid \(getpid())".utf8)
        ftruncate(fd, 0)
        _ = note.withUnsafeBytes { pwrite(fd, $0.baseAddress, $0.count, 0) }
    }

    deinit { close(fd) }
}
