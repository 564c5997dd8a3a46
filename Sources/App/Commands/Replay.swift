import ArgumentParser
import Engine
import FoundationEssentials

struct Replay: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print stored events: each once, at its newest version, in time order.",
        discussion: """
            Works on local and s3:// stores. Unreadable lines and files are reported on stderr with \
            their path and skipped.

            Example: polisen-dash replay --from 2026-03-01 --to 2026-03-07 --type brand --json
            """)

    @OptionGroup var options: StoreOptions

    @Option(name: .long, help: "One day, YYYY-MM-DD.")
    var date: String?

    @Option(name: .long, help: "The first day, YYYY-MM-DD.")
    var from: String?

    @Option(name: .long, help: "The last day, YYYY-MM-DD.")
    var to: String?

    // Unconditional: a query may start with "-" (an exclusion), which is not an option here.
    @Option(
        name: .long, parsing: .unconditional,
        help: ArgumentHelp(
            "Only events matching this query: words, \"phrases\", type:TEXT, place:TEXT, -word (see the README's Queries).",
            valueName: "query"))
    var query: String?

    @Option(name: .long, help: "Only events whose type contains this text (the same as --query type:TEXT).")
    var type: String?

    @Option(name: .long, help: "Only events whose place contains this text (the same as --query place:TEXT).")
    var location: String?

    @Option(name: .long, help: "Only events containing this text in name, summary, type or place (the same as --query \"TEXT\").")
    var grep: String?

    @Flag(name: .long, help: "Print JSON lines with the API's fields and values.")
    var json = false

    func validate() throws {
        for (name, value) in [("--date", date), ("--from", from), ("--to", to)] {
            if let value, LocalDate(iso: value) == nil { throw ValidationError("\(name) \(value): expected YYYY-MM-DD") }
        }
        if date != nil && (from != nil || to != nil) { throw ValidationError("--date cannot be combined with --from or --to") }
        if let first = from.flatMap(LocalDate.init(iso:)), let last = to.flatMap(LocalDate.init(iso:)), first > last {
            throw ValidationError("--from \(first) is after --to \(last): give the earlier day first")
        }
        _ = try eventQuery()
    }

    /// --query with --type, --location and --grep mapped onto the same language: one meaning
    /// for the dashboard's filter, replay, tail and watch rules.
    func eventQuery() throws -> EventQuery {
        var q = EventQuery("")
        if let query {
            do { q = try EventQuery.parse(query) } catch { throw ValidationError("--query \(query): \(error)") }
        }
        let mapped: [EventQuery.Term] = [type.map { .init(.type, $0) }, location.map { .init(.place, $0) }, grep.map { .init(.any, $0) }]
            .compactMap { $0 }
        for (flag, value) in [("--type", type), ("--location", location), ("--grep", grep)] {
            if let value, value.allSatisfy(\.isWhitespace) { throw ValidationError("\(flag) needs some text") }
        }
        return q.and(EventQuery(terms: mapped))
    }

    func run() async throws {
        let setup = try options.resolve()
        try setup.requireExistingStore()
        let reader = StoreReader(store: try setup.makeStore())
        let first = (date ?? from).flatMap(LocalDate.init(iso:))
        let last = (date ?? to).flatMap(LocalDate.init(iso:))
        let query = try eventQuery()
        let selection = try await reader.events(from: first, to: last, matching: query.isEmpty ? nil : query)
        for problem in selection.problems { StandardStreams.error("skipped: \(TerminalText.sanitize(problem))\n") }
        let matching = selection.entries
        var out = ""
        for entry in matching {
            let e = entry.event
            if json {
                out += String(decoding: entry.line, as: UTF8.self) + "\n"
            } else {
                let place = e.location?.name ?? ""
                out +=
                    TerminalText.sanitize("\(e.datetime)  \(e.type ?? "")  \(place)  \(e.name ?? "")") + "\n    "
                    + TerminalText.sanitize(e.summary ?? "") + "\n"
            }
            if out.utf8.count > 1 << 16 {
                StandardStreams.output(out)
                out = ""
            }
        }
        StandardStreams.output(out)
        if !json {
            StandardStreams.error("\(matching.count) event(s) from \(selection.partsRead) part file(s) in \(reader.store.location)\n")
        }
    }
}
