import ArgumentParser
import Engine
import FoundationEssentials

struct Replay: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print stored events: each once, at its newest version, in time order.",
        discussion: "Works on local and s3:// stores. Unreadable lines and files are reported on stderr with their path and skipped.")

    @OptionGroup var options: EngineOptions

    @Option(name: .long, help: "One day, YYYY-MM-DD.")
    var date: String?

    @Option(name: .long, help: "The first day, YYYY-MM-DD.")
    var from: String?

    @Option(name: .long, help: "The last day, YYYY-MM-DD.")
    var to: String?

    @Option(name: .long, help: "Only events of this type (exact, case-insensitive).")
    var type: String?

    @Option(name: .long, help: "Only events whose location contains this text.")
    var location: String?

    @Option(name: .long, help: "Only events whose name or summary contains this text (case-insensitive).")
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
    }

    func run() async throws {
        let setup = try options.resolve()
        try setup.requireExistingStore()
        let reader = StoreReader(store: try setup.makeStore())
        let first = (date ?? from).flatMap(LocalDate.init(iso:))
        let last = (date ?? to).flatMap(LocalDate.init(iso:))
        let selection = try await reader.events(from: first, to: last, containing: grep)
        for problem in selection.problems { StandardStreams.error("skipped: \(problem)\n") }
        let matching = selection.entries.filter { matches($0.event) }
        var out = ""
        for entry in matching {
            let e = entry.event
            if json {
                out += String(decoding: entry.line, as: UTF8.self) + "\n"
            } else {
                let place = e.location?.name ?? ""
                out += "\(e.datetime)  \(e.type ?? "")  \(place)  \(e.name ?? "")\n    \(e.summary ?? "")\n"
            }
            if out.utf8.count > 1 << 16 { StandardStreams.output(out); out = "" }
        }
        StandardStreams.output(out)
        if !json {
            StandardStreams.error("\(matching.count) event(s) from \(selection.partsRead) part file(s) in \(reader.store.location)\n")
        }
    }

    private func matches(_ e: PoliceEvent) -> Bool {
        if let type, (e.type ?? "").lowercased() != type.lowercased() { return false }
        if let location, !(e.location?.name ?? "").lowercased().contains(location.lowercased()) { return false }
        return true
    }
}
