import Engine

#if canImport(Glibc)
    import Glibc
#endif

/// Opens a page with `$BROWSER` or `xdg-open`, whichever is there: started with posix_spawn,
/// its output discarded, reaped on a thread of its own, so the dashboard never waits on it.
public enum URLOpener {
    /// The program that would open a URL, or nil when there is none.
    public static func opener(environment: [String: String]) -> String? {
        let path = (environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":").map(String.init)
        var candidates: [String] = []
        // $BROWSER may be a list separated by ':' (the old convention); take the first that exists.
        if let browser = environment["BROWSER"], !browser.isEmpty {
            candidates += browser.split(separator: ":").map(String.init)
        }
        candidates.append("xdg-open")
        for name in candidates {
            if name.contains("/") {
                if access(name, X_OK) == 0 { return name }
                continue
            }
            for dir in path where access(dir + "/" + name, X_OK) == 0 { return dir + "/" + name }
        }
        return nil
    }

    /// Starts the opener on `url`; false when there is no opener or it could not start.
    public static func open(_ url: String, environment: [String: String]) -> Bool {
        guard let program = opener(environment: environment) else { return false }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        for fd: Int32 in [0, 1, 2] {
            posix_spawn_file_actions_addopen(&actions, fd, "/dev/null", fd == 0 ? O_RDONLY : O_WRONLY, 0)
        }
        let args = [program, url]
        var argv: [UnsafeMutablePointer<CChar>?] = args.map { strdup($0) } + [nil]
        defer { for p in argv { free(p) } }
        var pid: pid_t = 0
        guard posix_spawn(&pid, program, &actions, nil, &argv, environ) == 0 else { return false }
        let child = pid
        DedicatedThread.run {
            var status: Int32 = 0
            _ = waitpid(child, &status, 0)
        }
        return true
    }
}
