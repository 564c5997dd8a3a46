/// Where each pane goes, as a pure function of the terminal size.
public struct DashboardLayout: Sendable, Equatable {
    public static let minWidth = 80
    public static let minHeight = 24

    public var title: Rect
    public var events: Rect
    public var latency: Rect
    public var headroom: Rect
    public var failures: Rect
    public var status: Rect

    /// nil when the terminal is too small for the dashboard.
    public static func compute(width: Int, height: Int) -> DashboardLayout? {
        guard width >= minWidth && height >= minHeight else { return nil }
        let body = Rect(x: 0, y: 1, width: width, height: height - 2)
        let left = max(44, width * 11 / 20)
        let right = width - left
        // At the minimum height the right column's panes shrink so the failure log keeps room.
        let roomy = body.height >= 30
        let latencyHeight = roomy ? 12 : 9
        let headroomHeight = roomy ? 9 : 7
        let failuresHeight = body.height - latencyHeight - headroomHeight
        return DashboardLayout(
            title: Rect(x: 0, y: 0, width: width, height: 1),
            events: Rect(x: 0, y: body.y, width: left, height: body.height),
            latency: Rect(x: left, y: body.y, width: right, height: latencyHeight),
            headroom: Rect(x: left, y: body.y + latencyHeight, width: right, height: headroomHeight),
            failures: Rect(x: left, y: body.y + latencyHeight + headroomHeight, width: right, height: failuresHeight),
            status: Rect(x: 0, y: height - 1, width: width, height: 1))
    }
}
