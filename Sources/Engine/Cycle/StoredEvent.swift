/// One event a cycle stored, new or as a new version, carried on the engine's stream as the
/// stored line itself: `tail --json` and watch-rule commands get the exact bytes, and a view
/// decodes only what it shows (a headless cycle decodes nothing).
public struct StoredEvent: Codable, Sendable, Hashable {
    public var id: Int
    /// The stored JSON line, byte for byte, without its newline.
    public var line: String
    /// A new id (false: a new version of an id stored before).
    public var isNew: Bool

    public init(id: Int, line: String, isNew: Bool) {
        self.id = id
        self.line = line
        self.isNew = isNew
    }

    public func decoded() -> PoliceEvent? { PoliceEvent.decode(line: Array(line.utf8)) }
}
