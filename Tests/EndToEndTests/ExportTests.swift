import Foundation
import Testing

/// `export` read back by DuckDB, as a data user reads it, against what the simulator served.
@Suite(.serialized) struct ExportTests {
    /// Polls with edits between them: one event edited twice (three versions), one moved.
    func storeWithEdits() throws -> (sim: APISimulator, store: String, twice: Int, moved: Int) {
        let sim = try APISimulator()
        let store = temporaryDirectory()
        let args = ["poll", "--once", "--api-url", sim.apiURL, "--store", store, "--min-spacing", "0"]
        func poll() throws {
            let r = try polisenDash(args)
            #expect(r.status == 0, "poll --once exited \(r.status): \(r.stdout) \(r.stderr)")
        }
        try poll()
        let window = try JSONSerialization.jsonObject(with: sim.get("/_window")) as! [[String: Any]]
        let twice = window[20]["id"] as! Int
        let moved = window[30]["id"] as! Int
        try sim.post("/_control/edit", ["id": twice, "fields": ["summary": "Rättad, en gång: \"ingen\" skadad.\nNy rad."]])
        try poll()
        try sim.post("/_control/edit", ["id": twice, "fields": ["summary": "Rättad två gånger, ingen skadad."]])
        try sim.post("/_control/edit", ["id": moved, "fields": ["location": ["name": "Kävlinge", "gps": "55.793611,13.110556"]]])
        try poll()
        return (sim, store, twice, moved)
    }

    func duckdb(_ out: String, _ format: String) throws -> (types: [String: String], rows: [[String: Any]]) {
        let r = try runTool(
            packageRoot.appendingPathComponent(".venv/bin/python").path,
            [packageRoot.appendingPathComponent("Tests/Export/duckdb_read.py").path, out, format])
        try #require(r.status == 0, "duckdb: \(r.stderr)")
        let json = try #require(parseJSON(r.stdout))
        return (json["types"] as! [String: String], json["rows"] as! [[String: Any]])
    }

    func newestServed(_ sim: APISimulator) throws -> [Int: (event: [String: Any], versions: Int)] {
        try sim.served().mapValues { (parseJSON($0.last!)!, $0.count) }
    }

    @Test func duckDBReadsTheNewestVersionOfEveryEventWithTypedColumns() throws {
        let (sim, store, twice, moved) = try storeWithEdits()
        let out = temporaryDirectory() + "/export"
        let r = try polisenDash(["export", "--store", store, "--out", out])
        #expect(r.status == 0, "\(r.stderr)")
        let served = try newestServed(sim)
        #expect(r.stderr.contains("exported \(served.count) event(s)"))

        let (types, rows) = try duckdb(out, "jsonl")
        #expect(
            types == [
                "id": "BIGINT", "datetime": "TIMESTAMP WITH TIME ZONE", "date": "DATE", "name": "VARCHAR",
                "summary": "VARCHAR", "url": "VARCHAR", "type": "VARCHAR", "location_name": "VARCHAR",
                "lat": "DOUBLE", "lng": "DOUBLE", "versions": "BIGINT",
            ])
        #expect(rows.count == served.count)
        #expect(Set(rows.map { $0["id"] as! Int }) == Set(served.keys))
        for row in rows {
            let id = row["id"] as! Int
            let (event, versions) = try #require(served[id])
            let datetime = event["datetime"] as! String
            #expect(row["epoch"] as? Int == instant(datetime), "\(id)")
            #expect(row["date"] as? String == String(datetime.prefix(10)), "\(id)")
            #expect(row["summary"] as? String == event["summary"] as? String, "\(id)")
            #expect(row["name"] as? String == event["name"] as? String, "\(id)")
            #expect(row["versions"] as? Int == versions, "\(id)")
            let location = event["location"] as! [String: Any]
            #expect(row["location_name"] as? String == location["name"] as? String, "\(id)")
            let gps = (location["gps"] as! String).split(separator: ",").map { Double($0)! }
            #expect(row["lat"] as? Double == gps[0] && row["lng"] as? Double == gps[1], "\(id)")
        }
        let edited = try #require(rows.first { $0["id"] as? Int == twice })
        #expect(edited["summary"] as? String == "Rättad två gånger, ingen skadad." && edited["versions"] as? Int == 3)
        let relocated = try #require(rows.first { $0["id"] as? Int == moved })
        #expect(relocated["location_name"] as? String == "Kävlinge" && relocated["lat"] as? Double == 55.793611)
        // One folder per Stockholm date, nothing half-written.
        let files = allFiles(out).filter { $0.hasSuffix(".jsonl") }
        #expect(Set(files.map { String($0.prefix(15)) }) == Set(rows.map { "date=\($0["date"] as! String)" }))
        #expect(!allFiles(out).contains { $0.contains(".tmp-") })
    }

    @Test func aReExportReplacesWhatItWroteAndCSVReadsTheSame() throws {
        let (sim, store, twice, _) = try storeWithEdits()
        let out = temporaryDirectory() + "/export"
        #expect(try polisenDash(["export", "--store", store, "--out", out]).status == 0)
        let first = try allFiles(out).sorted().map { ($0, try? String(contentsOfFile: "\(out)/\($0)", encoding: .utf8)) }
        #expect(try polisenDash(["export", "--store", store, "--out", out]).status == 0)
        let second = try allFiles(out).sorted().map { ($0, try? String(contentsOfFile: "\(out)/\($0)", encoding: .utf8)) }
        #expect(first.map(\.0) == second.map(\.0) && first.map(\.1) == second.map(\.1))

        // The same folder as CSV: the JSONL files go, DuckDB reads the same rows.
        let jsonRows = try duckdb(out, "jsonl").rows
        let csv = try polisenDash(["export", "--store", store, "--out", out, "--format", "csv"])
        #expect(csv.status == 0, "\(csv.stderr)")
        #expect(!allFiles(out).contains { $0.hasSuffix(".jsonl") })
        let (types, csvRows) = try duckdb(out, "csv")
        #expect(types["datetime"] == "TIMESTAMP WITH TIME ZONE" && types["date"] == "DATE" && types["lat"] == "DOUBLE")
        #expect(csvRows.count == jsonRows.count)
        for (a, b) in zip(jsonRows, csvRows) {
            #expect(a["id"] as? Int == b["id"] as? Int && a["epoch"] as? Int == b["epoch"] as? Int)
            #expect(a["summary"] as? String == b["summary"] as? String && a["versions"] as? Int == b["versions"] as? Int)
        }
        #expect(csvRows.contains { $0["id"] as? Int == twice && $0["versions"] as? Int == 3 })
        _ = sim
    }

    @Test func dateRangeAndQueryNarrowTheExportAndBadInputIsRefused() throws {
        let (sim, store, _, moved) = try storeWithEdits()
        let served = try newestServed(sim)
        let dates = served.values.map { String(($0.event["datetime"] as! String).prefix(10)) }.sorted()
        let day = dates[dates.count / 2]
        let out = temporaryDirectory() + "/export"
        #expect(try polisenDash(["export", "--store", store, "--out", out, "--from", day, "--to", day]).status == 0)
        let onDay = try duckdb(out, "jsonl").rows
        #expect(onDay.count == dates.filter { $0 == day }.count)
        #expect(Set(allFiles(out).filter { $0.hasPrefix("date=") && !$0.contains("/") }) == ["date=\(day)"])

        let placed = temporaryDirectory() + "/export"
        #expect(try polisenDash(["export", "--store", store, "--out", placed, "--query", "place:kävlinge"]).status == 0)
        let kävlinge = try duckdb(placed, "jsonl").rows
        let expected = served.filter {
            (($0.value.event["location"] as? [String: Any])?["name"] as? String ?? "").lowercased().contains("kävlinge")
        }
        #expect(kävlinge.count == expected.count && kävlinge.contains { $0["id"] as? Int == moved })

        let reversed = try polisenDash(["export", "--store", store, "--out", out, "--from", "2024-02-02", "--to", "2024-02-01"])
        #expect(reversed.status != 0 && reversed.stderr.contains("before --from"))
        let format = try polisenDash(["export", "--store", store, "--out", out, "--format", "parquet"])
        #expect(format.status != 0 && format.stderr.contains("expected jsonl or csv"))
        let missing = try polisenDash(["export", "--store", store + "/nothing-here", "--out", out])
        #expect(missing.status == 66 && missing.stderr.contains("no store at"))
    }
}
