import Synchronization

/// Failures that happen outside any cycle (a watch rule's command), shown at once and kept
/// here until a metadata write takes them into the persisted failure log, so `status` and a
/// restarted dashboard list them with the cycles' failures.
final class OutsideFailures: Sendable {
    /// Kept at most; older ones are dropped (the failure log keeps fewer anyway).
    static let limit = Metadata.keptFailures
    private let entries = Mutex<[FailureEntry]>([])

    func add(_ entry: FailureEntry) {
        entries.withLock { e in
            e.append(entry)
            if e.count > Self.limit { e.removeFirst(e.count - Self.limit) }
        }
    }

    /// What waits, oldest first, without taking it.
    var waiting: [FailureEntry] { entries.withLock { $0 } }

    /// Forgets the first `count` entries (now in metadata).
    func taken(_ count: Int) {
        entries.withLock { e in e.removeFirst(min(count, e.count)) }
    }
}

extension Metadata {
    /// Appends a cycle's failures and the outside ones waiting, in time order.
    mutating func append(failures cycle: [FailureEntry], outside: [FailureEntry]) {
        append(failures: outside.isEmpty ? cycle : (outside + cycle).sorted { $0.at < $1.at })
    }
}
