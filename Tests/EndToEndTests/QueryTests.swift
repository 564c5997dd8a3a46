import Engine
import Foundation
import TUI
import Testing

/// One query language: the dashboard's `/` filter and `replay --query` give the same events
/// from the same store, and replay's older flags mean the same as their query spelling.
@Suite(.serialized) struct QueryTests {
    static let queries = [
        "malmo", "MALMÖ", "type:trafik -place:stockholm", "\"brand i\"", "place:goteborg", "-type:trafikolycka län",
        "type:\"trafikolycka, \" -vilt", "rattfylleri -\"e4\"",
    ]

    func storedIDs(_ store: String, _ args: [String]) throws -> [Int] {
        let r = try polisenDash(["replay", "--store", store, "--json"] + args)
        #expect(r.status == 0, "\(args): \(r.stderr)")
        return r.stdout.split(separator: "\n").map { parseJSON(String($0))!["id"] as! Int }
    }

    /// The dashboard as an operator uses it: the stored events loaded, `/`, the query typed, Enter.
    func dashboardIDs(_ events: [PoliceEvent], filter: String) -> Set<Int> {
        var state = DashboardState(width: 120, height: 40, now: 0, storeLocation: "test", apiURL: "test")
        state.events = events
        _ = state.reduce(.key(.char("/")))
        for c in filter { _ = state.reduce(.key(.char(c))) }
        _ = state.reduce(.key(.enter))
        #expect(state.filter == filter)
        return Set(state.visibleEvents.map(\.id))
    }

    @Test func theDashboardFilterAndReplayAgree() async throws {
        let sim = try APISimulator()
        let store = temporaryDirectory()
        #expect(try polisenDash(["poll", "--once", "--api-url", sim.apiURL, "--store", store]).status == 0)
        let stored = try await StoreReader(store: LocalStore(root: store)).events(from: nil, to: nil).entries.map(\.event)
        #expect(stored.count == 500)
        for q in Self.queries {
            let replayed = try storedIDs(store, ["--query", q])
            #expect(Set(replayed).count == replayed.count)
            #expect(!replayed.isEmpty && replayed.count < stored.count, "\(q) should select some events, not \(replayed.count)")
            #expect(Set(replayed) == dashboardIDs(stored, filter: q), "\(q)")
        }
        #expect(try storedIDs(store, ["--query", "malmo"]) == storedIDs(store, ["--query", "Malmö"]))
    }

    @Test func replaysFlagsAreTheQueryLanguage() throws {
        let sim = try APISimulator()
        let store = temporaryDirectory()
        #expect(try polisenDash(["poll", "--once", "--api-url", sim.apiURL, "--store", store]).status == 0)
        let cases: [([String], String)] = [
            (["--type", "trafik"], "type:trafik"),
            (["--location", "göteborg"], "place:göteborg"),
            (["--grep", "brand i"], "\"brand i\""),
            (["--type", "trafikolycka", "--location", "län", "--grep", "bil"], "type:trafikolycka place:län bil"),
        ]
        for (flags, query) in cases {
            let byFlags = try storedIDs(store, flags)
            #expect(!byFlags.isEmpty, "\(flags)")
            #expect(byFlags == (try storedIDs(store, ["--query", query])), "\(flags) vs \(query)")
        }
        // Both together: every part must match.
        #expect(
            try storedIDs(store, ["--type", "trafik", "--query", "-place:stockholm"])
                == storedIDs(store, ["--query", "type:trafik -place:stockholm"]))
    }

    @Test func aBadQueryIsAUsageErrorNamingTheProblem() throws {
        let store = temporaryDirectory()
        let r = try polisenDash(["replay", "--store", store, "--query", "type:\"brand"])
        #expect(r.status != 0)
        #expect(r.stderr.contains("--query type:\"brand: unclosed quote (opened at character 6)"))
        let empty = try polisenDash(["replay", "--store", store, "--grep", " "])
        #expect(empty.status != 0)
        #expect(empty.stderr.contains("--grep needs some text"))
    }
}
