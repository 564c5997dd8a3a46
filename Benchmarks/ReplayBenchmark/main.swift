// Replay speed on a generated one-year store: the dashboard's day view and a full-text
// search across the year, each beside its target. Usage:
//   swift run -c release replay-benchmark [STORE_DIR]   (a new temporary store when omitted)
import Engine
import Foundation

let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().appendingPathComponent("Tests/Fixtures/polisen")

/// Real event lines from every fixture, reused with new ids and dates across a year.
func sourceLines() throws -> [[UInt8]] {
    var lines: [[UInt8]] = []
    for name in try FileManager.default.contentsOfDirectory(atPath: fixtures.path).sorted() where name.hasSuffix(".json") {
        let scan = try EventScanner.scan(Array(try Data(contentsOf: fixtures.appendingPathComponent(name))))
        for e in scan.events { lines.append(Array(scan.lineBytes(e))) }
    }
    return lines
}

/// Rewrites id and datetime of a compact event line.
func retarget(_ line: [UInt8], id: Int, datetime: String) -> [UInt8] {
    var s = String(decoding: line, as: UTF8.self)
    if let r = s.firstRange(of: #/"id":\d+/#) { s.replaceSubrange(r, with: "\"id\":\(id)") }
    if let r = s.firstRange(of: #/"datetime":"[^"]*"/#) { s.replaceSubrange(r, with: "\"datetime\":\"\(datetime)\"") }
    return Array(s.utf8)
}

func generate(into root: String) async throws -> (events: Int, parts: Int) {
    let source = try sourceLines()
    let store = LocalStore(root: root)
    let first = LocalDate(year: 2025, month: 1, day: 1)
    var id = 1_000_000
    var cycle = 0
    var events = 0
    var parts = 0
    for day in 0..<365 {
        let date = first.adding(days: day)
        // 47 cycles a day (one every ~30 min), 8 to 10 events each: ~150,000 events a year.
        for slot in 0..<47 {
            cycle += 1
            var body: [UInt8] = []
            for k in 0..<(8 + (slot + day) % 3) {
                let minutes = slot * 30 + k
                let dt =
                    "\(date) \(minutes / 60):\(pad2(minutes % 60)):\(pad2(k)) \(StockholmCalendar.offsetMinutes(at: Int64(date.daysSinceEpoch) * 86_400 + 43_200) == 120 ? "+02:00" : "+01:00")"
                body += retarget(source[(id + k) % source.count], id: id, datetime: dt)
                body.append(0x0A)
                id += 1
                events += 1
            }
            try await store.writePart(PartRef(date: date, cycle: cycle), body)
            parts += 1
        }
    }
    return (events, parts)
}

func pad2(_ n: Int) -> String { n < 10 ? "0\(n)" : "\(n)" }

func time<T>(_ body: () async throws -> T) async rethrows -> (T, Double) {
    let start = ContinuousClock.now
    let value = try await body()
    let d = ContinuousClock.now - start
    return (value, Double(d.components.seconds) * 1000 + Double(d.components.attoseconds) / 1e15)
}

let root =
    CommandLine.arguments.count > 1
    ? CommandLine.arguments[1]
    : FileManager.default.temporaryDirectory.appendingPathComponent("polisen-replay-bench-\(UUID().uuidString.prefix(6))").path
let reader = StoreReader(store: LocalStore(root: root))
if try await reader.dates().isEmpty {
    let ((events, parts), ms) = try await time { try await generate(into: root) }
    print("generated \(events) events in \(parts) part files in \(Int(ms)) ms at \(root)")
}

// The dashboard's day view (what replay mode loads for one day), on 30 days.
var dayTimes: [Double] = []
var dayEvents = 0
let dates = try await reader.dates()
for i in 0..<30 {
    let (day, ms) = try await time { try await reader.day(dates[(i * 37) % dates.count]) }
    dayTimes.append(ms)
    dayEvents = day.events.count
}
dayTimes.sort()
print("day view (\(dayEvents) events, 47 parts): median \(format2(dayTimes[15])) ms, worst \(format2(dayTimes.last!)) ms — target ≤ 300 ms")

// Full-text search across the year, as `polisen-dash replay --grep` runs it.
var searchTimes: [Double] = []
var hits = 0
for needle in ["rattfylleri", "kävlinge", "knivskärning"] {
    let (matches, ms) = try await time { try await reader.search(text: needle) }
    searchTimes.append(ms)
    hits = matches.count
}
searchTimes.sort()
print(
    "full-text search across the year (\(hits) hits for the last needle): median \(format2(searchTimes[1])) ms, worst \(format2(searchTimes.last!)) ms — target ≤ 1000 ms"
)
