import Engine

/// The list's columns: publication time, new mark, type, place and the text, which takes
/// what is left. Type and place flex to their content, within caps, so the summary stays
/// visible at 80 columns and grows with the terminal.
struct EventColumns {
    static let timeAndMark = 8  // "HH:MM ● "
    var type: Int
    var place: Int
    var text: Int

    init(width: Int, events: [PoliceEvent]) {
        let avail = max(0, width - Self.timeAndMark)
        let wantType = min(events.lazy.map { displayWidth($0.type ?? "") }.max() ?? 0, min(18, max(8, avail / 5))) + 1
        // In a narrow list the place gives way to the summary (which mostly names the town;
        // the details view has the county).
        let wantPlace = avail < 50 ? 0 : min(events.lazy.map { displayWidth(placeName($0)) }.max() ?? 0, 12) + 1
        let minText = max(16, avail * 2 / 5)
        if wantType + wantPlace + minText <= avail {
            type = wantType
            place = wantPlace
        } else {
            let room = max(14, avail - minText)
            type = min(wantType, max(7, room * wantType / max(1, wantType + wantPlace)))
            place = wantPlace == 0 ? 0 : min(wantPlace, max(6, room - type))
        }
        text = max(0, avail - type - place)
    }
}

/// The place as the list shows it: the county (or town) without " län".
func placeName(_ e: PoliceEvent) -> String {
    let name = TerminalText.sanitize(e.location?.name ?? "")
    return name.hasSuffix(" län") ? String(name.dropLast(4)) : name
}

/// The list's text for an event: its own time (and date, when not the publication day) and
/// the summary, without repeating a time the summary starts with.
func listText(_ e: PoliceEvent) -> String {
    let summary = TerminalText.sanitize(e.summary ?? "")
    guard let when = e.whenText.map({ TerminalText.sanitize($0) }) else {
        return TerminalText.sanitize(e.name ?? "") + (summary.isEmpty ? "" : " — " + summary)
    }
    let words = when.split(separator: " ")
    var prefix = when
    if let time = words.last, words.count >= 2 {
        let samePublicationDay = e.parsedDateTime.map { Int(words[0]) == $0.day } ?? false
        if summary.hasPrefix(String(time)) {
            prefix = samePublicationDay ? "" : words.dropLast().joined(separator: " ")
        } else if samePublicationDay {
            prefix = String(time)
        }
    }
    if prefix.isEmpty { return summary }
    return summary.isEmpty ? prefix : "\(prefix) — \(summary)"
}

/// A row of the list: a day's separator or an event (its index in the visible list).
enum ListRow: Equatable {
    case day(LocalDate)
    case event(Int)

    /// A separator before each Stockholm day's first event, newest first.
    static func rows(_ list: [PoliceEvent]) -> [ListRow] {
        var rows: [ListRow] = []
        rows.reserveCapacity(list.count + 8)
        var previous: LocalDate?
        for (i, e) in list.enumerated() {
            if let date = e.parsedDateTime?.stockholmDate, date != previous {
                rows.append(.day(date))
                previous = date
            }
            rows.append(.event(i))
        }
        return rows
    }
}
