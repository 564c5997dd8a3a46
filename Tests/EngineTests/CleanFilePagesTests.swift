import Testing

@testable import Engine

@Suite struct CleanFilePagesTests {
    /// One mapping of each kind /proc/PID/smaps shows, abridged to the lines the parser reads.
    static let smaps = """
        55d0a0000000-55d0a1000000 r-xp 00000000 fe:00 123 /usr/bin/polisen-dash
        Size:              16384 kB
        Rss:                8192 kB
        Anonymous:             0 kB
        Swap:                  0 kB
        SwapPss:               0 kB
        VmFlags: rd ex mr mw me
        55d0a1000000-55d0a1100000 r--p 01000000 fe:00 123 /usr/bin/polisen-dash
        Rss:                 512 kB
        Anonymous:           512 kB
        Swap:                  0 kB
        55d0a1100000-55d0a1200000 r--p 01100000 fe:00 123 /usr/bin/polisen-dash
        Rss:                  64 kB
        Anonymous:             0 kB
        Swap:                448 kB
        55d0a1200000-55d0a1300000 rw-p 01200000 fe:00 123 /usr/bin/polisen-dash
        Rss:                1024 kB
        Anonymous:          1024 kB
        Swap:                  0 kB
        55d0a2000000-55d0a2100000 rw-p 00000000 00:00 0 [heap]
        Rss:                 860 kB
        Anonymous:           860 kB
        Swap:                  0 kB
        7f0000000000-7f0000100000 r--p 00000000 fe:00 456 /usr/lib/x86_64-linux-gnu/libcrypto.so.3
        Rss:                 788 kB
        Anonymous:             0 kB
        Swap:                  0 kB
        7f0000100000-7f0000200000 r-xp 00100000 fe:00 456 /usr/lib/x86_64-linux-gnu/libcrypto.so.3
        Rss:                   0 kB
        Anonymous:             0 kB
        Swap:                  0 kB
        7f0000300000-7f0000400000 r--s 00000000 fe:00 789 /var/cache/shared-file
        Rss:                  64 kB
        Anonymous:             0 kB
        Swap:                  0 kB
        7f0000400000-7f0000401000 r--p 00000000 00:00 0 [vvar]
        Rss:                   4 kB
        Anonymous:             0 kB
        Swap:                  0 kB
        7f0000500000-7f0000600000 r-xp 00000000 fe:00 999 /usr/lib/x86_64-linux-gnu/libc.so.6 (deleted)
        Rss:                1048 kB
        Anonymous:             0 kB
        Swap:                  0 kB
        7f0000700000-7f0000800000 r--p 00000000 fe:00 555 /var/lib/store/part-00000001.jsonl
        Rss:                 128 kB
        Anonymous:             0 kB
        Swap:                  0 kB
        7f0000800000-7f0000900000 r--p 00000000 fe:01 123 /mnt/other-disk/same-inode-number
        Rss:                 128 kB
        Anonymous:             0 kB
        Swap:                  0 kB
        """

    static var text: [CleanFilePages.Entry] { CleanFilePages.parse(Array(smaps.utf8)) }

    @Test func theLoadedObjectsAreTheFilesWithCodeMapped() {
        let objects = CleanFilePages.loadedObjects(in: Self.text)
        // Every mapping of the binary, libcrypto and the replaced libc; not the data files (a
        // part file read through a mapping can be unmapped at any time), nor an inode of the
        // same number on another device.
        #expect(
            objects == [
                0x55d0_a000_0000..<0x55d0_a100_0000, 0x55d0_a100_0000..<0x55d0_a110_0000,
                0x55d0_a110_0000..<0x55d0_a120_0000, 0x55d0_a120_0000..<0x55d0_a130_0000,
                0x7f00_0000_0000..<0x7f00_0010_0000, 0x7f00_0010_0000..<0x7f00_0020_0000,
                0x7f00_0050_0000..<0x7f00_0060_0000,
            ])
    }

    @Test func dropsOnlyReadOnlyPrivateMappingsOfLoadedObjectsWithNoWrittenPage() {
        let found = CleanFilePages.droppable(in: Self.text, within: CleanFilePages.loadedObjects(in: Self.text))
        #expect(
            found == [
                .init(start: 0x55d0_a000_0000, end: 0x55d0_a100_0000, residentKB: 8192),  // the binary's code
                .init(start: 0x7f00_0000_0000, end: 0x7f00_0010_0000, residentKB: 788),  // a library's headers
                .init(start: 0x7f00_0050_0000, end: 0x7f00_0060_0000, residentKB: 1048),  // a replaced library
            ])
        // Not: relocated read-only data (RELRO), in memory or swapped out (dropping a swapped
        // copy-on-write page would bring back the file's unrelocated bytes), writable data, the
        // heap, a mapping with nothing resident, a shared mapping, the kernel's [vvar], a data file.
    }

    @Test func onlyWithinTheObjectsGiven() {
        let found = CleanFilePages.droppable(in: Self.text, within: [0x7f00_0000_0000..<0x7f00_0020_0000])
        #expect(found == [.init(start: 0x7f00_0000_0000, end: 0x7f00_0010_0000, residentKB: 788)])
        #expect(CleanFilePages.droppable(in: Self.text, within: []).isEmpty)
    }

    @Test func aMappingWithoutAnAnonymousOrASwapLineIsKept() {
        // An smaps from a kernel that did not say: unknown is not zero.
        let everything = [UInt(0)..<UInt.max]
        let noAnonymous = "7f0000000000-7f0000100000 r-xp 00000000 fe:00 456 /usr/lib/libx.so\nRss: 64 kB\nSwap: 0 kB\n"
        #expect(CleanFilePages.droppable(in: CleanFilePages.parse(Array(noAnonymous.utf8)), within: everything).isEmpty)
        let noSwap = "7f0000000000-7f0000100000 r-xp 00000000 fe:00 456 /usr/lib/libx.so\nRss: 64 kB\nAnonymous: 0 kB\n"
        #expect(CleanFilePages.droppable(in: CleanFilePages.parse(Array(noSwap.utf8)), within: everything).isEmpty)
        let both = noSwap + "Swap: 0 kB\n"
        #expect(CleanFilePages.droppable(in: CleanFilePages.parse(Array(both.utf8)), within: everything).count == 1)
    }

    #if os(Linux)
        /// The real thing on this process: pages are given back, and what was relocated or
        /// written is still there (a dropped written page would come back as the file's bytes).
        @Test func releasingKeepsTheProcessWhole() {
            let table = (0..<10_000).map { "entry \($0)" }
            let resolved: (Int) -> String = { String($0, radix: 16) }  // a call through relocated data
            let released = CleanFilePages.release()
            #expect(released > 0)
            #expect(table[9_999] == "entry 9999")
            #expect(resolved(255) == "ff")
            #expect(String(describing: type(of: table)) == "Array<String>")  // metadata and conformances
            // Again at once: what was dropped faults back in from the page cache and is dropped again.
            #expect(CleanFilePages.release() > 0)
        }
    #endif
}

@Suite struct FileReleaseScheduleTests {
    @Test func notAfterTheFirstCycleThenAtMostEveryTenSeconds() {
        var schedule = MemoryRelease.FileReleaseSchedule()
        let answers = [100, 109.9, 110, 115, 150].map { schedule.due(at: $0) }
        // Not after the first cycle (a one-shot poll ends right after it), then 10 s apart.
        #expect(answers == [false, false, true, false, true])
    }
}
