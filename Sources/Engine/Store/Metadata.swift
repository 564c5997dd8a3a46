#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// `metadata.json`: what has been stored (seen ids and content hashes), the last cycle number,
/// and the last cycles' reports and failures. Versioned and validated on load; replaced
/// atomically, and only after every event write of its cycle succeeded.
public struct Metadata: Sendable, Equatable {
    public static let format = "polisen-dash/metadata"
    public static let currentVersion = 1
    public static let keptReports = 50
    public static let keptFailures = 100

    public var lastCycle: Int
    public var seen: SeenState
    /// The seen state holds every stored event dated after this day; older ones may only be in
    /// the archive, which is asked before such an event is stored. Nil: it holds all of them.
    public var completeAfter: LocalDate?
    public var reports: [CycleReport]
    public var failures: [FailureEntry]
    public var updatedAt: Double
    /// How many distinct events the archive holds (the seen state keeps only recent ones); nil
    /// in metadata written before it was counted.
    public var storedEvents: Int?

    public init(
        lastCycle: Int = 0, seen: SeenState = SeenState(), completeAfter: LocalDate? = nil,
        reports: [CycleReport] = [], failures: [FailureEntry] = [], updatedAt: Double = 0, storedEvents: Int? = 0
    ) {
        self.lastCycle = lastCycle
        self.seen = seen
        self.completeAfter = completeAfter
        self.reports = reports
        self.failures = failures
        self.updatedAt = updatedAt
        self.storedEvents = storedEvents
    }

    /// Bounds the seen state and moves the completeness horizon accordingly: entries served
    /// within the retention are never dropped by age, so every event dated after the retention
    /// cut-off's day is still known.
    public mutating func prune(now: Double, bounds: SeenBounds) {
        let t = Int64(now)
        let capped = seen.prune(now: t, bounds: bounds)
        guard !seen.entries.isEmpty || completeAfter != nil || capped != nil else { return }
        var horizon = StockholmCalendar.date(at: t - bounds.retentionSeconds)
        if let capped { horizon = max(horizon, capped) }
        if let c = completeAfter { horizon = max(horizon, c) }
        completeAfter = horizon
    }

    public mutating func append(report: CycleReport) {
        reports.append(report)
        if reports.count > Self.keptReports { reports.removeFirst(reports.count - Self.keptReports) }
    }

    public mutating func append(failures new: [FailureEntry]) {
        failures.append(contentsOf: new)
        if failures.count > Self.keptFailures { failures.removeFirst(failures.count - Self.keptFailures) }
    }
}

public enum MetadataError: Error, Equatable, Sendable, CustomStringConvertible {
    case unreadable(String)
    case wrongFormat
    case newerVersion(Int)
    case invalid(String)

    public var description: String {
        switch self {
        case .unreadable(let m): return "metadata is not valid JSON (\(m))"
        case .wrongFormat: return "metadata is not a polisen-dash metadata file"
        case .newerVersion(let v):
            return "metadata was written by a newer polisen-dash (schema version \(v), this one reads up to \(Metadata.currentVersion))"
        case .invalid(let m): return "metadata is invalid: \(m)"
        }
    }
}

extension Metadata {
    private struct File: Codable {
        var format: String
        var version: Int
        var lastCycle: Int
        var updatedAt: Double
        var completeAfter: String?
        /// id → [hash hex, partition date, last served (unix s), observed at (unix s, optional)]
        var seen: [String: SeenTriple]
        var reports: [CycleReport]
        var failures: [FailureEntry]
        var storedEvents: Int?

        enum CodingKeys: String, CodingKey {
            case format, version
            case lastCycle = "last_cycle"
            case updatedAt = "updated_at"
            case completeAfter = "complete_after"
            case seen, reports, failures
            case storedEvents = "stored_events"
        }
    }

    private struct SeenTriple: Codable {
        var hash: String, date: String, lastSeen: Int64, observedAt: Double?
        init(hash: String, date: String, lastSeen: Int64, observedAt: Double?) {
            self.hash = hash
            self.date = date
            self.lastSeen = lastSeen
            self.observedAt = observedAt
        }
        init(from decoder: any Decoder) throws {
            var c = try decoder.unkeyedContainer()
            hash = try c.decode(String.self)
            date = try c.decode(String.self)
            lastSeen = try c.decode(Int64.self)
            observedAt = c.isAtEnd ? nil : try c.decode(Double.self)
        }
        func encode(to encoder: any Encoder) throws {
            var c = encoder.unkeyedContainer()
            try c.encode(hash)
            try c.encode(date)
            try c.encode(lastSeen)
            if let observedAt { try c.encode(observedAt) }
        }
    }

    public func encoded() -> [UInt8] {
        // The seen map is written by hand (`seenJSON`) and spliced in: through JSONEncoder its
        // value tree cost several times the file's size on every cycle, a transient peak that
        // grew with the map and stayed resident as free heap.
        let file = File(
            format: Self.format, version: Self.currentVersion, lastCycle: lastCycle, updatedAt: updatedAt,
            completeAfter: completeAfter?.description, seen: [:], reports: reports, failures: failures,
            storedEvents: storedEvents)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        // Encoding these plain values cannot fail.
        var out = Array(try! encoder.encode(file))
        Self.splice(seenJSON(), into: &out)
        return out
    }

    public static func decode(_ bytes: [UInt8]) throws(MetadataError) -> Metadata {
        let data = Data(bytes)
        let file: File
        do { file = try JSONDecoder().decode(File.self, from: data) } catch {
            throw explain(data, decodingError: error)
        }
        guard file.format == format else { throw .wrongFormat }
        guard file.version <= currentVersion else { throw .newerVersion(file.version) }
        guard file.version >= 1 else { throw .invalid("version \(file.version)") }
        guard file.lastCycle >= 0 else { throw .invalid("negative last_cycle") }
        var completeAfter: LocalDate?
        if let c = file.completeAfter {
            guard let d = LocalDate(iso: c) else { throw .invalid("complete_after \(c)") }
            completeAfter = d
        }
        var entries: [Int: SeenEntry] = [:]
        entries.reserveCapacity(file.seen.count)
        for (key, t) in file.seen {
            guard let id = Int(key), t.hash.count == 16, let hash = UInt64(t.hash, radix: 16), let date = LocalDate(iso: t.date)
            else { throw .invalid("seen entry \(key)") }
            entries[id] = SeenEntry(hash: hash, date: date, lastSeen: t.lastSeen, observedAt: t.observedAt)
        }
        return Metadata(
            lastCycle: file.lastCycle, seen: SeenState(entries: entries), completeAfter: completeAfter,
            reports: file.reports,
            failures: file.failures, updatedAt: file.updatedAt, storedEvents: file.storedEvents)
    }

    /// Why metadata did not decode, from its header: a newer schema is named as such, not as
    /// garbage. Parsed again only on this error path.
    private static func explain(_ data: Data, decodingError: any Error) -> MetadataError {
        struct Header: Decodable {
            var format: String?
            var version: Int?
        }
        guard let header = try? JSONDecoder().decode(Header.self, from: data) else {
            return .unreadable(data.isEmpty ? "empty file" : "\(data.count) bytes")
        }
        guard header.format == format, let version = header.version else { return .wrongFormat }
        guard version <= currentVersion else { return .newerVersion(version) }
        guard version >= 1 else { return .invalid("version \(version)") }
        return .invalid(String(describing: decodingError).prefix(200).description)
    }
}
