#if canImport(Glibc)
    import Glibc
#endif

/// Runs one shell command line (`/bin/sh -c LINE`) with bytes on its standard input, extra
/// environment variables, and a time limit, through posix_spawn. Blocking: call it on a thread
/// of its own.
///
/// The command runs in a process group of its own, so the whole group (a pipeline, anything it
/// started) is killed when the time is up. Its standard input and error are unlinked temporary
/// files: a command that never reads, or writes a lot, cannot block us on a pipe, and no
/// SIGPIPE can reach this process. Its standard output is discarded (it must never reach the
/// dashboard's terminal); the end of its standard error is kept for the failure message. It
/// inherits none of our other descriptors (the store lock, sockets) and the default handling
/// of the signals we ignore.
public enum ShellCommand {
    public enum Outcome: Sendable, Equatable {
        case exited(Int32)
        case killedBySignal(Int32)
        case timedOut
        case couldNotStart(String)
    }

    public struct Result: Sendable, Equatable {
        public var outcome: Outcome
        /// The last line of what it wrote on standard error (at most ~300 bytes), if anything.
        public var stderrTail: String
    }

    /// - started: told the process id (also its process group's) once it runs.
    public static func run(
        _ line: String, stdin input: [UInt8], environment extra: [String: String],
        timeout: Double, started: (pid_t) -> Void = { _ in }
    ) -> Result {
        guard let stdinFD = temporaryFile(holding: input) else {
            return Result(outcome: .couldNotStart("no temporary file: \(errnoText())"), stderrTail: "")
        }
        defer { close(stdinFD) }
        guard let stderrFD = temporaryFile(holding: []) else {
            return Result(outcome: .couldNotStart("no temporary file: \(errnoText())"), stderrTail: "")
        }
        defer { close(stderrFD) }

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, stdinFD, 0)
        posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
        posix_spawn_file_actions_adddup2(&actions, stderrFD, 2)
        // Every other descriptor is closed in the child. With glibc's closefrom action (2.34+)
        // race-free; a list made before the spawn misses a descriptor another thread opens
        // meanwhile without FD_CLOEXEC (seen in the test suite while other tests started
        // processes), so it is only the fallback (also when the action could not be added).
        let closesFrom3 = Self.addCloseFrom.map { $0(&actions, 3) == 0 } ?? false
        if !closesFrom3 {
            for fd in inheritableDescriptors() { posix_spawn_file_actions_addclose(&actions, fd) }
        }

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var defaults = sigset_t()
        var empty = sigset_t()
        sigemptyset(&defaults)
        sigemptyset(&empty)
        for s in [SIGINT, SIGTERM, SIGPIPE, SIGHUP, SIGQUIT, SIGCHLD] { sigaddset(&defaults, s) }
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setsigmask(&attributes, &empty)
        posix_spawnattr_setpgroup(&attributes, 0)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK))

        var env = environmentWithout(Set(extra.keys))
        for (k, v) in extra.sorted(by: { $0.key < $1.key }) { env.append("\(k)=\(v)") }
        let argv = ["/bin/sh", "-c", line]
        var pid: pid_t = 0
        let spawned = withCStrings(argv) { cArgv in
            withCStrings(env) { cEnv in posix_spawn(&pid, "/bin/sh", &actions, &attributes, cArgv, cEnv) }
        }
        guard spawned == 0 else { return Result(outcome: .couldNotStart(String(cString: strerror(spawned))), stderrTail: "") }

        started(pid)
        let outcome = wait(pid, timeout: timeout)
        return Result(outcome: outcome, stderrTail: tail(of: stderrFD))
    }

    /// Waits for `pid`, polling (a few ms at first, then up to 50 ms apart); at the deadline
    /// kills its process group and reaps it.
    private static func wait(_ pid: pid_t, timeout: Double) -> Outcome {
        let deadline = monotonicNow() + timeout
        var pause: useconds_t = 2_000
        var status: Int32 = 0
        while true {
            let r = waitpid(pid, &status, WNOHANG)
            if r == pid { break }
            if r < 0 && errno != EINTR { return .couldNotStart("waitpid: \(errnoText())") }
            if monotonicNow() >= deadline {
                kill(-pid, SIGKILL)
                while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
                return .timedOut
            }
            usleep(pause)
            pause = min(pause * 2, 50_000)
        }
        // WIFEXITED / WEXITSTATUS / WTERMSIG are macros: decoded by hand.
        let signal = status & 0x7F
        return signal == 0 ? .exited((status >> 8) & 0xFF) : .killedBySignal(signal)
    }

    private static func temporaryFile(holding bytes: [UInt8]) -> Int32? {
        let dir = getenv("TMPDIR").map { String(cString: $0) }.flatMap { $0.isEmpty ? nil : $0 } ?? "/tmp"
        var template = Array("\(dir)/polisen-watch-XXXXXX".utf8CString)
        let fd = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        guard fd >= 0 else { return nil }
        _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
        unlink(template.withUnsafeBufferPointer { String(cString: $0.baseAddress!) })
        var written = 0
        while written < bytes.count {
            let n = bytes[written...].withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else {
                close(fd)
                return nil
            }
            written += n
        }
        lseek(fd, 0, SEEK_SET)
        return fd
    }

    /// The last non-empty line of the file, at most ~300 bytes of its end.
    private static func tail(of fd: Int32) -> String {
        let size = lseek(fd, 0, SEEK_END)
        guard size > 0 else { return "" }
        let count = Int(min(size, 300))
        var buffer = [UInt8](repeating: 0, count: count)
        let n = buffer.withUnsafeMutableBytes { pread(fd, $0.baseAddress, count, off_t(size) - off_t(count)) }
        guard n > 0 else { return "" }
        let text = String(decoding: buffer.prefix(n), as: UTF8.self)
        let lines = text.split(whereSeparator: \.isNewline).filter { !$0.allSatisfy(\.isWhitespace) }
        return lines.last.map(String.init) ?? ""
    }

    /// Our descriptors from 3 up that a child would inherit (not close-on-exec): the store
    /// lock, sockets. (posix_spawn's closefrom action is a GNU extension Swift does not see.)
    /// Closing one that is gone by the time the child starts is harmless.
    /// `posix_spawn_file_actions_addclosefrom_np`, looked up at run time: Swift's Glibc module
    /// does not declare it.
    private static let addCloseFrom: (@convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32)? = {
        guard let symbol = dlsym(nil, "posix_spawn_file_actions_addclosefrom_np") else { return nil }
        return unsafeBitCast(symbol, to: (@convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32).self)
    }()

    private static func inheritableDescriptors() -> [Int32] {
        guard let dir = opendir("/proc/self/fd") else { return [] }
        defer { closedir(dir) }
        let own = dirfd(dir)
        var out: [Int32] = []
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            guard let fd = Int32(name), fd >= 3, fd != own else { continue }
            let flags = fcntl(fd, F_GETFD)
            if flags >= 0 && flags & FD_CLOEXEC == 0 { out.append(fd) }
        }
        return out
    }

    private static func environmentWithout(_ names: Set<String>) -> [String] {
        var out: [String] = []
        var p = environ
        while let entry = p.pointee {
            let text = String(cString: entry)
            if !names.contains(String(text.prefix { $0 != "=" })) { out.append(text) }
            p += 1
        }
        return out
    }

    private static func withCStrings<R>(_ strings: [String], _ body: ([UnsafeMutablePointer<CChar>?]) -> R) -> R {
        var pointers: [UnsafeMutablePointer<CChar>?] = strings.map { strdup($0) }
        pointers.append(nil)
        defer { for p in pointers { free(p) } }
        return body(pointers)
    }

    private static func monotonicNow() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
    }

    private static func errnoText() -> String { String(cString: strerror(errno)) }
}
