/// What the engine has stored, per event id: the content hash of the newest stored version,
/// its partition date, and when the API last served it. Bounded by age and size; an id that
/// fell out is still recognised through the archive (see `Deduplicator`).
public struct SeenEntry: Sendable, Equatable {
    public var hash: UInt64
    public var date: LocalDate
    /// Unix seconds of the last response that held this id.
    public var lastSeen: Int64
    /// When the stored content was last observed (the fetch time of the newest response that
    /// served it): the order of versions. Nil in entries rebuilt from parts or written before.
    public var observedAt: Double?

    public init(hash: UInt64, date: LocalDate, lastSeen: Int64, observedAt: Double? = nil) {
        self.hash = hash
        self.date = date
        self.lastSeen = lastSeen
        self.observedAt = observedAt
    }
}

public struct SeenBounds: Sendable, Equatable {
    /// Ids the API has not served for this long are forgotten (the archive still knows them).
    public var retentionSeconds: Int64
    public var maxEntries: Int

    /// 30 days: the 500-event window spans 5–7 days, and bumped events reappear weeks later.
    public init(retentionSeconds: Int64 = 30 * 86_400, maxEntries: Int = 50_000) {
        self.retentionSeconds = retentionSeconds
        self.maxEntries = maxEntries
    }
}

public struct SeenState: Sendable, Equatable {
    public private(set) var entries: [Int: SeenEntry]

    public init(entries: [Int: SeenEntry] = [:]) { self.entries = entries }

    public var count: Int { entries.count }
    public subscript(id: Int) -> SeenEntry? { entries[id] }

    public mutating func record(id: Int, hash: UInt64, date: LocalDate, at time: Int64, observedAt: Double? = nil) {
        entries[id] = SeenEntry(hash: hash, date: date, lastSeen: time, observedAt: observedAt)
    }

    public mutating func touch(id: Int, at time: Int64) {
        if let e = entries[id], e.lastSeen < time { entries[id]!.lastSeen = time }
    }

    /// The stored content of `id` was observed again at `time` (same hash).
    public mutating func confirm(id: Int, observedAt time: Double) {
        if let e = entries[id], (e.observedAt ?? -.infinity) < time { entries[id]!.observedAt = time }
    }

    /// Drops what is older than the retention, then the least recently served beyond the cap.
    /// Returns the newest partition date dropped because of the cap (the state is no longer
    /// complete up to that day).
    @discardableResult
    public mutating func prune(now: Int64, bounds: SeenBounds) -> LocalDate? {
        let cutoff = now - bounds.retentionSeconds
        entries = entries.filter { $0.value.lastSeen >= cutoff }
        guard entries.count > bounds.maxEntries else { return nil }
        let ordered = entries.sorted { ($0.value.lastSeen, $0.key) > ($1.value.lastSeen, $1.key) }
        let dropped = ordered.dropFirst(bounds.maxEntries).map(\.value.date).max()
        entries = Dictionary(uniqueKeysWithValues: ordered.prefix(bounds.maxEntries).map { ($0.key, $0.value) })
        return dropped
    }
}
