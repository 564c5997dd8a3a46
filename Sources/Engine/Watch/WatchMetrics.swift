import Metrics

/// The watch rules' series: `polisen_watch_matches_total{watch}` and
/// `polisen_watch_command_failures_total{watch}` (their help text is in `CycleMetrics.families`).
enum WatchMetrics {
    static let matches = "polisen_watch_matches_total"
    static let failures = "polisen_watch_command_failures_total"

    /// Every rule's counters at 0, so they are there before the first match.
    static func register(_ rules: [WatchRule]) {
        for rule in rules {
            Counter(label: matches, dimensions: [("watch", rule.name)]).increment(by: 0)
            Counter(label: failures, dimensions: [("watch", rule.name)]).increment(by: 0)
        }
    }

    static func matched(_ rule: WatchRule) { Counter(label: matches, dimensions: [("watch", rule.name)]).increment() }

    static func commandFailed(_ rule: WatchRule) { Counter(label: failures, dimensions: [("watch", rule.name)]).increment() }
}
