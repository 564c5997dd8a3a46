import Logging

/// `run` compacts closed days by itself: after a successful cycle, at most once a day, every day
/// closed for more than 48 hours (`Compactor.automaticLimit`). It runs beside the poller, never
/// delaying a cycle; a compaction cut short by a stop is finished by the next one.
public actor AutoCompaction {
    let compactor: Compactor
    let clock: any WallClock
    let logger: Logger
    public static let everySeconds: Double = 24 * 3600
    private var lastStarted: Double?
    private var running = false

    public init(store: any EventStore, clock: any WallClock = SystemClock(), logger: Logger) {
        compactor = Compactor(store: store)
        self.clock = clock
        self.logger = logger
    }

    /// Compacts when due; returns the report, or nil when not due or already running.
    @discardableResult
    public func runIfDue() async -> Compactor.Report? {
        let now = clock.now()
        guard !running, lastStarted.map({ now - $0 >= Self.everySeconds }) ?? true else { return nil }
        running = true
        lastStarted = now
        defer { running = false }
        let limit = Compactor.automaticLimit(now: now)
        do {
            let report = try await compactor.compact(before: limit)
            if report.daysCompacted > 0 || report.leftoversRemoved > 0 {
                logger.info("compacted \(report.daysCompacted) closed day(s) before \(limit): \(report.partsMerged) part files merged")
            }
            for reason in report.skipped { logger.debug("compaction left as is: \(reason)") }
            return report
        } catch {
            logger.warning("compaction of closed days failed (the archive is unchanged where it stopped): \(error)")
            return nil
        }
    }
}
