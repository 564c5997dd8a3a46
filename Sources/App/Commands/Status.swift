import ArgumentParser
import Engine
import FoundationEssentials

struct Status: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show the store's last cycle, seen count, rate budget used and any 404 stop.",
        discussion: "Example: polisen-dash status --config /etc/polisen-dash/config.toml --json")

    @OptionGroup var options: StoreOptions

    @Flag(name: .long, help: "Print as JSON.")
    var json = false

    func run() async throws {
        let setup = try options.resolve()
        try setup.requireExistingStore()
        let store = try setup.makeStore()
        let root = store.location
        let api = try APIStateFile(path: setup.apiStatePath).load()
        var meta: Metadata?
        var metaError: String?
        do {
            if let blob = try await store.readMetadata() { meta = try Metadata.decode(blob.bytes) }
        } catch {
            metaError = "\(error)"
        }
        let journalPending = setup.journal.pendingCount()
        let now = SystemClock().now()
        var budget = BudgetSnapshot(ledger: api.ledger, rules: setup.engineConfig.rules, now: now)
        budget.nextAllowedAt = max(budget.nextAllowedAt, api.notBefore ?? 0)
        if json {
            struct Out: Encodable {
                var store: String
                var last_cycle: Int?
                var seen: Int?
                var metadata_error: String?
                var last_report: CycleReport?
                var budget: BudgetSnapshot
                var stopped_404: APIState.Stop?
                var stored_events: Int?
                var journal_pending: Int
            }
            let out = Out(
                store: root, last_cycle: meta?.lastCycle, seen: meta?.seen.count, metadata_error: metaError,
                last_report: meta?.reports.last, budget: budget, stopped_404: api.stopped,
                stored_events: meta?.storedEvents, journal_pending: journalPending)
            print(try JSONOutput.text(out, pretty: true))
            return
        }
        say("store:        \(root)")
        if let metaError { say("metadata:     UNREADABLE: \(metaError)") }
        if let meta {
            say("last cycle:   \(meta.lastCycle)")
            if let stored = meta.storedEvents {
                say("events:       \(stored) stored, \(meta.seen.count) of them served in the last 30 days")
            } else {
                say("seen events:  \(meta.seen.count)")
            }
            if let r = meta.reports.last { say("last report:  \(r.summaryLine)") }
        } else if metaError == nil {
            say("metadata:     none yet (no cycle has run)")
        }
        if meta == nil, metaError != nil, let known = api.lastCycle {
            // The store did not answer: the number this machine last knew, said as such.
            say("last cycle:   \(known) (as last known here; the store's metadata could not be read)")
        }
        if journalPending > 0 { say("waiting:      \(journalPending) fetched event(s) in the journal, not yet stored") }
        say("budget:       \(budget.hourUsed)/\(budget.hourLimit) calls in the last hour, \(budget.dayUsed)/\(budget.dayLimit) in 24 h")
        let wait = budget.nextAllowedAt - now
        say("next call:    \(wait > 0 ? "allowed in \(formatDuration(wait))" : "allowed now")")
        if let stop = api.stopped {
            say("STOPPED:      \(stop.message) (\(stop.url)); after checking, clear with `polisen-dash reset-404`")
        }
    }
}

/// One line of `status` text: the store's reports and errors can hold server or event text.
private func say(_ line: String) { print(TerminalText.sanitize(line)) }

struct Reset404: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reset-404",
        abstract: "Clear a 404 stop so polling resumes (only once you know the API address is right).",
        discussion: "Example: polisen-dash reset-404 --config /etc/polisen-dash/config.toml")

    @OptionGroup var options: StoreOptions

    func run() async throws {
        let setup = try options.resolve()
        let file = APIStateFile(path: setup.apiStatePath)
        var state = try file.load()
        guard let stop = state.stopped else {
            say("no 404 stop is recorded for \(setup.storeDescription)")
            return
        }
        state.stopped = nil
        try file.save(state)
        say("cleared the 404 stop recorded for \(stop.url); polling resumes on the next cycle")
    }
}
