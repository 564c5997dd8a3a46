/// An event as the API publishes it, decoded for display and filtering. Storage never goes
/// through this type: stored lines are the API's bytes, so nothing here can lose a field.
#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

public struct PoliceEvent: Codable, Sendable, Hashable, Identifiable {
    public struct Location: Codable, Sendable, Hashable {
        public var name: String?
        public var gps: String?
        public init(name: String? = nil, gps: String? = nil) {
            self.name = name
            self.gps = gps
        }
    }

    public var id: Int
    public var datetime: String
    public var name: String?
    public var summary: String?
    public var url: String?
    public var type: String?
    public var location: Location?

    public init(
        id: Int, datetime: String, name: String? = nil, summary: String? = nil, url: String? = nil,
        type: String? = nil, location: Location? = nil
    ) {
        self.id = id
        self.datetime = datetime
        self.name = name
        self.summary = summary
        self.url = url
        self.type = type
        self.location = location
    }

    /// Decodes one stored or received event line.
    public static func decode<Bytes: Collection>(line: Bytes) -> PoliceEvent? where Bytes.Element == UInt8 {
        try? JSONDecoder().decode(PoliceEvent.self, from: Data(line))
    }

    public var parsedDateTime: APIDateTime? { APIDateTime.parse(datetime) }

    /// The event's own date and time as `name` gives it ("22 augusti 17.59"), without the
    /// type and place that follow: `datetime` is only the publication time.
    public var whenText: String? {
        guard let name, let type, let range = name.firstRange(of: ", \(type)") else { return nil }
        return String(name[..<range.lowerBound])
    }

    /// The absolute page address (the API gives paths relative to polisen.se).
    public var absoluteURL: String? {
        guard let url else { return nil }
        return url.hasPrefix("http") ? url : "https://polisen.se" + url
    }
}
