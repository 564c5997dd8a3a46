/// A `[[watch]]` rule of the config file: events matching `query` are marked with the rule's
/// name and colour on the dashboard, ring the bell when `bell` is set, and are handed to
/// `command` (a shell command line, the event's stored JSON line on its standard input).
///
/// A rule fires for every version that a cycle stores and that matches the query at that
/// version: a new event, and an edit that matches (whether or not the version before did).
/// An edit that no longer matches does not fire. Being a function of the stored version alone,
/// a restart changes nothing.
public struct WatchRule: Sendable, Equatable {
    public var name: String
    /// The query as written in the file.
    public var queryText: String
    public var query: EventQuery
    public var bell: Bool
    public var command: String?
    /// Seconds the command may run before its process group is killed; nil: the runner's (10 s).
    public var timeout: Double?
    /// The rule's place in the file, from 0: a colour that stays with it from run to run while
    /// the file is unchanged. Views take it modulo their palette.
    public var colorIndex: Int

    public init(
        name: String, query: String, bell: Bool = false, command: String? = nil, timeout: Double? = nil,
        colorIndex: Int = 0
    ) throws(EventQuery.ParseError) {
        self.name = name
        self.queryText = query
        self.bell = bell
        self.command = command
        self.timeout = timeout
        self.colorIndex = colorIndex
        self.query = try EventQuery.parse(query)
    }

    public func matches(_ e: PoliceEvent) -> Bool { query.matches(e) }
}

extension Array where Element == WatchRule {
    /// The rules an event matches, in file order.
    public func matching(_ e: PoliceEvent) -> [WatchRule] { filter { $0.matches(e) } }
}
