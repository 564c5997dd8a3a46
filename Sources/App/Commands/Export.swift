import ArgumentParser
import Engine

struct Export: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Write the newest version of each event for data tools (DuckDB, Spark, pandas).",
        discussion: """
            One row per event: id, datetime (ISO 8601 with offset), date (Stockholm), name, summary, url, \
            type, location_name, lat, lng (numbers), versions (how many were stored). Files go to \
            OUT/date=YYYY-MM-DD/events.jsonl (or .csv), each written atomically; exporting again replaces \
            what an earlier export wrote for those dates. The store itself is not changed.

            Example: polisen-dash export --from 2026-03-01 --to 2026-03-31 --query type:brand --out ./export
            """)

    @OptionGroup var options: StoreOptions

    @Option(name: .long, help: "The first day, YYYY-MM-DD.")
    var from: String?

    @Option(name: .long, help: "The last day, YYYY-MM-DD.")
    var to: String?

    // Unconditional: a query may start with "-" (an exclusion), which is not an option here.
    @Option(
        name: .long, parsing: .unconditional, help: "Only events matching this query (words, \"phrases\", type:TEXT, place:TEXT, -word).")
    var query: String?

    @Option(name: .long, help: "jsonl or csv.")
    var format: String = "jsonl"

    @Option(name: .long, help: ArgumentHelp("The folder to write into (made if missing).", valueName: "dir"))
    var out: String

    func validate() throws {
        for (name, value) in [("--from", from), ("--to", to)] {
            if let value, LocalDate(iso: value) == nil { throw ValidationError("\(name) \(value): expected YYYY-MM-DD") }
        }
        if let a = from.flatMap(LocalDate.init(iso:)), let b = to.flatMap(LocalDate.init(iso:)), b < a {
            throw ValidationError("--to \(b) is before --from \(a)")
        }
        if Exporter.Format(rawValue: format) == nil { throw ValidationError("--format \(format): expected jsonl or csv") }
        if out.isEmpty { throw ValidationError("--out: expected a folder") }
        if let query {
            do { _ = try EventQuery.parse(query) } catch { throw ValidationError("--query \(query): \(error)") }
        }
    }

    func run() async throws {
        let setup = try options.resolve()
        try setup.requireExistingStore()
        let store = try setup.makeStore()
        let report = try await Exporter(store: store).export(
            from: from.flatMap(LocalDate.init(iso:)), to: to.flatMap(LocalDate.init(iso:)),
            query: try query.map { q throws(EventQuery.ParseError) in try EventQuery.parse(q) }, format: Exporter.Format(rawValue: format)!,
            into: out)
        for problem in report.problems { StandardStreams.error("skipped: \(TerminalText.sanitize(problem))\n") }
        StandardStreams.error(
            "exported \(report.events) event(s) in \(report.days) day(s) to \(TerminalText.sanitize(out))"
                + (report.removed > 0 ? ", \(report.removed) file(s) of an earlier export removed" : "")
                + " (\(report.partsRead) part file(s) read from \(store.location))\n")
    }
}
