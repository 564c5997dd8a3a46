/// One exported event: the newest stored version, in the form data tools read with types —
/// an ISO 8601 timestamp with its offset (the API's `2023-03-02 7:05:29 +01:00` has an
/// unpadded hour and a space that DuckDB, Spark and `fromisoformat` refuse), the Stockholm
/// date, coordinates as numbers, and how many versions were stored.
public struct ExportRow: Sendable, Equatable {
    public static let columns = ["id", "datetime", "date", "name", "summary", "url", "type", "location_name", "lat", "lng", "versions"]

    public var id: Int
    /// `2023-03-02T07:05:29+01:00`.
    public var datetime: String
    public var date: LocalDate
    public var name, summary, url, type, locationName: String?
    /// The gps text's numbers as written (`59.329324`), nil when absent or not a number.
    public var lat, lng: String?
    public var versions: Int
    /// Seconds since the epoch, for ordering (not a column).
    var instant: Int64

    public init?(_ e: PoliceEvent, versions: Int) {
        guard let t = e.parsedDateTime else { return nil }
        id = e.id
        datetime = ExportRow.iso8601(t)
        date = t.stockholmDate
        instant = t.instant
        name = e.name
        summary = e.summary
        url = e.url
        type = e.type
        locationName = e.location?.name
        (lat, lng) = ExportRow.coordinates(e.location?.gps)
        self.versions = versions
    }

    static func iso8601(_ t: APIDateTime) -> String {
        let sign = t.offsetMinutes < 0 ? "-" : "+"
        let off = abs(t.offsetMinutes)
        return "\(pad(t.year, 4))-\(pad(t.month, 2))-\(pad(t.day, 2))T\(pad(t.hour, 2)):\(pad(t.minute, 2)):\(pad(t.second, 2))"
            + "\(sign)\(pad(off / 60, 2)):\(pad(off % 60, 2))"
    }

    /// `"59.329324,18.068581"` → the two numbers, each only if it is a plain decimal number.
    static func coordinates(_ gps: String?) -> (String?, String?) {
        guard let gps else { return (nil, nil) }
        let parts = gps.split(separator: ",", omittingEmptySubsequences: false).map { trimmedWhitespace(String($0)) }
        guard parts.count == 2, parts.allSatisfy(isDecimal) else { return (nil, nil) }
        return (parts[0], parts[1])
    }

    /// `-12`, `59.3293`: digits with an optional sign and fraction — valid in JSON and CSV alike.
    static func isDecimal(_ s: String) -> Bool {
        var u = Substring(s).utf8[...]
        if u.first == UInt8(ascii: "-") { u = u.dropFirst() }
        let parts = u.split(separator: UInt8(ascii: "."), maxSplits: 1, omittingEmptySubsequences: false)
        guard (1...2).contains(parts.count) else { return false }
        return parts.allSatisfy { !$0.isEmpty && $0.allSatisfy { $0 >= 0x30 && $0 <= 0x39 } }
    }

    /// One JSON object on one line, keys in `columns` order; absent values are null.
    public var jsonLine: String {
        func str(_ s: String?) -> String { s.map(jsonString) ?? "null" }
        return "{\"id\":\(id),\"datetime\":\"\(datetime)\",\"date\":\"\(date)\",\"name\":\(str(name)),\"summary\":\(str(summary)),"
            + "\"url\":\(str(url)),\"type\":\(str(type)),\"location_name\":\(str(locationName)),"
            + "\"lat\":\(lat ?? "null"),\"lng\":\(lng ?? "null"),\"versions\":\(versions)}"
    }

    /// One CSV record (RFC 4180: fields with a comma, quote or line break are quoted); absent
    /// values are empty.
    public var csvLine: String {
        [
            String(id), datetime, date.description, csvField(name), csvField(summary), csvField(url), csvField(type),
            csvField(locationName), lat ?? "", lng ?? "", String(versions),
        ].joined(separator: ",")
    }

    public static var csvHeader: String { columns.joined(separator: ",") }
}

/// A JSON string literal: quotes, backslashes and control characters escaped, all else as UTF-8.
func jsonString(_ s: String) -> String {
    var out = "\""
    for u in s.unicodeScalars {
        switch u {
        case "\"": out += "\\\""
        case "\\": out += "\\\\"
        case "\n": out += "\\n"
        case "\r": out += "\\r"
        case "\t": out += "\\t"
        case _ where u.value < 0x20:
            let hex = Array("0123456789abcdef")
            out += "\\u00\(hex[Int(u.value >> 4)])\(hex[Int(u.value & 0xF)])"
        default: out.unicodeScalars.append(u)
        }
    }
    return out + "\""
}

func csvField(_ s: String?) -> String {
    guard let s else { return "" }
    guard s.unicodeScalars.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return s }
    return "\"" + s.replacing("\"", with: "\"\"") + "\""
}
