import Engine

/// Times as the screen says them: Stockholm wall time with its zone, and relative times.

/// "CET" or "CEST": the zone every time on the screen is in.
func zoneLabel(_ t: Double) -> String { StockholmCalendar.offsetMinutes(at: Int64(t)) == 120 ? "CEST" : "CET" }

/// "just now", "42 s ago", "3 min ago", "2 h 5 min ago", "3 days ago"; "in …" for the future.
func relativeTime(_ t: Double, now: Double) -> String {
    let d = now - t
    if abs(d) < 1 { return "just now" }
    let text = spoken(abs(d))
    return d > 0 ? "\(text) ago" : "in \(text)"
}

/// A duration in words: "42 s", "3 min", "2 h 5 min", "3 days".
func spoken(_ seconds: Double) -> String {
    let s = Int(seconds.rounded())
    if s < 60 { return "\(s) s" }
    if s < 3600 { return "\(s / 60) min" }
    if s < 86_400 { return s % 3600 / 60 == 0 ? "\(s / 3600) h" : "\(s / 3600) h \(s % 3600 / 60) min" }
    return s / 86_400 == 1 ? "1 day" : "\(s / 86_400) days"
}

private let weekdays = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]

/// "today · Sat 2026-08-22", "yesterday · Fri 2026-08-21", "Thu 2026-08-20".
func dayLabel(_ date: LocalDate, now: Double) -> String {
    // 1970-01-01 was a Thursday.
    let weekday = weekdays[((date.daysSinceEpoch + 3) % 7 + 7) % 7]
    let today = StockholmCalendar.date(at: Int64(now))
    let label = "\(weekday) \(date)"
    if date == today { return "today · " + label }
    if date == today.adding(days: -1) { return "yesterday · " + label }
    return label
}
