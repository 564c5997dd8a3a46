#if canImport(Glibc)
    import Glibc
#endif

extension LocalStore {
    /// Reads and scans the parts on a few threads of their own, a bounded number of files ahead
    /// of `body`, which gets what `scan` made of them in order. Each thread reads into one buffer
    /// of its own and scans the bytes while they are still in its core's cache; on two cores the
    /// scanning is shared, from disk several reads are in flight where one file after another
    /// would wait out each read in turn.
    public func scanParts<T: AnyObject & Sendable>(
        _ parts: [PartRef], _ scan: @escaping @Sendable (Int, UnsafeBufferPointer<UInt8>) -> T,
        _ body: (Int, Result<T, any Error>) throws -> Void
    ) async throws {
        // Held as objects, so that the reading threads' code is not generic (no metadata or
        // value-witness look-ups per file).
        let read: @Sendable (Int, ReadBuffer) -> ReadAhead.Outcome = { [root] i, buffer in
            var path = Array(root.utf8)
            path.append(0x2F)
            parts[i].appendKey(to: &path)
            path.append(0)
            return path.withUnsafeBufferPointer { name in
                name.withMemoryRebound(to: CChar.self) { name in
                    do {
                        guard let bytes = try buffer.read(name.baseAddress!) else {
                            return .failure(StoreError.notFound(String(cString: name.baseAddress!)))
                        }
                        return .success(scan(i, bytes))
                    } catch { return .failure(error) }
                }
            }
        }
        guard parts.count > 1 else {
            let buffer = ReadBuffer()
            for i in parts.indices { try body(i, read(i, buffer).map { unsafeDowncast($0, to: T.self) }) }
            return
        }
        let ahead = ReadAhead(count: parts.count, window: 64, workers: 2...8, read: read)
        defer { ahead.stop() }
        ahead.start()
        for i in parts.indices { try body(i, ahead.take(i).map { unsafeDowncast($0, to: T.self) }) }
    }
}

/// Results of `read(i)` for i in 0..<count, made by worker threads at most `window` indices
/// ahead of the one taker, who takes them in order. The taker waits only for a result a worker
/// is already making, and only when there is nothing else to make; one nobody has claimed yet
/// it makes itself, and when that had to wait on the disk it starts one more worker (a cold
/// cache: more reads in flight), up to `workers.upperBound`. Workers are woken only when half the
/// window is free again, so a warm run costs a few hundred wake-ups, not one per file.
private final class ReadAhead: @unchecked Sendable {  // every var but `started` (the taker's) is guarded by `lock`
    typealias Outcome = Result<AnyObject, any Error>
    private let count: Int
    private let window: Int
    private let read: @Sendable (Int, ReadBuffer) -> Outcome
    private let workers: ClosedRange<Int>
    private let lock = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    /// Signalled when the taker frees room in the window.
    private let freed = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)
    /// Signalled when a worker files the result the taker waits for.
    private let filed = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)
    private var slots: [(index: Int, outcome: Outcome)?]
    private var claimed = 0
    private var taken = 0
    private var waiting = 0
    /// The index the taker waits for, or -1.
    private var awaited = -1
    private var stopped = false
    private var started = 0
    /// The taker's own buffer, for what it reads itself.
    private let buffer = ReadBuffer()

    init(count: Int, window: Int, workers: ClosedRange<Int>, read: @escaping @Sendable (Int, ReadBuffer) -> Outcome) {
        self.count = count
        self.window = window
        self.workers = workers
        self.read = read
        slots = Array(repeating: nil, count: window)
        pthread_mutex_init(lock, nil)
        pthread_cond_init(freed, nil)
        pthread_cond_init(filed, nil)
    }

    deinit {
        pthread_cond_destroy(filed)
        pthread_cond_destroy(freed)
        pthread_mutex_destroy(lock)
        filed.deallocate()
        freed.deallocate()
        lock.deallocate()
    }

    /// Starts the first workers. One that cannot be started is not needed: the taker makes
    /// what nobody claimed.
    func start() {
        for _ in 0..<min(workers.lowerBound, count) { addWorker() }
    }

    private func addWorker() {
        started += 1  // by the taker only
        _ = DedicatedThread.start { self.work() }
    }

    /// A worker thread's loop: claims the next index while there is room, makes it, files it.
    func work() {
        let buffer = ReadBuffer()
        pthread_mutex_lock(lock)
        while true {
            while !stopped && claimed < count && claimed >= taken + window {
                waiting += 1
                pthread_cond_wait(freed, lock)
                waiting -= 1
            }
            guard !stopped && claimed < count else { break }
            let i = claimed
            claimed += 1
            pthread_mutex_unlock(lock)
            let outcome = read(i, buffer)
            pthread_mutex_lock(lock)
            // The taker has not passed i: it waits for what a worker claimed. Its slot holds
            // nothing newer (i + window cannot have been claimed before the taker passed i).
            slots[i % window] = (i, outcome)
            if awaited == i { pthread_cond_signal(filed) }
        }
        pthread_mutex_unlock(lock)
    }

    /// The result for index `i`: a worker's, or made here when no worker has claimed it. While
    /// a worker is still making it, the taker makes the next unclaimed one meanwhile (it would
    /// only sleep and be woken again: with small files that costs more than the scan), and
    /// waits only when the whole window is claimed.
    func take(_ i: Int) -> Outcome {
        pthread_mutex_lock(lock)
        var outcome: Outcome?
        while true {
            if let slot = slots[i % window], slot.index == i {
                outcome = slot.outcome
                slots[i % window] = nil
                break
            }
            if claimed <= i {
                claimed = i + 1
                break
            }
            if claimed < count && claimed < i + window {
                let j = claimed
                claimed += 1
                pthread_mutex_unlock(lock)
                let made = make(j)
                pthread_mutex_lock(lock)
                slots[j % window] = (j, made)
                continue
            }
            awaited = i
            pthread_cond_wait(filed, lock)
            awaited = -1
        }
        taken = i + 1
        if waiting > 0 && claimed - taken <= window / 2 { pthread_cond_broadcast(freed) }
        pthread_mutex_unlock(lock)
        return outcome ?? make(i)
    }

    /// `read(i)` on the taker's thread; when that had to wait on the disk, one more worker.
    private func make(_ i: Int) -> Outcome {
        guard i >= window && started < workers.upperBound && started < count else { return read(i, buffer) }
        let wall = Self.clock(CLOCK_MONOTONIC)
        let cpu = Self.clock(CLOCK_THREAD_CPUTIME_ID)
        let made = read(i, buffer)
        let waited = (Self.clock(CLOCK_MONOTONIC) - wall) - (Self.clock(CLOCK_THREAD_CPUTIME_ID) - cpu)
        // Half a millisecond or more off the processor: a read from disk, not a scan.
        if waited > 500_000 { addWorker() }
        return made
    }

    /// Lets the workers finish: nothing more is claimed.
    func stop() {
        pthread_mutex_lock(lock)
        stopped = true
        pthread_cond_broadcast(freed)
        pthread_mutex_unlock(lock)
    }

    private static func clock(_ id: clockid_t) -> Int {
        var t = timespec()
        clock_gettime(id, &t)
        return t.tv_sec * 1_000_000_000 + t.tv_nsec
    }
}
