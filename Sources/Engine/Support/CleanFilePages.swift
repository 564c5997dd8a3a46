#if canImport(Glibc)
    import Glibc
#endif
import Synchronization

/// Most of this process's resident memory is pages of files mapped read-only: the binary's
/// code and those of the ~40 shared libraries libcurl brings (libcrypto, gnutls, krb5, ldap...).
/// The dynamic loader and the libraries' initialisers touch many of them once (relocation
/// tables, symbol tables, set-up code), and the kernel maps 64 KB around every fault; those
/// pages then stay mapped for the life of the process although nothing reads them again.
/// Unmapping them gives them back to the page cache, where they stay; a later read faults the
/// page in again from there, so it is safe for any mapping whose pages are all still the file's
/// own: a read-only private mapping with no copied-on-write page, neither in memory
/// (`Anonymous`) nor swapped out (`Swap`) — never the relocated `.data.rel.ro` that RELRO made
/// read-only, whose pages would come back as the file's unrelocated bytes.
///
/// Only the mappings of the program and of the libraries loaded with it are given back: the
/// loader never unmaps those, so while one thread releases, no other thread can have unmapped
/// such a range and reused its addresses (`madvise` would then empty someone's fresh memory).
/// Which they are is read at the first release, which `main` makes before any thread starts.
public enum CleanFilePages {
    /// Unmaps every page of every read-only private mapping of a loaded object that holds no
    /// written page. Returns the kilobytes that were resident in them (0 where /proc is not there).
    @discardableResult
    public static func release() -> Int {
        #if os(Linux)
            guard let smaps = readSmaps() else { return 0 }
            let entries = parse(smaps)
            let objects = startObjects.withLock { known in
                if known == nil { known = loadedObjects(in: entries) }
                return known ?? []
            }
            var released = 0
            for mapping in droppable(in: entries, within: objects) {
                guard let address = UnsafeMutableRawPointer(bitPattern: mapping.start) else { continue }
                if madvise(address, Int(mapping.end - mapping.start), MADV_DONTNEED) == 0 { released += mapping.residentKB }
            }
            return released
        #else
            return 0
        #endif
    }

    /// The address ranges of the objects loaded when the first release ran.
    private static let startObjects = Mutex<[Range<UInt>]?>(nil)

    struct Mapping: Equatable {
        var start: UInt, end: UInt
        var residentKB: Int
    }

    /// The address ranges of every mapping of a file that has executable code mapped (the
    /// program and its libraries; not data files mapped for reading, which can be unmapped).
    static func loadedObjects(in entries: [Entry]) -> [Range<UInt>] {
        // A few dozen files: a list is enough.
        let objects = entries.filter { $0.isFile && $0.executable && $0.inode != 0 }.map(\.file)
        return entries.filter { e in e.isFile && objects.contains(e.file) }.map { $0.start..<$0.end }
    }

    /// The mappings of an smaps text that are safe to drop: read-only (no `w`), private (`p`),
    /// backed by a file (a path starting with `/`) and lying within one of `objects`, with
    /// `Anonymous: 0 kB` and `Swap: 0 kB` (a missing line is not zero), and resident.
    static func droppable(in entries: [Entry], within objects: [Range<UInt>]) -> [Mapping] {
        entries.compactMap { e in
            guard e.isFile, e.readOnlyPrivate, e.anonymousKB == 0, e.swapKB == 0, e.residentKB > 0,
                objects.contains(where: { $0.lowerBound <= e.start && e.end <= $0.upperBound })
            else { return nil }
            return Mapping(start: e.start, end: e.end, residentKB: e.residentKB)
        }
    }

    struct Entry {
        var start: UInt = 0, end: UInt = 0
        var readOnlyPrivate = false, executable = false, isFile = false
        var device: UInt = 0, inode: UInt = 0
        var residentKB = -1, anonymousKB = -1, swapKB = -1
        var file: FileKey { FileKey(device: device, inode: inode) }
    }

    struct FileKey: Equatable { var device: UInt, inode: UInt }

    /// One pass over the bytes, nothing allocated per line: it runs every few seconds.
    static func parse(_ smaps: [UInt8]) -> [Entry] {
        smaps.withUnsafeBufferPointer { text in
            var result: [Entry] = []
            var current: Entry?
            var i = 0
            let n = text.count
            while i < n {
                let first = text[i]
                if first >= UInt8(ascii: "A"), first <= UInt8(ascii: "Z") {
                    // "Key:   value kB"; three keys matter.
                    if matches(text, i, "Rss:") {
                        current?.residentKB = number(text, from: i + 4)
                    } else if matches(text, i, "Anonymous:") {
                        current?.anonymousKB = number(text, from: i + 10)
                    } else if matches(text, i, "Swap:") {
                        current?.swapKB = number(text, from: i + 5)
                    }
                } else {
                    // A mapping's header: start-end perms offset dev inode [path]
                    if let done = current { result.append(done) }
                    current = header(text, at: i)
                }
                while i < n, text[i] != UInt8(ascii: "\n") { i += 1 }
                i += 1
            }
            if let done = current { result.append(done) }
            return result
        }
    }

    private static func header(_ text: UnsafeBufferPointer<UInt8>, at i: Int) -> Entry? {
        let n = text.count
        var j = i
        var e = Entry()
        e.start = hex(text, &j)
        guard j < n, text[j] == UInt8(ascii: "-") else { return nil }
        j += 1
        e.end = hex(text, &j)
        guard e.end > e.start, j + 5 < n else { return nil }
        let (r, w, x, p) = (text[j + 1], text[j + 2], text[j + 3], text[j + 4])
        e.readOnlyPrivate = r == UInt8(ascii: "r") && w == UInt8(ascii: "-") && p == UInt8(ascii: "p")
        e.executable = x == UInt8(ascii: "x")
        // Then offset, device, inode, and after padding the path; only a file's begins with "/".
        var k = j + 5
        for field in 0..<2 {
            while k < n, text[k] == UInt8(ascii: " ") { k += 1 }
            while k < n, text[k] != UInt8(ascii: " "), text[k] != UInt8(ascii: "\n") {
                if field == 1 { e.device = e.device &* 131 &+ UInt(text[k]) }  // "fe:00", as a key
                k += 1
            }
        }
        while k < n, text[k] == UInt8(ascii: " ") { k += 1 }
        while k < n, text[k] >= UInt8(ascii: "0"), text[k] <= UInt8(ascii: "9") {
            e.inode = e.inode &* 10 &+ UInt(text[k] - UInt8(ascii: "0"))
            k += 1
        }
        while k < n, text[k] == UInt8(ascii: " ") { k += 1 }
        e.isFile = k < n && text[k] == UInt8(ascii: "/")
        return e
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
        /// procfs gives no size; `readAll` reads on to the end.
        private static func readSmaps() -> [UInt8]? { try? FileIO.readAll("/proc/self/smaps") }
    #endif
}
