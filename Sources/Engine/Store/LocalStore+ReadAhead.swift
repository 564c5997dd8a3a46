#if canImport(Glibc)
    import Glibc
#endif

extension LocalStore {
    /// Reads the parts on a few threads of their own, a bounded number of files ahead of
    /// `body`, which gets them in order. From the page cache this overlaps the kernel's copying
    /// with the caller's work (two cores); from disk it keeps several reads in flight, where one
    /// file after another would wait out each read in turn.
    public func readParts(_ parts: [PartRef], _ body: (Int, Result<[UInt8], any Error>) throws -> Void) async throws {
        guard parts.count > 1 else {
            for (i, part) in parts.enumerated() { try body(i, Result { try readPartNow(part) }) }
            return
        }
        let ahead = ReadAhead(count: parts.count, window: 64, maxBytes: 4 << 20, workers: 2...8) { [root] i in
            var path = Array(root.utf8)
            path.append(0x2F)
            parts[i].appendKey(to: &path)
            let name = String(decoding: path, as: UTF8.self)
            do {
                guard let bytes = try FileIO.readIfExists(name) else { return .failure(StoreError.notFound(name)) }
                return .success(bytes)
            } catch { return .failure(error) }
        }
        defer { ahead.stop() }
        ahead.start()
        for i in parts.indices { try body(i, ahead.take(i)) }
    }

    private func readPartNow(_ part: PartRef) throws -> [UInt8] {
        guard let bytes = try FileIO.readIfExists("\(root)/\(part.key)") else { throw StoreError.notFound("\(root)/\(part.key)") }
        return bytes
    }
}

/// Results of `read(i)` for i in 0..<count, read by worker threads at most `window` indices
/// (and about `maxBytes`) ahead of the one taker, who takes them in order. The taker never
/// waits for a worker: what is not read yet it reads itself (from disk, the same file's read
/// already in flight is waited for in the page cache, not read twice), and a worker's late
/// result is dropped. Workers are woken only when half the window is free again, so a warm
/// run costs a few hundred wake-ups, not one per file. It starts with the fewest workers and
/// adds one whenever the taker finds a file not yet read (a cold cache: more reads in flight).
private final class ReadAhead: @unchecked Sendable {  // every var but `started` (the taker's) is guarded by `lock`
    typealias Read = Result<[UInt8], any Error>
    private let count: Int
    private let window: Int
    private let maxBytes: Int
    private let read: @Sendable (Int) -> Read
    private let workers: ClosedRange<Int>
    private let lock = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    private let freed = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)
    private var slots: [(index: Int, read: Read)?]
    private var claimed = 0
    private var taken = 0
    private var held = 0
    private var waiting = 0
    private var stopped = false
    private var started = 0

    init(count: Int, window: Int, maxBytes: Int, workers: ClosedRange<Int>, read: @escaping @Sendable (Int) -> Read) {
        self.count = count
        self.window = window
        self.maxBytes = maxBytes
        self.workers = workers
        self.read = read
        slots = Array(repeating: nil, count: window)
        pthread_mutex_init(lock, nil)
        pthread_cond_init(freed, nil)
    }

    deinit {
        pthread_cond_destroy(freed)
        pthread_mutex_destroy(lock)
        freed.deallocate()
        lock.deallocate()
    }

    /// Starts the first workers. One that cannot be started is not needed: the taker reads what
    /// nobody claimed.
    func start() {
        for _ in 0..<min(workers.lowerBound, count) { addWorker() }
    }

    private func addWorker() {
        started += 1  // by the taker only
        _ = DedicatedThread.start { self.work() }
    }

    /// A worker thread's loop: claims the next index while there is room, reads it, files it.
    func work() {
        pthread_mutex_lock(lock)
        while true {
            while !stopped && claimed < count && (claimed >= taken + window || held >= maxBytes) {
                waiting += 1
                pthread_cond_wait(freed, lock)
                waiting -= 1
            }
            guard !stopped && claimed < count else { break }
            let i = claimed
            claimed += 1
            pthread_mutex_unlock(lock)
            let result = read(i)
            pthread_mutex_lock(lock)
            // Not yet passed by the taker, so its slot holds nothing newer (i + window cannot
            // have been claimed before the taker passed i).
            if i >= taken {
                slots[i % window] = (i, result)
                held += Self.size(result)
            }
        }
        pthread_mutex_unlock(lock)
    }

    /// The result for index `i`: a worker's, or read here when none is there yet.
    func take(_ i: Int) -> Read {
        pthread_mutex_lock(lock)
        var result: Read?
        if let slot = slots[i % window], slot.index == i {
            result = slot.read
            slots[i % window] = nil
            held -= Self.size(slot.read)
        }
        claimed = max(claimed, i + 1)
        taken = i + 1
        if waiting > 0 && claimed - taken <= window / 2 && held <= maxBytes / 2 { pthread_cond_broadcast(freed) }
        pthread_mutex_unlock(lock)
        if let result { return result }
        if i >= window && started < workers.upperBound && started < count { addWorker() }
        return read(i)
    }

    /// Lets the workers finish: nothing more is claimed.
    func stop() {
        pthread_mutex_lock(lock)
        stopped = true
        pthread_cond_broadcast(freed)
        pthread_mutex_unlock(lock)
    }

    private static func size(_ read: Read) -> Int { (try? read.get().count) ?? 0 }
}
