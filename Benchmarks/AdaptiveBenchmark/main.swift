import Engine
import EngineTesting

// A simulated week of the API's window at 1x, 10x, 100x and 1000x today's event rate:
// events stored and lost, and calls made, by the fixed 30-minute schedule and by --adaptive
// under the API's budget (10 s spacing, 60 an hour, 1440 a day). `--json` for scripts.
let json = CommandLine.arguments.contains("--json")
let interval = 1800.0
var rows: [String] = []
if !json {
    print(
        "multiplier | events/day | policy                         | published | stored  | lost   | in window at the end | calls | peak/h | peak/day"
    )
}
for multiplier in [1.0, 10, 100, 1000] {
    let simulation = PolicySimulation(eventsPerDay: PolicySimulation.todaysEventsPerDay * multiplier)
    let policies: [(String, any PollingPolicy)] = [
        ("fixed", FixedInterval(interval)),
        ("adaptive", AdaptivePolicy(rules: .polisen, interval: interval)),
    ]
    for (name, policy) in policies {
        let o = simulation.run(policy)
        if json {
            rows.append(
                "{\"multiplier\":\(Int(multiplier)),\"policy\":\"\(name)\",\"published\":\(o.published),\"stored\":\(o.stored),"
                    + "\"lost\":\(o.lost),\"calls\":\(o.calls),\"peak_hour\":\(o.peakHour),\"peak_day\":\(o.peakDay)}")
        } else {
            let label = name == "fixed" ? "fixed, every 30 min" : policy.description
            print(
                "\(pad("\(Int(multiplier))x", 10)) | \(pad(String(Int(simulation.eventsPerDay)), 10)) | \(pad(label, 30)) | "
                    + "\(pad(String(o.published), 9)) | \(pad(String(o.stored), 7)) | \(pad(String(o.lost), 6)) | "
                    + "\(pad(String(o.published - o.stored - o.lost), 20)) | \(pad(String(o.calls), 5)) | "
                    + "\(pad(String(o.peakHour), 6)) | \(o.peakDay)")
        }
    }
}
if json { print("[" + rows.joined(separator: ",") + "]") }

func pad(_ s: String, _ n: Int) -> String { s.count >= n ? s : s + String(repeating: " ", count: n - s.count) }
