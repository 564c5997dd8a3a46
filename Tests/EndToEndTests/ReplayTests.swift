import Foundation
import Testing

@Suite(.serialized) struct ReplayTests {
    /// Three polls with an edit between them, into a fresh local store.
    func storeWithAnEdit() throws -> (APISimulator, String, Int) {
        let sim = try APISimulator()
        let store = temporaryDirectory()
        let args = ["poll", "--once", "--api-url", sim.apiURL, "--store", store, "--min-spacing", "0"]
        #expect(try polisenDash(args).status == 0)
        let window = try JSONSerialization.jsonObject(with: sim.get("/_window")) as! [[String: Any]]
        let edited = window[20]["id"] as! Int
        try sim.post("/_control/edit", ["id": edited, "fields": ["summary": "Rättad: ingen skadad."]])
        #expect(try polisenDash(args).status == 0)
        #expect(try polisenDash(args).status == 0)
        return (sim, store, edited)
    }

    @Test func eachEventOnceAtItsNewestVersionInTimeOrder() throws {
        let (sim, store, edited) = try storeWithAnEdit()
        let r = try polisenDash(["replay", "--store", store, "--json"])
        #expect(r.status == 0)
        let lines = r.stdout.split(separator: "\n").map(String.init)
        let served = try sim.served()
        #expect(lines.count == served.count)
        // Byte for byte the newest version served of each id.
        #expect(Set(lines) == Set(served.values.map { $0.last! }))
        #expect(lines.contains { $0.contains("Rättad: ingen skadad.") && $0.contains("\"id\":\(edited),") })
        let instants = lines.map { parseJSON($0)!["datetime"] as! String }.map(instant)
        #expect(instants == instants.sorted())
    }

    @Test func filtersNarrowByDateTypePlaceAndText() throws {
        let (_, store, _) = try storeWithAnEdit()
        let all = try polisenDash(["replay", "--store", store, "--json"]).stdout.split(separator: "\n").compactMap { parseJSON(String($0)) }
        let day = all.map { String(($0["datetime"] as! String).prefix(10)) }.sorted()[all.count / 2]
        let onDay = try polisenDash(["replay", "--store", store, "--json", "--date", day]).stdout.split(separator: "\n").compactMap {
            parseJSON(String($0))
        }
        #expect(onDay.count == all.filter { ($0["datetime"] as! String).hasPrefix(day) }.count)
        let brand = try polisenDash(["replay", "--store", store, "--json", "--type", "brand", "--location", "stockholm"]).stdout
            .split(separator: "\n").compactMap { parseJSON(String($0)) }
        // --type and --location match when the field contains the text (the query language's type: and place:)
        #expect(
            brand.count
                == all.filter {
                    ($0["type"] as? String ?? "").lowercased().contains("brand")
                        && (($0["location"] as? [String: Any])?["name"] as? String ?? "").lowercased().contains("stockholm")
                }.count)
        let grep = try polisenDash(["replay", "--store", store, "--grep", "RÄTTAD"])
        #expect(grep.stdout.contains("Rättad: ingen skadad."))
        #expect(grep.stderr.contains("1 event(s)"))
        #expect(try polisenDash(["replay", "--store", store, "--date", "2023-13-01"]).stderr.contains("expected YYYY-MM-DD"))
    }

    @Test func badDataIsReportedWithItsPathAndTheRestStillShown() throws {
        let (sim, store, _) = try storeWithAnEdit()
        let part = allFiles(store).filter { $0.hasSuffix("part-00000001.jsonl") }.sorted().last!
        let path = "\(store)/\(part)"
        var text = try String(contentsOfFile: path, encoding: .utf8)
        text += "{\"id\": 1, \"datetime\": \"2023-0"  // a truncated line
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        try "not json at all\n".write(toFile: "\(store)/events/2023/03/01/part-00000099.jsonl", atomically: true, encoding: .utf8)
        try "stray".write(toFile: "\(store)/events/2023/03/01/notes.txt", atomically: true, encoding: .utf8)
        let r = try polisenDash(["replay", "--store", store, "--json"])
        #expect(r.status == 0)
        #expect(r.stderr.contains("skipped: \(path): line"))
        #expect(r.stderr.contains("part-00000099.jsonl"))
        #expect(r.stdout.split(separator: "\n").count == (try sim.served()).count)
    }
}

func instant(_ datetime: String) -> Int {
    let f = DateFormatter()
    f.locale = Locale(identifier: "en_US_POSIX")
    f.dateFormat = "yyyy-MM-dd H:mm:ss xxx"
    return Int(f.date(from: datetime)!.timeIntervalSince1970)
}

@Suite(.serialized) struct CompactWhilePollingTests {
    @Test func compactingWhileAPollerRunsLosesNothingAndStoresNothingTwice() throws {
        let sim = try APISimulator(["--step", "5"])
        let store = temporaryDirectory()
        let common = [
            "--api-url", sim.apiURL, "--store", store, "--min-spacing", "0", "--max-per-hour", "100000", "--max-per-day", "100000",
        ]
        for _ in 0..<4 { #expect(try polisenDash(["poll", "--once"] + common).status == 0) }
        // The poller keeps writing new parts into the same days while they are compacted.
        let poller = Process()
        poller.executableURL = URL(fileURLWithPath: binaryPath)
        poller.arguments = ["run", "--interval", "0.1"] + common
        poller.standardError = FileHandle.nullDevice
        try poller.run()
        for _ in 0..<5 {
            let r = try polisenDash(["compact", "--store", store, "--before", "2030-01-01"])
            #expect(r.status == 0, "\(r.stderr)")
            usleep(150_000)
        }
        kill(poller.processIdentifier, SIGTERM)
        poller.waitUntilExit()
        #expect(try polisenDash(["poll", "--once"] + common).status == 0)
        #expect(try polisenDash(["compact", "--store", store, "--before", "2030-01-01"]).status == 0)
        let served = try sim.served()
        let replay = try polisenDash(["replay", "--store", store, "--json"]).stdout.split(separator: "\n").map(String.init)
        #expect(Set(replay) == Set(served.values.map { $0.last! }))
        #expect(replay.count == served.count)
        let lines = try storedLines(store).map(\.line)
        #expect(lines.count == Set(lines).count, "a line stored twice")
    }
}
