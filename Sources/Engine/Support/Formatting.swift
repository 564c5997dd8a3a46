// Numbers and durations for people, without Foundation's formatters (they would load ICU).

/// `42 s`, `3 min 5 s`, `2 h 10 min`.
public func formatDuration(_ seconds: Double) -> String {
    if seconds.isInfinite { return "never (limit is 0)" }
    let s = Int(seconds.rounded(.up))
    if s < 60 { return "\(s) s" }
    if s < 3600 { return s % 60 == 0 ? "\(s / 60) min" : "\(s / 60) min \(s % 60) s" }
    return s % 3600 / 60 == 0 ? "\(s / 3600) h" : "\(s / 3600) h \(s % 3600 / 60) min"
}

/// Milliseconds for people: `0.24 ms`, `12 ms`, `1.52 s`.
public func ms(_ v: Double) -> String {
    if v < 10 { return String(format2(v)) + " ms" }
    if v < 1000 { return "\(Int(v.rounded())) ms" }
    return format2(v / 1000) + " s"
}

/// Two decimals without Foundation's formatter.
public func format2(_ v: Double) -> String {
    let r = (v * 100).rounded()
    let whole = Int(r / 100)
    let frac = Int(abs(r).truncatingRemainder(dividingBy: 100))
    return "\(v < 0 && whole == 0 ? "-" : "")\(whole).\(frac < 10 ? "0" : "")\(frac)"
}

/// The string without leading and trailing spaces, tabs and line breaks.
public func trimmedWhitespace(_ s: String) -> String {
    var sub = Substring(s)
    while let f = sub.first, f == " " || f == "\t" || f == "\r" || f == "\n" { sub.removeFirst() }
    while let l = sub.last, l == " " || l == "\t" || l == "\r" || l == "\n" { sub.removeLast() }
    return String(sub)
}

/// `n` with leading zeros to `width` digits: `pad(7, 2)` is `07`.
@inline(__always) public func pad(_ n: Int, _ width: Int) -> String {
    let s = String(n)
    return s.count >= width ? s : String(repeating: "0", count: width - s.count) + s
}

/// `s` with trailing spaces to `width` characters, for aligned command-line tables.
public func padRight(_ s: String, _ width: Int) -> String {
    s.count >= width ? s : s + String(repeating: " ", count: width - s.count)
}
