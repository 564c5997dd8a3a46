/// Everything one cycle did, measured. The JSON output, the log line, the dashboard and the
/// metrics are all views of this one value.
public struct CycleReport: Codable, Sendable, Equatable {
    public enum Outcome: String, Codable, Sendable, CaseIterable { case ok, failed, skipped }
    public enum Trigger: String, Codable, Sendable { case schedule, manual, once, recovery }

    public struct Stages: Codable, Sendable, Equatable {
        public var fetchMs: Double = 0
        public var getMetadataMs: Double = 0
        public var processMs: Double = 0
        public var saveEventsMs: Double = 0
        public var updateMetadataMs: Double = 0
        public init() {}

        enum CodingKeys: String, CodingKey {
            case fetchMs = "fetch_ms"
            case getMetadataMs = "get_metadata_ms"
            case processMs = "process_ms"
            case saveEventsMs = "save_events_ms"
            case updateMetadataMs = "update_metadata_ms"
        }

        public subscript(stage: Stage) -> Double {
            get {
                switch stage {
                case .fetch: return fetchMs
                case .getMetadata: return getMetadataMs
                case .process: return processMs
                case .saveEvents: return saveEventsMs
                case .updateMetadata: return updateMetadataMs
                case .watch: return 0
                }
            }
            set {
                switch stage {
                case .fetch: fetchMs = newValue
                case .getMetadata: getMetadataMs = newValue
                case .process: processMs = newValue
                case .saveEvents: saveEventsMs = newValue
                case .updateMetadata: updateMetadataMs = newValue
                case .watch: break
                }
            }
        }
    }

    public struct HTTPFacts: Codable, Sendable, Equatable {
        public var status: Int
        public var bytesWire: Int
        public var bytesDecoded: Int
        public var dnsMs: Double
        public var connectMs: Double
        public var tlsMs: Double
        public var ttfbMs: Double
        public var totalMs: Double
        /// The response's Retry-After header, as sent.
        public var retryAfter: String?

        public init(_ r: HTTPResponse) {
            status = r.status
            bytesWire = r.bytesWire
            bytesDecoded = r.bytesDecoded
            retryAfter = r.headers["retry-after"]
            dnsMs = r.timings.dnsMs
            connectMs = r.timings.connectMs
            tlsMs = r.timings.tlsMs
            ttfbMs = r.timings.ttfbMs
            totalMs = r.timings.totalMs
        }

        enum CodingKeys: String, CodingKey {
            case status
            case bytesWire = "bytes_wire"
            case bytesDecoded = "bytes_decoded"
            case dnsMs = "dns_ms"
            case connectMs = "connect_ms"
            case tlsMs = "tls_ms"
            case ttfbMs = "ttfb_ms"
            case totalMs = "total_ms"
            case retryAfter = "retry_after"
        }

        /// Decoded bytes per wire byte (1 when uncompressed).
        public var compressionRatio: Double { bytesWire > 0 ? Double(bytesDecoded) / Double(bytesWire) : 1 }
    }

    public var cycle: Int
    public var trigger: Trigger
    public var startedAt: Double
    public var outcome: Outcome
    public var error: String?
    public var fetched = 0
    public var new = 0
    public var updated = 0
    public var unchanged = 0
    public var skipped = 0
    /// How many partition files this cycle wrote, and for which dates.
    public var partitions = 0
    public var partitionDates: [String] = []
    public var gap = false
    /// The response looked like a cached filtered one (one or two types, months back).
    public var filtered = false
    public var archiveLookups = 0
    public var retries = 0
    public var waitedMs: Double = 0
    public var totalMs: Double = 0
    public var stages = Stages()
    public var http: HTTPFacts?
    public var hourUsed = 0
    public var dayUsed = 0
    /// Fetched events waiting in the journal for the store after this cycle (0 once committed;
    /// nil in reports written before the journal).
    public var journalPending: Int?

    public init(cycle: Int, trigger: Trigger, startedAt: Double, outcome: Outcome = .ok) {
        self.cycle = cycle
        self.trigger = trigger
        self.startedAt = startedAt
        self.outcome = outcome
    }

    enum CodingKeys: String, CodingKey {
        case cycle, trigger
        case startedAt = "started_at"
        case outcome, error, fetched, new, updated, unchanged, skipped
        case partitions
        case partitionDates = "partition_dates"
        case gap, filtered
        case archiveLookups = "archive_lookups"
        case retries
        case waitedMs = "waited_ms"
        case totalMs = "total_ms"
        case stages, http
        case hourUsed = "hour_used"
        case dayUsed = "day_used"
        case journalPending = "journal_pending"
    }

    /// The stage that took longest.
    public var bottleneck: Stage? {
        Stage.allCases.max { stages[$0] < stages[$1] }.flatMap { stages[$0] > 0 ? $0 : nil }
    }
}

/// The five stages of a cycle, matching the original poller's timeline.
public enum Stage: String, CaseIterable, Codable, Sendable {
    case fetch
    case getMetadata = "get_metadata"
    case process
    case saveEvents = "save_events"
    case updateMetadata = "update_metadata"
    /// Not a stage of the cycle but where a watch rule's command failed, after the cycle and
    /// off its path: it has no time in a report and is not among `allCases`.
    case watch

    /// The cycle's five stages, in order.
    public static let allCases: [Stage] = [.fetch, .getMetadata, .process, .saveEvents, .updateMetadata]

    public var title: String {
        switch self {
        case .fetch: return "fetch"
        case .getMetadata: return "get metadata"
        case .process: return "process"
        case .saveEvents: return "save events"
        case .updateMetadata: return "update metadata"
        case .watch: return "watch"
        }
    }
}

/// One line of the failure and retry log.
public struct FailureEntry: Codable, Sendable, Equatable {
    public enum Outcome: String, Codable, Sendable {
        case retrying
        case gaveUp = "gave_up"
        case recovered, stopped
    }
    public var at: Double
    public var cycle: Int
    public var stage: Stage
    public var error: String
    public var attempt: Int
    /// Seconds waited before the next attempt, when one follows.
    public var backoff: Double?
    public var outcome: Outcome
    /// What went wrong, set where the failure is known (nil only in entries written before
    /// store failures had a kind).
    public var kind: FailureKind?

    public init(
        at: Double, cycle: Int, stage: Stage, error: String, attempt: Int, backoff: Double?, outcome: Outcome,
        kind: FailureKind? = nil
    ) {
        self.at = at
        self.cycle = cycle
        self.stage = stage
        self.error = error
        self.attempt = attempt
        self.backoff = backoff
        self.outcome = outcome
        self.kind = kind
    }
}
