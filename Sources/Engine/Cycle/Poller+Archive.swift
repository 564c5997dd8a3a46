/// The archive look-up of the process stage: for events the seen state no longer covers.
extension Poller {
    /// The stored content hash of the newest version of each id stored under `dates` (the
    /// version in the latest part wins, across dates too: an edit can move an event to another day).
    func archiveHashes(for dates: Set<LocalDate>) async throws -> [Int: UInt64] {
        let store = self.store
        return try await withThrowingTaskGroup(of: NewestVersions<UInt64>.self) { group in
            for date in dates {
                group.addTask { try await store.newestVersions(on: date) { _, e in e.hash } }
            }
            var all = NewestVersions<UInt64>()
            for try await versions in group { all.merge(versions) }
            return all.byID.mapValues(\.value)
        }
    }
}
