#if canImport(Glibc)
    import Glibc
#endif

/// Writes the archive for data tools: the newest version of each event, one row per event, in
/// `DIR/date=YYYY-MM-DD/events.jsonl` (or `.csv`) — the hive layout DuckDB, Spark and pandas read
/// as a typed `date` partition column. Each file is written atomically (temp file, fsync,
/// rename), and a re-export replaces what an earlier one wrote: in the dates it covers, files of
/// days that no longer have events, or of the other format, are removed. Nothing else in DIR is
/// touched. The raw store stays the API's bytes; this is a view of it.
public struct Exporter: Sendable {
    public enum Format: String, Sendable, CaseIterable {
        case jsonl, csv
        public var fileName: String { "events.\(rawValue)" }
    }

    public struct Report: Sendable {
        public var events = 0
        public var days = 0
        /// Files of an earlier export that no longer apply, removed.
        public var removed = 0
        public var partsRead = 0
        /// Lines or files of the store that could not be read, with where they are.
        public var problems: [String] = []
    }

    public let store: any EventStore

    public init(store: any EventStore) { self.store = store }

    /// The rows of the dates in `from...to` (every date when nil) matching `query`, by date,
    /// each day's rows in publication order. Versions are counted over the whole archive, and
    /// an event is exported under the date of its newest version.
    public func rows(from: LocalDate?, to: LocalDate?, query: EventQuery?) async throws -> (rows: [LocalDate: [ExportRow]], report: Report)
    {
        let parts = try await store.listParts(date: nil).withoutCovered()
        let read = try await store.newestVersions(in: parts) { scan, e in Array(scan.lineBytes(e)) }
        var report = Report(partsRead: parts.count, problems: read.problems)
        var byDate: [LocalDate: [ExportRow]] = [:]
        for version in read.versions.byID.values {
            guard let event = PoliceEvent.decode(line: version.value), let row = ExportRow(event, versions: version.count) else {
                report.problems.append("event line not exportable: \(String(decoding: version.value.prefix(80), as: UTF8.self))")
                continue
            }
            guard from.map({ row.date >= $0 }) ?? true, to.map({ row.date <= $0 }) ?? true,
                query.map({ $0.matches(event) }) ?? true
            else { continue }
            byDate[row.date, default: []].append(row)
        }
        for (date, rows) in byDate {
            byDate[date] = rows.sorted { ($0.instant, $0.id) < ($1.instant, $1.id) }
        }
        return (byDate, report)
    }

    public func export(from: LocalDate?, to: LocalDate?, query: EventQuery?, format: Format, into dir: String) async throws -> Report {
        var (byDate, report) = try await rows(from: from, to: to, query: query)
        try FileIO.makeDirectories(dir)
        for (date, rows) in byDate.sorted(by: { $0.key < $1.key }) {
            let folder = "\(dir)/date=\(date)"
            try FileIO.makeDirectories(folder)
            var text = format == .csv ? ExportRow.csvHeader + "\n" : ""
            for row in rows { text += (format == .csv ? row.csvLine : row.jsonLine) + "\n" }
            try FileIO.atomicWrite("\(folder)/\(format.fileName)", Array(text.utf8))
            report.events += rows.count
            report.days += 1
        }
        // What an earlier export wrote in these dates and this one did not.
        for name in FileIO.list(dir) {
            guard name.hasPrefix("date="), let date = LocalDate(iso: String(name.dropFirst(5))),
                from.map({ date >= $0 }) ?? true, to.map({ date <= $0 }) ?? true
            else { continue }
            for other in Format.allCases where other != format || byDate[date] == nil {
                let path = "\(dir)/\(name)/\(other.fileName)"
                if FileIO.exists(path) {
                    FileIO.remove(path)
                    report.removed += 1
                }
            }
            if FileIO.list("\(dir)/\(name)").isEmpty { rmdir("\(dir)/\(name)") }
            FileIO.syncDirectory("\(dir)/\(name)")
        }
        return report
    }
}
