/// The filter typed after `/`: words match anywhere in name, summary, type or place;
/// `type:WORD` and `place:WORD` (or `location:`) narrow to the type or place containing WORD.
/// All parts must match; case is ignored.
public struct EventQuery: Sendable, Equatable {
    public var text: [String] = []
    public var types: [String] = []
    public var places: [String] = []

    public init(_ input: String) {
        for word in input.lowercased().split(separator: " ").map(String.init) {
            if word.hasPrefix("type:") { types.append(String(word.dropFirst(5))) }
            else if word.hasPrefix("place:") { places.append(String(word.dropFirst(6))) }
            else if word.hasPrefix("location:") { places.append(String(word.dropFirst(9))) }
            else { text.append(word) }
        }
    }

    public func matches(_ e: PoliceEvent) -> Bool {
        let type = (e.type ?? "").lowercased()
        let place = (e.location?.name ?? "").lowercased()
        if !types.allSatisfy({ type.contains($0) }) { return false }
        if !places.allSatisfy({ place.contains($0) }) { return false }
        guard !text.isEmpty else { return true }
        let all = [e.name, e.summary, e.type, e.location?.name].map { ($0 ?? "").lowercased() }
        return text.allSatisfy { word in all.contains { $0.contains(word) } }
    }
}
