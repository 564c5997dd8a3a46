/// Where each pane goes, as a pure function of the terminal size.
public struct DashboardLayout: Sendable, Equatable {
    public static let minWidth = 80
    public static let minHeight = 24
    /// From this size on the counts have a pane of their own in the right column.
    public static let countsPaneMinWidth = 120
    public static let countsPaneMinHeight = 44

    public var title: Rect
    public var events: Rect
    public var latency: Rect
    public var headroom: Rect
    /// The counts pane, when the terminal is big enough (else `c` shows them over the list).
    public var counts: Rect?
    public var failures: Rect
    public var status: Rect

    /// nil when the terminal is too small for the dashboard.
    public static func compute(width: Int, height: Int) -> DashboardLayout? {
        guard width >= minWidth && height >= minHeight else { return nil }
        let body = Rect(x: 0, y: 1, width: width, height: height - 2)
        // The right column takes what its panes need; the events list (its summaries) the rest.
        let right = min(60, max(36, width * 2 / 5))
        let left = width - right
        // At the minimum height the right column's panes shrink so the failure log keeps room.
        let roomy = body.height >= 30
        let latencyHeight = roomy ? 12 : 9
        let headroomHeight = roomy ? 9 : 7
        let countsHeight = width >= countsPaneMinWidth && height >= countsPaneMinHeight ? 15 : 0
        let failuresHeight = body.height - latencyHeight - headroomHeight - countsHeight
        let countsY = body.y + latencyHeight + headroomHeight
        return DashboardLayout(
            title: Rect(x: 0, y: 0, width: width, height: 1),
            events: Rect(x: 0, y: body.y, width: left, height: body.height),
            latency: Rect(x: left, y: body.y, width: right, height: latencyHeight),
            headroom: Rect(x: left, y: body.y + latencyHeight, width: right, height: headroomHeight),
            counts: countsHeight > 0 ? Rect(x: left, y: countsY, width: right, height: countsHeight) : nil,
            failures: Rect(x: left, y: countsY + countsHeight, width: right, height: failuresHeight),
            status: Rect(x: 0, y: height - 1, width: width, height: 1))
    }

    public var panes: [Rect] { [title, events, latency, headroom] + (counts.map { [$0] } ?? []) + [failures, status] }
}
