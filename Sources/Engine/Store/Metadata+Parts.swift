/// WHICH PARTS ARE COMMITTED — the one rule for a store several pollers write (S3).
///
/// Part names carry only a cycle number, and two pollers can write parts under the same number:
/// the one whose conditional metadata write wins commits them, the other's are uncommitted. The
/// winner's report (kept in metadata with `partition_dates`) says which of that number's parts
/// are its own. So a part of a cycle the metadata has passed, whose report is kept and does not
/// list the part's date, is a STRAY: written by a poller that lost the number (and was killed,
/// or failed, before withdrawing it). A stray can never become committed (every later commit is
/// conditional on this metadata or a newer one), so deleting it never removes a committed part.
/// Without the cycle's report (an adopted cycle, or one older than the kept reports) a part of
/// a passed cycle is taken as committed; compacted parts are always committed.
extension Metadata {
    /// Whether `part` is a stray (see above): safe to delete, once what it holds is kept.
    public func isStray(_ part: PartRef) -> Bool {
        guard part.compactedCycles == nil, let cycle = part.cycle, cycle <= lastCycle,
            let report = reports.last(where: { $0.cycle == cycle })
        else { return false }
        return !report.partitionDates.contains(part.date.description)
    }

    /// Whether a poller that wrote `part` and then lost its commit may delete it now: nobody has
    /// committed or adopted it (its cycle is ahead of the metadata), or it is a stray.
    public func mayWithdraw(_ part: PartRef) -> Bool {
        guard let cycle = part.cycle else { return false }
        return cycle > lastCycle || isStray(part)
    }
}
