import Foundation
import Testing

/// The real binary against the real simulator, over real HTTP.
@Suite(.serialized) struct PollOnceTests {
    @Test func jsonReportHasEveryFieldAndTheStoreHoldsExactlyWhatWasServed() throws {
        let sim = try APISimulator()
        let store = temporaryDirectory()
        let args = ["poll", "--once", "--api-url", sim.apiURL, "--store", store, "--min-spacing", "0", "--json"]
        var reports: [[String: Any]] = []
        for round in 0..<4 {
            if round == 2 {
                // An edit to an event already stored, and a bumped type rename.
                let window = try JSONSerialization.jsonObject(with: sim.get("/_window")) as! [[String: Any]]
                try sim.post("/_control/edit", ["id": window[10]["id"]!, "fields": ["summary": "Uppdaterad: polisen på plats. Ä Ö å."]])
                try sim.post("/_control/edit", ["id": window[200]["id"]!, "fields": ["type": "Fylleri"]])
            }
            let r = try polisenDash(args)
            // The report says why a cycle failed (with --json, only there).
            #expect(r.status == 0, "poll \(round) exited \(r.status): \(r.stdout) \(r.stderr)")
            reports.append(try #require(parseJSON(r.stdout)))
        }
        let first = reports[0]
        for key in ["fetched", "new", "updated", "unchanged", "skipped", "partitions", "gap", "retries", "stages", "http"] {
            #expect(first[key] != nil, "missing \(key)")
        }
        let stages = try #require(first["stages"] as? [String: Any])
        for key in ["fetch_ms", "get_metadata_ms", "process_ms", "save_events_ms", "update_metadata_ms"] { #expect(stages[key] is Double) }
        let http = try #require(first["http"] as? [String: Any])
        for key in ["status", "bytes_wire", "bytes_decoded", "dns_ms", "connect_ms", "tls_ms", "ttfb_ms", "total_ms"] {
            #expect(http[key] != nil)
        }
        #expect(first["fetched"] as? Int == 500 && first["new"] as? Int == 500)
        #expect(reports[1]["new"] as? Int == 2 && reports[1]["unchanged"] as? Int == 498)
        #expect(reports[2]["updated"] as? Int == 2)
        #expect(reports[3]["updated"] as? Int == 0)

        // Line by line: every stored line is a version the API served, byte for byte; every
        // served version is stored once; the newest stored version of each id is the newest served.
        let served = try sim.served()
        let lines = try storedLines(store)
        var storedByID: [Int: [String]] = [:]
        for (_, line) in lines { storedByID[parseJSON(line)!["id"] as! Int, default: []].append(line) }
        #expect(Set(storedByID.keys) == Set(served.keys))
        for (id, versions) in served {
            #expect(storedByID[id] == versions, "id \(id)")
        }
        #expect(lines.count == served.values.reduce(0) { $0 + $1.count })
        #expect(lines.contains { $0.line.contains("Uppdaterad: polisen på plats. Ä Ö å.") })
    }

    @Test func sendsTheUserAgentAsksForGzipAndReportsBothSizes() throws {
        let sim = try APISimulator()
        let store = temporaryDirectory()
        let r = try polisenDash([
            "poll", "--once", "--api-url", sim.apiURL, "--store", store, "--json", "--user-agent", "polisen-dash-test/1 (ops@example.org)",
        ])
        #expect(r.status == 0)
        let entry = try #require(try sim.log().first)
        #expect(entry["user_agent"] as? String == "polisen-dash-test/1 (ops@example.org)")
        #expect((entry["accept_encoding"] as? String ?? "").contains("gzip"))
        let http = try #require(parseJSON(r.stdout)?["http"] as? [String: Any])
        let wire = try #require(http["bytes_wire"] as? Int)
        let decoded = try #require(http["bytes_decoded"] as? Int)
        #expect(wire * 3 < decoded)
    }

    @Test func partitionsAreStockholmDatesAndPartsAreImmutableNamedByCycle() throws {
        let sim = try APISimulator()
        let store = temporaryDirectory()
        #expect(try polisenDash(["poll", "--once", "--api-url", sim.apiURL, "--store", store, "--min-spacing", "0"]).status == 0)
        #expect(try polisenDash(["poll", "--once", "--api-url", sim.apiURL, "--store", store, "--min-spacing", "0"]).status == 0)
        let lines = try storedLines(store)
        for (file, line) in lines {
            // events/YYYY/MM/DD/part-N.jsonl holds events published on that Stockholm date.
            let parts = file.split(separator: "/")
            #expect(parts.count == 4 && parts[3].hasPrefix("part-0000000"))
            let datetime = parseJSON(line)!["datetime"] as! String
            #expect(datetime.hasPrefix("\(parts[0])-\(parts[1])-\(parts[2]) "))
        }
        #expect(Set(lines.map { $0.file.split(separator: "/")[3] }) == ["part-00000001.jsonl", "part-00000002.jsonl"])
        #expect(!allFiles(store).contains { $0.contains(".tmp-") })
    }

    @Test func statusShowsTheLastCycleTheSeenCountAndTheBudget() throws {
        let sim = try APISimulator()
        let store = temporaryDirectory()
        _ = try polisenDash(["poll", "--once", "--api-url", sim.apiURL, "--store", store])
        let r = try polisenDash(["status", "--store", store])
        #expect(r.status == 0)
        #expect(r.stdout.contains("last cycle:   1"))
        #expect(r.stdout.contains("events:       500 stored"))
        #expect(r.stdout.contains("budget:       1/60 calls in the last hour, 1/1440 in 24 h"))
    }

    @Test func theStoreDefaultsToXDGDataHome() throws {
        let sim = try APISimulator()
        let xdg = temporaryDirectory()
        let r = try polisenDash(["poll", "--once", "--api-url", sim.apiURL], env: ["XDG_DATA_HOME": xdg])
        #expect(r.status == 0)
        #expect(FileManager.default.fileExists(atPath: "\(xdg)/polisen-dash/metadata.json"))
    }

    @Test func badOptionsAreClearErrors() throws {
        let r = try polisenDash(["poll", "--once", "--min-spacing=-1"])
        #expect(r.status != 0)
        #expect(r.stderr.contains("min_spacing (flag --min-spacing): expected a number of at least 0, got \"-1\""))
        let u = try polisenDash(["poll", "--once", "--api-url", "ftp://x"])
        #expect(u.status != 0)
        #expect(u.stderr.contains("api_url (flag --api-url): expected an http:// or https:// address"))
    }
}
