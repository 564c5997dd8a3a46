/// Reads the archive back: each stored event once, at its newest version.
public struct StoreReader: Sendable {
    public let store: any EventStore

    public init(store: any EventStore) { self.store = store }

    public struct Day: Sendable {
        public var date: LocalDate
        /// Newest version of each id stored under this date, newest publication first.
        public var events: [PoliceEvent]
        /// Lines that could not be read, with where they are.
        public var problems: [String]
    }

    /// Dates that have stored parts, ascending.
    public func dates() async throws -> [LocalDate] {
        Array(Set(try await store.listParts(date: nil).map(\.date))).sorted()
    }

    public func day(_ date: LocalDate) async throws -> Day {
        var newest: [Int: [UInt8]] = [:]
        var order: [Int] = []
        var problems: [String] = []
        for part in try await store.listParts(date: date) {
            let scan = EventScanner.scanLines(try await store.readPart(part))
            for reason in scan.skipReasons { problems.append("\(part.key): \(reason)") }
            for e in scan.events {
                if newest[e.id] == nil { order.append(e.id) }
                newest[e.id] = Array(scan.lineBytes(e))
            }
        }
        let events = order.compactMap { newest[$0].flatMap { PoliceEvent.decode(line: $0) } }
        return Day(date: date, events: events.sortedNewestFirst(), problems: problems)
    }

    /// The most recently published stored events, up to `limit`, from the newest days.
    public func recent(limit: Int) async throws -> [PoliceEvent] {
        var out: [PoliceEvent] = []
        for date in try await dates().reversed() {
            out += try await day(date).events
            if out.count >= limit { break }
        }
        return Array(out.sortedNewestFirst().prefix(limit))
    }
}

extension Array where Element == PoliceEvent {
    /// By publication instant, newest first; ties by id.
    public func sortedNewestFirst() -> [PoliceEvent] {
        map { ($0.parsedDateTime?.instant ?? 0, $0) }
            .sorted { ($0.0, $0.1.id) > ($1.0, $1.1.id) }
            .map(\.1)
    }
}
