#if canImport(Glibc)
    import Glibc
#endif

/// Most of this process's resident memory is pages of files mapped read-only: the binary's
/// code and those of the ~40 shared libraries libcurl brings (libcrypto, gnutls, krb5, ldap...).
/// The dynamic loader and the libraries' initialisers touch many of them once (relocation
/// tables, symbol tables, set-up code), and the kernel maps 64 KB around every fault; those
/// pages then stay mapped for the life of the process although nothing reads them again.
/// Unmapping them gives them back to the page cache, where they stay; a later read faults the
/// page in again from there, so it is safe for any mapping whose pages are all still the file's
/// own (a read-only private mapping with no anonymous, i.e. copied-on-write, page: never the
/// relocated `.data.rel.ro` that RELRO made read-only).
public enum CleanFilePages {
    /// Unmaps every page of every read-only private file mapping that holds no written page.
    /// Returns the kilobytes that were resident in them (0 where /proc is not there).
    @discardableResult
    public static func release() -> Int {
        #if os(Linux)
            guard let smaps = readSmaps() else { return 0 }
            var released = 0
            for mapping in droppable(in: smaps) {
                guard let address = UnsafeMutableRawPointer(bitPattern: mapping.start) else { continue }
                if madvise(address, Int(mapping.end - mapping.start), MADV_DONTNEED) == 0 { released += mapping.residentKB }
            }
            return released
        #else
            return 0
        #endif
    }

    struct Mapping: Equatable {
        var start: UInt, end: UInt
        var residentKB: Int
    }

    /// The mappings of an smaps text that are safe to drop: read-only (no `w`), private (`p`),
    /// backed by a file (a path starting with `/`), with `Anonymous: 0 kB`, and resident.
    /// One pass over the bytes without allocating per line: it runs every few seconds.
    static func droppable(in smaps: [UInt8]) -> [Mapping] {
        smaps.withUnsafeBufferPointer { text in
            var result: [Mapping] = []
            var current = Mapping(start: 0, end: 0, residentKB: 0)
            var candidate = false, anonymousKB = -1
            func finish() {
                if candidate, anonymousKB == 0, current.residentKB > 0 { result.append(current) }
            }
            var i = 0
            let n = text.count
            while i < n {
                let first = text[i]
                if first >= UInt8(ascii: "A"), first <= UInt8(ascii: "Z") {
                    // "Key:   value kB"; only two keys matter.
                    if matches(text, i, "Rss:") {
                        current.residentKB = number(text, from: i + 4)
                    } else if matches(text, i, "Anonymous:") {
                        anonymousKB = number(text, from: i + 10)
                    }
                } else {
                    // A mapping's header: start-end perms offset dev inode [path]
                    finish()
                    candidate = false
                    anonymousKB = -1
                    var j = i
                    let start = hex(text, &j)
                    if j < n, text[j] == UInt8(ascii: "-") {
                        j += 1
                        let end = hex(text, &j)
                        if end > start, j + 5 < n {
                            current = Mapping(start: start, end: end, residentKB: 0)
                            let perms = (text[j + 1], text[j + 2], text[j + 4])
                            // The path is the sixth field (after padding); only a file's begins with "/".
                            var fields = 1, k = j + 1
                            while k < n, text[k] != UInt8(ascii: "\n"), fields < 5 {
                                if text[k] == UInt8(ascii: " ") { fields += 1 }
                                k += 1
                            }
                            while k < n, text[k] == UInt8(ascii: " ") { k += 1 }
                            candidate =
                                perms == (UInt8(ascii: "r"), UInt8(ascii: "-"), UInt8(ascii: "p"))
                                && k < n && text[k] == UInt8(ascii: "/")
                        }
                    }
                }
                while i < n, text[i] != UInt8(ascii: "\n") { i += 1 }
                i += 1
            }
            finish()
            return result
        }
    }

    private static func matches(_ text: UnsafeBufferPointer<UInt8>, _ at: Int, _ key: StaticString) -> Bool {
        let count = key.utf8CodeUnitCount
        guard at + count <= text.count else { return false }
        let bytes = key.utf8Start
        for k in 0..<count where text[at + k] != bytes[k] { return false }
        return true
    }

    private static func hex(_ text: UnsafeBufferPointer<UInt8>, _ i: inout Int) -> UInt {
        var value: UInt = 0
        while i < text.count {
            let d = text[i]
            switch d {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): value = value << 4 | UInt(d - UInt8(ascii: "0"))
            case UInt8(ascii: "a")...UInt8(ascii: "f"): value = value << 4 | UInt(d - UInt8(ascii: "a") + 10)
            default: return value
            }
            i += 1
        }
        return value
    }

    /// The decimal number after spaces at `from`; -1 if there is none.
    private static func number(_ text: UnsafeBufferPointer<UInt8>, from: Int) -> Int {
        var i = from
        while i < text.count, text[i] == UInt8(ascii: " ") { i += 1 }
        var value = -1
        while i < text.count, text[i] >= UInt8(ascii: "0"), text[i] <= UInt8(ascii: "9") {
            value = max(value, 0) * 10 + Int(text[i] - UInt8(ascii: "0"))
            i += 1
        }
        return value
    }

    #if os(Linux)
        private static func readSmaps() -> [UInt8]? {
            let fd = open("/proc/self/smaps", O_RDONLY | O_CLOEXEC)
            guard fd >= 0 else { return nil }
            defer { close(fd) }
            var capacity = 512 * 1024, count = 0
            guard var buffer = malloc(capacity) else { return nil }
            defer { free(buffer) }
            while true {
                if count == capacity {
                    guard let grown = realloc(buffer, capacity * 2) else { return nil }
                    buffer = grown
                    capacity *= 2
                }
                let n = read(fd, buffer + count, capacity - count)
                if n < 0, errno == EINTR { continue }
                if n < 0 { return nil }
                if n == 0 { break }
                count += n
            }
            return Array(UnsafeRawBufferPointer(start: buffer, count: count).bindMemory(to: UInt8.self))
        }
    #endif
}
