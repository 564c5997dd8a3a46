/// Compact, valid JSON with every string's escapes in one form: `\uXXXX` (and surrogate pairs)
/// and `\/` decoded to UTF-8; `\"`, `\\` and control characters as the short escapes or
/// lower-case `\u00xx`. Two spellings of the same content give the same bytes.
func canonicalJSON(_ line: ArraySlice<UInt8>) -> [UInt8] {
    var out: [UInt8] = []
    out.reserveCapacity(line.count)
    var i = line.startIndex
    let end = line.endIndex
    func hex(_ at: Int) -> UInt32? {
        guard at + 4 <= end else { return nil }
        var v: UInt32 = 0
        for k in at..<(at + 4) {
            let c = line[k]
            let d: UInt32
            switch c {
            case 0x30...0x39: d = UInt32(c - 0x30)
            case 0x41...0x46: d = UInt32(c - 0x41 + 10)
            case 0x61...0x66: d = UInt32(c - 0x61 + 10)
            default: return nil
            }
            v = v << 4 | d
        }
        return v
    }
    func emit(_ scalar: UInt32) {
        switch scalar {
        case 0x22: out += [0x5C, 0x22]
        case 0x5C: out += [0x5C, 0x5C]
        case 0x08: out += [0x5C, 0x62]
        case 0x0C: out += [0x5C, 0x66]
        case 0x0A: out += [0x5C, 0x6E]
        case 0x0D: out += [0x5C, 0x72]
        case 0x09: out += [0x5C, 0x74]
        case 0..<0x20:
            let digits = Array("0123456789abcdef".utf8)
            out += [0x5C, 0x75, 0x30, 0x30, digits[Int(scalar >> 4)], digits[Int(scalar & 0xF)]]
        default:
            if let u = Unicode.Scalar(scalar) { out += Array(String(Character(u)).utf8) } else { out += [0xEF, 0xBF, 0xBD] }
        }
    }
    var inString = false
    while i < end {
        let c = line[i]
        if !inString {
            out.append(c)
            if c == 0x22 { inString = true }
            i += 1
            continue
        }
        if c == 0x22 {
            out.append(c)
            inString = false
            i += 1
            continue
        }
        guard c == 0x5C, i + 1 < end else {
            out.append(c)
            i += 1
            continue
        }
        let e = line[i + 1]
        switch e {
        case 0x75:
            guard var v = hex(i + 2) else {
                out.append(c)
                i += 1
                continue
            }
            i += 6
            if (0xD800..<0xDC00).contains(v), i + 6 <= end, line[i] == 0x5C, line[i + 1] == 0x75,
                let low = hex(i + 2), (0xDC00..<0xE000).contains(low)
            {
                v = 0x10000 + ((v - 0xD800) << 10) + (low - 0xDC00)
                i += 6
            }
            emit(v)
        case 0x2F:
            out.append(0x2F)
            i += 2
        case 0x62:
            emit(0x08)
            i += 2
        case 0x66:
            emit(0x0C)
            i += 2
        case 0x6E:
            emit(0x0A)
            i += 2
        case 0x72:
            emit(0x0D)
            i += 2
        case 0x74:
            emit(0x09)
            i += 2
        default:
            out += [c, e]
            i += 2  // \" and \\ are already canonical
        }
    }
    return out
}
