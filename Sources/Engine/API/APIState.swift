#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// What the engine must remember about the API itself, across restarts: every call of the
/// last 24 hours (the rate budget) and a 404 stop. Kept in a small local file of its own that is
/// written *before* each call, so even a crash mid-call cannot make the budget forget it.
public struct APIState: Codable, Sendable, Equatable {
    public struct Stop: Codable, Sendable, Equatable {
        public var url: String
        public var at: Double
        public var message: String
    }

    public var version = 1
    public var ledger = CallLedger()
    /// Set by a 404: by the API's rules no further call may be made to that resource.
    public var stopped: Stop?
    /// A Retry-After the API asked for, kept across restarts (Unix seconds).
    public var notBefore: Double?
    /// The store's last cycle number as this machine last knew it: a cycle that cannot read
    /// the store (an outage since the start) is numbered from it, not from 0. Nil in files
    /// written before it was kept. (The file is the store's own: one per store.)
    public var lastCycle: Int?

    public init() {}
}

public struct APIStateFile: Sendable {
    public let path: String

    public init(path: String) { self.path = path }

    /// The saved state; a missing file is a fresh state, an unreadable one is an error (a lost
    /// budget must not silently allow a burst of calls).
    public func load() throws -> APIState {
        guard let bytes = try FileIO.readIfExists(path) else { return APIState() }
        do {
            return try JSONDecoder().decode(APIState.self, from: Data(bytes))
        } catch {
            throw StoreError.io("\(path) is unreadable; move it aside to reset the call budget")
        }
    }

    public func save(_ state: APIState) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        try FileIO.makeDirectories(FileIO.dirname(of: path))
        try FileIO.atomicWrite(path, Array(try encoder.encode(state)))
    }
}
