// The process stage (validate + parse, dedupe, partition by Stockholm date, build JSONL) on a
// real 500-event response, all new and 1 % new. Usage: process-benchmark FILE [RUNS [CASE]]
// (CASE all_new or one_percent_new runs only that one, for instruction counts under callgrind).
import Engine
import Foundation

let path = CommandLine.arguments.count > 1 ? CommandLine.arguments[1] : "Tests/Fixtures/polisen/snapshot-2026-08-22T1754Z-dnouri.json"
let runs = CommandLine.arguments.count > 2 ? Int(CommandLine.arguments[2]) ?? 200 : 200
let body = Array(try Data(contentsOf: URL(fileURLWithPath: path)))

func processStage(_ body: [UInt8], seen: SeenState) -> Int {
    guard let scan = try? EventScanner.scan(body) else { fatalError("the benchmark input must be a valid response") }
    let c = Deduplicator.classify(scan, seen: seen, completeAfter: nil)
    let parts = Deduplicator.partition(c.new + c.updated, lines: scan.lines)
    return parts.reduce(0) { $0 + $1.1.count }
}

func measure(_ label: String, seen: SeenState) -> [String: Double] {
    var times: [Double] = []
    var sink = 0
    for _ in 0..<runs {
        let start = ContinuousClock.now
        sink &+= processStage(body, seen: seen)
        let d = ContinuousClock.now - start
        times.append(Double(d.components.seconds) * 1000 + Double(d.components.attoseconds) / 1e15)
    }
    times.sort()
    let median = times[times.count / 2]
    let p99 = times[min(times.count - 1, times.count * 99 / 100)]
    precondition(sink > 0)
    return [
        "best_ms": times[0], "median_ms": median, "p99_ms": p99,
        "events_per_s": 500 / (median / 1000), "mb_per_s": Double(body.count) / 1e6 / (median / 1000),
    ]
}

let scan = try EventScanner.scan(body)
var mostlySeen = SeenState()
for e in scan.events.dropFirst(scan.events.count / 100) { mostlySeen.record(id: e.id, hash: e.hash, date: e.localDate, at: 0) }
let only = CommandLine.arguments.count > 3 ? CommandLine.arguments[3] : nil
var result: [String: [String: Double]] = [:]
if only == nil || only == "all_new" { result["all_new"] = measure("all new", seen: SeenState()) }
if only == nil || only == "one_percent_new" { result["one_percent_new"] = measure("1 % new", seen: mostlySeen) }
print(
    String(
        decoding: try JSONSerialization.data(
            withJSONObject: ["file": path, "bytes": body.count, "runs": runs, "results": result], options: [.sortedKeys]), as: UTF8.self))
