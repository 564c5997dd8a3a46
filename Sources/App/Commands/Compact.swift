import ArgumentParser
import Engine
import FoundationEssentials

struct Compact: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Merge each day's part files into one (atomic, idempotent, safe while a poller runs).",
        discussion: """
            Replay output is the same before and after. Days whose events also have versions stored \
            under another day are left as they are.

            Example: polisen-dash compact --store /var/lib/polisen-dash --before 2026-01-01
            """)

    @OptionGroup var options: StoreOptions

    @Option(name: .long, help: "Compact days before this one, YYYY-MM-DD. Default: today (Stockholm).")
    var before: String?

    func validate() throws {
        if let before, LocalDate(iso: before) == nil { throw ValidationError("--before \(before): expected YYYY-MM-DD") }
    }

    func run() async throws {
        let setup = try options.resolve()
        try setup.requireExistingStore()
        let store = try setup.makeStore()
        let limit = before.flatMap(LocalDate.init(iso:)) ?? StockholmCalendar.date(at: Int64(SystemClock().now()))
        let report = try await Compactor(store: store).compact(before: limit) { line in
            StandardStreams.error("\(TerminalText.sanitize(line))\n")
        }
        for reason in report.skipped { StandardStreams.error("left as is: \(TerminalText.sanitize(reason))\n") }
        print(
            "compacted \(report.daysCompacted) day(s): \(report.partsMerged) part files merged"
                + (report.leftoversRemoved > 0 ? ", \(report.leftoversRemoved) left over by an earlier run removed" : "")
                + " in \(store.location)")
    }
}
