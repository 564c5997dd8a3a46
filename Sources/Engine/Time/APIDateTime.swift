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
            for k in i..<(i + len) {
                guard let d = digit(k) else { return nil }
                v = v * 10 + d
            }
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
