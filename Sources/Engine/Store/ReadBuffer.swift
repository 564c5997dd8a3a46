#if canImport(Glibc)
    import Glibc
#endif

/// One buffer that a reading thread reads file after file into. Its pages stay mapped (and
/// warm in the core's cache) from one file to the next: a fresh allocation per file costs a
/// page fault and a page clearing per 4 KB, which in a compacted year of 150 KB files was a
/// tenth of a search's time. Owned by one thread; what `read` returns is valid until the next.
final class ReadBuffer {
    private var base: UnsafeMutableRawPointer?
    private var capacity = 0

    deinit { free(base) }

    /// The whole file at `path` (nil when there is none), read into this buffer.
    func read(_ path: UnsafePointer<CChar>) throws(FileIOError) -> UnsafeBufferPointer<UInt8>? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            let code = errno
            if code == ENOENT { return nil }
            throw FileIOError(path: String(cString: path), operation: "open", code: code)
        }
        defer { close(fd) }
        var st = stat()
        // One byte more than its size, to see the end at once; a file that grew meanwhile is
        // read on to its end.
        reserve(fstat(fd, &st) == 0 ? Int(st.st_size) + 1 : 1 << 16)
        var filled = 0
        while true {
            if filled == capacity { reserve(capacity * 2) }
            let n = Glibc.read(fd, base! + filled, capacity - filled)
            if n < 0 {
                if errno == EINTR { continue }
                throw FileIOError(path: String(cString: path), operation: "read", code: errno)
            }
            if n == 0 { break }
            filled += n
        }
        return UnsafeBufferPointer(start: base!.assumingMemoryBound(to: UInt8.self), count: filled)
    }

    private func reserve(_ n: Int) {
        guard n > capacity else { return }
        // Rounded up, so that files of similar sizes do not each grow it a little.
        let size = max(n, 1 << 16).roundedUpToPowerOfTwo
        guard let grown = realloc(base, size) else { fatalError("out of memory reading \(size) bytes") }
        base = grown
        capacity = size
    }
}

extension Int {
    fileprivate var roundedUpToPowerOfTwo: Int { self <= 1 ? 1 : 1 << (Int.bitWidth - (self - 1).leadingZeroBitCount) }
}
