#if canImport(Glibc)
    import Glibc
#endif

/// Whole writes to stdout and stderr, without Foundation's FileHandle.
enum StandardStreams {
    static func error(_ text: String) { write(2, text) }
    static func output(_ text: String) { write(1, text) }

    private static func write(_ fd: Int32, _ text: String) {
        var text = text
        text.withUTF8 { bytes in
            var offset = 0
            while offset < bytes.count {
                let n = Glibc.write(fd, bytes.baseAddress! + offset, bytes.count - offset)
                if n < 0 && errno == EINTR { continue }
                guard n > 0 else { return }
                offset += n
            }
        }
    }
}
