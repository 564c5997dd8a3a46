/// Europe/Stockholm dates without ICU: the API's datetimes carry Stockholm's own offset, and the
/// EU summer-time rule (last Sunday of March to last Sunday of October, switching at 01:00 UTC)
/// is all that is needed to check or convert them.
public struct LocalDate: Hashable, Comparable, Sendable, CustomStringConvertible {
    public var year: Int
    public var month: Int
    public var day: Int

    public init(year: Int, month: Int, day: Int) {
        self.year = year; self.month = month; self.day = day
    }

    /// Parses `YYYY-MM-DD`.
    public init?(iso: String) {
        let parts = iso.split(separator: "-")
        guard parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2,
              let y = Int(parts[0]), let m = Int(parts[1]), let d = Int(parts[2]),
              (1...12).contains(m), d >= 1, d <= StockholmCalendar.daysInMonth(year: y, month: m)
        else { return nil }
        self.init(year: y, month: m, day: d)
    }

    public static func < (a: LocalDate, b: LocalDate) -> Bool {
        (a.year, a.month, a.day) < (b.year, b.month, b.day)
    }

    /// `YYYY-MM-DD`
    public var description: String { "\(pad(year, 4))-\(pad(month, 2))-\(pad(day, 2))" }
    /// `YYYY/MM/DD`, the partition path.
    public var partitionPath: String { "\(pad(year, 4))/\(pad(month, 2))/\(pad(day, 2))" }

    public var daysSinceEpoch: Int { StockholmCalendar.daysFromCivil(year, month, day) }

    public init(daysSinceEpoch: Int) {
        let (y, m, d) = StockholmCalendar.civilFromDays(daysSinceEpoch)
        self.init(year: y, month: m, day: d)
    }

    public func adding(days: Int) -> LocalDate { LocalDate(daysSinceEpoch: daysSinceEpoch + days) }
}

@inline(__always) func pad(_ n: Int, _ width: Int) -> String {
    let s = String(n)
    return s.count >= width ? s : String(repeating: "0", count: width - s.count) + s
}

/// One parsed API datetime: `2018-04-13 9:56:41 +02:00` (the hour may be unpadded).
public struct APIDateTime: Hashable, Sendable {
    public var year, month, day, hour, minute, second: Int
    public var offsetMinutes: Int

    /// Seconds since the Unix epoch.
    public var instant: Int64 {
        let days = Int64(StockholmCalendar.daysFromCivil(year, month, day))
        return days * 86_400 + Int64(hour * 3600 + minute * 60 + second) - Int64(offsetMinutes * 60)
    }

    /// The Europe/Stockholm calendar date of this instant. When the string's own offset is
    /// Stockholm's offset at that instant (always so for the real API), that is the string's date.
    public var stockholmDate: LocalDate {
        let t = instant
        let offset = StockholmCalendar.offsetMinutes(at: t)
        if offset == offsetMinutes { return LocalDate(year: year, month: month, day: day) }
        let local = t + Int64(offset * 60)
        return LocalDate(daysSinceEpoch: Int(floorDiv(local, 86_400)))
    }

    /// Parses the API's format from raw bytes. Returns nil for anything else.
    public static func parse(_ b: UnsafeBufferPointer<UInt8>) -> APIDateTime? {
        // YYYY-MM-DD H?H:MM:SS +HH:MM  → 25 or 26 bytes
        let n = b.count
        guard n == 25 || n == 26 else { return nil }
        @inline(__always) func digit(_ i: Int) -> Int? {
            let c = b[i]
            return (c >= 48 && c <= 57) ? Int(c - 48) : nil
        }
        @inline(__always) func num(_ i: Int, _ len: Int) -> Int? {
            var v = 0
            for k in i..<(i + len) { guard let d = digit(k) else { return nil }; v = v * 10 + d }
            return v
        }
        guard let y = num(0, 4), b[4] == 45, let mo = num(5, 2), b[7] == 45, let d = num(8, 2), b[10] == 32
        else { return nil }
        let hl = n - 24  // hour digits: 1 or 2
        var i = 11
        guard let h = num(i, hl) else { return nil }
        i += hl
        guard b[i] == 58, let mi = num(i + 1, 2), b[i + 3] == 58, let s = num(i + 4, 2), b[i + 6] == 32
        else { return nil }
        i += 7
        let sign = b[i]
        guard sign == 43 || sign == 45, let oh = num(i + 1, 2), b[i + 3] == 58, let om = num(i + 4, 2)
        else { return nil }
        guard (1...12).contains(mo), d >= 1, d <= StockholmCalendar.daysInMonth(year: y, month: mo),
              h < 24, mi < 60, s < 61, oh < 15, om < 60
        else { return nil }
        let off = (oh * 60 + om) * (sign == 45 ? -1 : 1)
        return APIDateTime(year: y, month: mo, day: d, hour: h, minute: mi, second: s, offsetMinutes: off)
    }

    public static func parse(_ s: String) -> APIDateTime? {
        var s = s
        return s.withUTF8 { parse($0) }
    }
}

@inline(__always) func floorDiv(_ a: Int64, _ b: Int64) -> Int64 {
    let q = a / b
    return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q
}

public enum StockholmCalendar {
    /// Days from 1970-01-01 to the given civil date (proleptic Gregorian).
    public static func daysFromCivil(_ y0: Int, _ m: Int, _ d: Int) -> Int {
        let y = m <= 2 ? y0 - 1 : y0
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (m + 9) % 12
        let doy = (153 * mp + 2) / 5 + d - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    public static func civilFromDays(_ z0: Int) -> (Int, Int, Int) {
        let z = z0 + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let y = yoe + era * 400
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        return (m <= 2 ? y + 1 : y, m, d)
    }

    public static func daysInMonth(year: Int, month: Int) -> Int {
        switch month {
        case 2: return (year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)) ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    /// Day number of the last Sunday of a month.
    static func lastSunday(year: Int, month: Int) -> Int {
        let last = daysFromCivil(year, month, daysInMonth(year: year, month: month))
        // 1970-01-01 was a Thursday; weekday 0 = Sunday.
        let weekday = ((last % 7) + 7 + 4) % 7
        return last - weekday
    }

    /// Stockholm's UTC offset in minutes at an instant: +120 in EU summer time, else +60.
    public static func offsetMinutes(at instant: Int64) -> Int {
        let day = Int(floorDiv(instant, 86_400))
        let year = civilFromDays(day).0
        let start = Int64(lastSunday(year: year, month: 3)) * 86_400 + 3600
        let end = Int64(lastSunday(year: year, month: 10)) * 86_400 + 3600
        return (instant >= start && instant < end) ? 120 : 60
    }

    /// The Stockholm calendar date at an instant.
    public static func date(at instant: Int64) -> LocalDate {
        let local = instant + Int64(offsetMinutes(at: instant) * 60)
        return LocalDate(daysSinceEpoch: Int(floorDiv(local, 86_400)))
    }

    /// `HH:MM` Stockholm wall-clock time of an instant.
    public static func clockTime(at instant: Int64) -> String {
        let local = instant + Int64(offsetMinutes(at: instant) * 60)
        let secs = Int(local - floorDiv(local, 86_400) * 86_400)
        return "\(pad(secs / 3600, 2)):\(pad(secs % 3600 / 60, 2))"
    }
}
