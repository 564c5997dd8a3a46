import Engine

/// What the counts view shows, computed from a list of events (the live window or the last
/// seven stored days, through the filter): events per hour over the last 24 hours, per
/// Stockholm day, and the most common types and counties.
struct EventCounts {
    var perHour: [Int]
    var perDay: [(date: LocalDate, count: Int)]
    var types: [(String, Int)]
    var counties: [(String, Int)]
    var total: Int

    init(_ events: [PoliceEvent], now: Double, top: Int = 5) {
        var hours = Array(repeating: 0, count: 24)
        var days: [LocalDate: Int] = [:]
        var types: [String: Int] = [:]
        var counties: [String: Int] = [:]
        let nowInstant = Int64(now)
        for e in events {
            if let t = e.parsedDateTime {
                let age = nowInstant - t.instant
                if age >= 0 && age < 86_400 { hours[23 - Int(age / 3600)] += 1 }
                days[t.stockholmDate, default: 0] += 1
            }
            types[TerminalText.sanitize(e.type ?? "?"), default: 0] += 1
            counties[placeName(e).isEmpty ? "?" : placeName(e), default: 0] += 1
        }
        perHour = hours
        perDay = days.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
        func ranked(_ d: [String: Int]) -> [(String, Int)] {
            Array(d.sorted { ($0.value, $1.key) > ($1.value, $0.key) }.prefix(top))
        }
        self.types = ranked(types)
        self.counties = ranked(counties)
        total = events.count
    }
}
