#if canImport(Glibc)
    import Glibc
#endif

public struct FileIOError: Error, CustomStringConvertible, Sendable {
    public var path: String
    public var operation: String
    public var code: Int32

    public var description: String { "\(operation) \(path): \(String(cString: strerror(code)))" }
    public var isNoSpace: Bool { code == ENOSPC || code == EFBIG || code == EDQUOT }
    public var isNotFound: Bool { code == ENOENT }
}

/// Plain POSIX file operations for the local store: whole-file reads, and writes that are
/// atomic (temp file + fsync + rename, then fsync of the folder) so no half-written file is
/// ever visible under its final name.
public enum FileIO {
    public static func readAll(_ path: String) throws(FileIOError) -> [UInt8] {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw FileIOError(path: path, operation: "open", code: errno) }
        defer { close(fd) }
        var st = stat()
        let size = fstat(fd, &st) == 0 ? Int(st.st_size) : 0
        // Straight into the result, sized by fstat (one byte more, to see the end at once).
        var failure: Int32 = 0
        var out = [UInt8](unsafeUninitializedCapacity: size + 1) { buffer, initialized in
            initialized = 0
            while initialized < buffer.count {
                let n = read(fd, buffer.baseAddress! + initialized, buffer.count - initialized)
                if n < 0 && errno == EINTR { continue }
                if n < 0 {
                    failure = errno
                    return
                }
                if n == 0 { return }
                initialized += n
            }
        }
        guard failure == 0 else { throw FileIOError(path: path, operation: "read", code: failure) }
        guard out.count > size else { return out }
        // It grew meanwhile: read on to its end.
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                throw FileIOError(path: path, operation: "read", code: errno)
            }
            if n == 0 { break }
            out.append(contentsOf: chunk[0..<n])
        }
        return out
    }

    /// The file's bytes, or nil when it does not exist.
    /// Not found is nil even when the file vanishes between a listing and this read (a
    /// compaction removing merged parts), not only when it was never there.
    public static func readIfExists(_ path: String) throws(FileIOError) -> [UInt8]? {
        do { return try readAll(path) } catch  where error.isNotFound && error.operation == "open" { return nil }
    }

    public static func exists(_ path: String) -> Bool { access(path, F_OK) == 0 }

    /// Whether `path` itself is a symbolic link (not followed).
    public static func isSymlink(_ path: String) -> Bool {
        var st = stat()
        return lstat(path, &st) == 0 && (st.st_mode & S_IFMT) == S_IFLNK
    }

    /// What changes whenever a file is replaced or written: its inode (an atomic write renames
    /// a new file into place), size and modification time. Nil when it cannot be read.
    public static func changeStamp(_ path: String) -> [Int]? {
        var st = stat()
        guard stat(path, &st) == 0 else { return nil }
        return [Int(st.st_ino), Int(st.st_size), Int(st.st_mtim.tv_sec), Int(st.st_mtim.tv_nsec)]
    }

    /// Last modification, Unix seconds; nil when it cannot be read.
    public static func modificationTime(_ path: String) -> Double? {
        var st = stat()
        guard stat(path, &st) == 0 else { return nil }
        return Double(st.st_mtim.tv_sec) + Double(st.st_mtim.tv_nsec) / 1e9
    }

    public static func isDirectory(_ path: String) -> Bool {
        var st = stat()
        return stat(path, &st) == 0 && (st.st_mode & S_IFMT) == S_IFDIR
    }

    /// Creates a folder and its parents.
    public static func makeDirectories(_ path: String) throws(FileIOError) {
        if isDirectory(path) { return }
        let parent = dirname(of: path)
        if parent != path && !parent.isEmpty { try makeDirectories(parent) }
        if mkdir(path, 0o755) != 0 && errno != EEXIST {
            throw FileIOError(path: path, operation: "mkdir", code: errno)
        }
    }

    /// Names in a folder (no `.`/`..`); empty when it does not exist.
    public static func list(_ path: String) -> [String] {
        guard let dir = opendir(path) else { return [] }
        defer { closedir(dir) }
        var names: [String] = []
        while let entry = readdir(dir) {
            let name = withUnsafePointer(to: entry.pointee.d_name) {
                $0.withMemoryRebound(to: CChar.self, capacity: 256) { String(cString: $0) }
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names
    }

    /// Writes `bytes` to `path` atomically. With `replace: false` an existing file is never
    /// overwritten (link + unlink instead of rename) and `EEXIST` is thrown.
    public static func atomicWrite(_ path: String, _ bytes: [UInt8], replace: Bool = true, mode: mode_t = 0o644) throws(FileIOError) {
        let dir = dirname(of: path)
        let tmp = "\(dir)/.\(basename(of: path)).tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        let fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode)
        guard fd >= 0 else { throw FileIOError(path: tmp, operation: "create", code: errno) }
        var ok = false
        defer { if !ok { unlink(tmp) } }
        do {
            defer { close(fd) }
            var written = 0
            while written < bytes.count {
                let n = bytes.withUnsafeBytes { write(fd, $0.baseAddress! + written, $0.count - written) }
                if n < 0 {
                    if errno == EINTR { continue }
                    throw FileIOError(path: path, operation: "write", code: errno)
                }
                written += n
            }
            guard fsync(fd) == 0 else { throw FileIOError(path: path, operation: "fsync", code: errno) }
        }
        if replace {
            guard Glibc.rename(tmp, path) == 0 else { throw FileIOError(path: path, operation: "rename", code: errno) }
        } else {
            guard link(tmp, path) == 0 else { throw FileIOError(path: path, operation: "link", code: errno) }
            unlink(tmp)
        }
        ok = true
        syncDirectory(dir)
    }

    /// Makes a rename durable.
    public static func syncDirectory(_ dir: String) {
        let fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if fd >= 0 {
            fsync(fd)
            close(fd)
        }
    }

    public static func rename(from: String, to: String) throws(FileIOError) {
        guard Glibc.rename(from, to) == 0 else { throw FileIOError(path: from, operation: "rename", code: errno) }
    }

    public static func remove(_ path: String) { unlink(path) }

    /// Whether a leftover temp file of `atomicWrite` (a crash mid-write).
    public static func isTempName(_ name: String) -> Bool { name.hasPrefix(".") && name.contains(".tmp-") }

    /// A temp file of `atomicWrite` whose writer is gone: only such a one is an interrupted
    /// write's leftover. One whose writer still runs (this process included: a store is opened
    /// while the same cycle's fetch writes the journal beside it) is a write in progress, and
    /// removing it would fail that write. A name without a pid counts as a leftover.
    public static func isLeftoverTemp(_ name: String) -> Bool {
        guard isTempName(name), let marker = name.firstRange(of: ".tmp-") else { return false }
        guard let pid = Int32(name[marker.upperBound...].prefix { $0.isNumber }), pid > 0 else { return true }
        return pid != getpid() && kill(pid, 0) != 0 && errno == ESRCH
    }

    public static func dirname(of path: String) -> String {
        guard let i = path.lastIndex(of: "/") else { return "." }
        return i == path.startIndex ? "/" : String(path[..<i])
    }

    public static func basename(of path: String) -> String {
        guard let i = path.lastIndex(of: "/") else { return path }
        return String(path[path.index(after: i)...])
    }
}
