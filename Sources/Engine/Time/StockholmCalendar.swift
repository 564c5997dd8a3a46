/// Europe/Stockholm dates without ICU: the API's datetimes carry Stockholm's own offset, and the
/// EU summer-time rule (last Sunday of March to last Sunday of October, switching at 01:00 UTC)
/// is all that is needed to check or convert them.
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
