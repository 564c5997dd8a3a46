#if canImport(Glibc)
    import Glibc
#endif

/// A part's file name and key, written and read byte by byte: a year-wide search lists and
/// opens 17,000 of them, and `String` interpolation and `Substring` parsing cost more than
/// reading the files did.
extension PartRef {
    /// `part-00000042.jsonl`, a compacted `part-00000001-00000042.jsonl`, or the original
    /// collector's `events-1700000000.jsonl`.
    public var fileName: String {
        var out: [UInt8] = []
        out.reserveCapacity(32)
        appendFileName(to: &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// `events/YYYY/MM/DD/` and the file name.
    public var key: String {
        var out: [UInt8] = []
        out.reserveCapacity(48)
        appendKey(to: &out)
        return String(decoding: out, as: UTF8.self)
    }

    func appendKey(to out: inout [UInt8]) {
        out.append(contentsOf: "events/".utf8)
        appendPadded(date.year, 4, to: &out)
        out.append(0x2F)
        appendPadded(date.month, 2, to: &out)
        out.append(0x2F)
        appendPadded(date.day, 2, to: &out)
        out.append(0x2F)
        appendFileName(to: &out)
    }

    func appendFileName(to out: inout [UInt8]) {
        switch kind {
        case .part(let c, nil):
            out.append(contentsOf: "part-".utf8)
            appendPadded(c, 8, to: &out)
        case .part(let c, let first?):
            out.append(contentsOf: "part-".utf8)
            appendPadded(first, 8, to: &out)
            out.append(0x2D)
            appendPadded(c, 8, to: &out)
        case .legacy(let u):
            out.append(contentsOf: "events-".utf8)
            appendPadded(u, 0, to: &out)
        }
        out.append(contentsOf: ".jsonl".utf8)
    }

    /// Parses a file name of either form.
    public init?(date: LocalDate, fileName: String) {
        var name = fileName
        if let kind = name.withUTF8(Self.plainKind) {
            self.init(date: date, kind: kind)
            return
        }
        // Anything else (a sign, more digits than fit): read as numbers are read in general.
        guard fileName.hasSuffix(".jsonl") else { return nil }
        let stem = fileName.dropLast(6)
        if stem.hasPrefix("part-"), let c = Int(stem.dropFirst(5)), c >= 0 {
            self.init(date: date, kind: .part(cycle: c))
        } else if stem.hasPrefix("part-"), case let numbers = stem.dropFirst(5).split(separator: "-"), numbers.count == 2,
            let first = Int(numbers[0]), let last = Int(numbers[1]), first >= 0, first <= last
        {
            self.init(date: date, kind: .part(cycle: last, first: first))
        } else if stem.hasPrefix("events-"), let u = Int(stem.dropFirst(7)), u >= 0 {
            self.init(date: date, kind: .legacy(unix: u))
        } else {
            return nil
        }
    }

    /// The kind of a name made of digits only where numbers go (`part-N.jsonl`,
    /// `part-A-B.jsonl` with A ≤ B, `events-U.jsonl`, numbers of 1 to 18 digits); nil for
    /// any other name, which the general reading decides.
    private static func plainKind(_ b: UnsafeBufferPointer<UInt8>) -> Kind? {
        let suffix: StaticString = ".jsonl"
        guard b.count > 6, memcmp(b.baseAddress! + b.count - 6, suffix.utf8Start, 6) == 0 else { return nil }
        let end = b.count - 6
        func number(_ i: inout Int) -> Int? {
            let start = i
            var n = 0
            while i < end, b[i] &- 0x30 < 10, i - start < 18 {
                n = n * 10 + Int(b[i] - 0x30)
                i += 1
            }
            return i > start ? n : nil
        }
        var i: Int
        if b.count > 11, b[0] == 0x70, b[1] == 0x61, b[2] == 0x72, b[3] == 0x74, b[4] == 0x2D {  // part-
            i = 5
            guard let first = number(&i) else { return nil }
            if i == end { return .part(cycle: first) }
            guard b[i] == 0x2D else { return nil }
            i += 1
            guard let last = number(&i), i == end, first <= last else { return nil }
            return .part(cycle: last, first: first)
        }
        let legacy: StaticString = "events-"
        guard b.count > 13, memcmp(b.baseAddress!, legacy.utf8Start, 7) == 0 else { return nil }
        i = 7
        guard let u = number(&i), i == end else { return nil }
        return .legacy(unix: u)
    }
}

/// `n` in decimal with leading zeros to `width` digits, as `pad` writes it.
private func appendPadded(_ n: Int, _ width: Int, to out: inout [UInt8]) {
    guard n >= 0 else { return out.append(contentsOf: pad(n, width).utf8) }
    var digits = 1
    var rest = n
    while rest >= 10 {
        rest /= 10
        digits += 1
    }
    out.append(contentsOf: repeatElement(0x30, count: max(width, digits)))
    var k = out.count - 1
    rest = n
    repeat {
        out[k] = 0x30 + UInt8(rest % 10)
        rest /= 10
        k -= 1
    } while rest > 0
}
