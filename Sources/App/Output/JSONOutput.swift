import Engine
import FoundationEssentials
import Logging

/// The one JSON style of every `--json` output and JSON log line: snake_case keys in sorted
/// order, times as ISO 8601 with Stockholm's offset (`2026-03-02T07:05:29.120+01:00`) and the
/// epoch beside them as `<key>_epoch`, numbers with at most 3 decimals, `/` never escaped.
/// Outputs are built from the engine's Codable values, so their stored form stays as it is.
enum JSONOutput {
    indirect enum Value: Decodable, Sendable, Equatable {
        case null, bool(Bool), int(Int), double(Double), string(String), array([Value]), object([String: Value])

        init(from decoder: any Decoder) throws {
            let c = try decoder.singleValueContainer()
            if c.decodeNil() {
                self = .null
            } else if let b = try? c.decode(Bool.self) {
                self = .bool(b)
            } else if let i = try? c.decode(Int.self) {
                self = .int(i)
            } else if let d = try? c.decode(Double.self) {
                self = .double(d)
            } else if let s = try? c.decode(String.self) {
                self = .string(s)
            } else if let a = try? c.decode([Value].self) {
                self = .array(a)
            } else {
                self = .object(try c.decode([String: Value].self))
            }
        }

        /// A log metadata value, keeping numbers and booleans typed.
        init(_ metadata: Logger.MetadataValue) {
            switch metadata {
            case .string(let s): self = .string(s)
            case .stringConvertible(let v):
                switch v {
                case let b as Bool: self = .bool(b)
                case let i as Int: self = .int(i)
                case let d as Double: self = .double(d)
                default: self = .string(v.description)
                }
            case .array(let a): self = .array(a.map(Value.init))
            case .dictionary(let d): self = .object(d.mapValues(Value.init))
            }
        }

        /// Compact text in the house style.
        var text: String {
            var out = ""
            write(into: &out, indent: nil)
            return out
        }

        /// Two-space indented text, for outputs read by people first (`status`, `config`).
        var prettyText: String {
            var out = ""
            write(into: &out, indent: "")
            return out
        }

        private func write(into out: inout String, indent: String?) {
            switch self {
            case .null: out += "null"
            case .bool(let b): out += b ? "true" : "false"
            case .int(let i): out += String(i)
            case .double(let d): out += JSONOutput.number(d)
            case .string(let s): JSONOutput.quote(s, into: &out)
            case .array(let items):
                writeList(items.map { ("", $0) }, open: "[", close: "]", keyed: false, into: &out, indent: indent)
            case .object(let fields):
                writeList(fields.sorted { $0.key < $1.key }, open: "{", close: "}", keyed: true, into: &out, indent: indent)
            }
        }

        private func writeList(
            _ items: [(key: String, value: Value)], open: String, close: String, keyed: Bool,
            into out: inout String, indent: String?
        ) {
            out += open
            guard !items.isEmpty else {
                out += close
                return
            }
            let inner = indent.map { $0 + "  " }
            for (n, item) in items.enumerated() {
                if n > 0 { out += "," }
                if let inner { out += "\n" + inner }
                if keyed {
                    JSONOutput.quote(item.key, into: &out)
                    out += inner == nil ? ":" : ": "
                }
                item.value.write(into: &out, indent: inner)
            }
            if let indent { out += "\n" + indent }
            out += close
        }
    }

    /// An engine value in the house style (keys, times and numbers as above).
    static func value(_ encodable: some Encodable) throws -> Value {
        let data = try JSONEncoder().encode(encodable)
        return styled(try JSONDecoder().decode(Value.self, from: data))
    }

    static func text(_ encodable: some Encodable, pretty: Bool = false) throws -> String {
        let v = try value(encodable)
        return pretty ? v.prettyText : v.text
    }

    /// snake_case keys; `at` and `*_at` epoch numbers become ISO 8601 with `*_epoch` beside.
    static func styled(_ value: Value) -> Value {
        switch value {
        case .array(let items): return .array(items.map(styled))
        case .object(let fields):
            var out: [String: Value] = [:]
            for (key, field) in fields {
                let name = snakeCase(key)
                let epoch: Double? =
                    switch field {
                    case .int(let i): Double(i)
                    case .double(let d): d
                    default: nil
                    }
                if name == "at" || name.hasSuffix("_at"), let epoch {
                    out[name] = epoch > 0 ? .string(timestamp(epoch)) : .null
                    out[name + "_epoch"] = field
                } else {
                    out[name] = styled(field)
                }
            }
            return .object(out)
        default: return value
        }
    }

    static func snakeCase(_ key: String) -> String {
        var out = ""
        for ch in key {
            if ch.isUppercase { out += "_" + ch.lowercased() } else { out.append(ch) }
        }
        return out
    }

    /// `2026-03-02T07:05:29.120+01:00`: Stockholm wall time with its offset, milliseconds.
    static func timestamp(_ epoch: Double) -> String {
        let millis = Int64((epoch * 1000).rounded())
        let seconds = millis >= 0 ? millis / 1000 : (millis - 999) / 1000
        let offset = StockholmCalendar.offsetMinutes(at: seconds)
        let local = seconds + Int64(offset * 60)
        let days = local >= 0 ? local / 86_400 : (local - 86_399) / 86_400
        let (y, m, d) = StockholmCalendar.civilFromDays(Int(days))
        let s = Int(local - days * 86_400)
        return "\(pad(y, 4))-\(pad(m, 2))-\(pad(d, 2))T\(pad(s / 3600, 2)):\(pad(s % 3600 / 60, 2)):\(pad(s % 60, 2))"
            + ".\(pad(Int(millis - seconds * 1000), 3))+\(pad(offset / 60, 2)):\(pad(offset % 60, 2))"
    }

    /// Rounded to 3 decimals (milliseconds to the microsecond), as every output shows numbers.
    static func rounded(_ d: Double) -> Double { (d * 1000).rounded() / 1000 }

    /// At most 3 decimals, no exponent for ordinary values, no trailing zeros.
    static func number(_ d: Double) -> String {
        guard d.isFinite else { return "null" }
        let rounded = (d * 1000).rounded() / 1000
        if rounded == rounded.rounded(), abs(rounded) < 1e15 { return String(Int(rounded)) }
        var text = String(rounded)
        if text.contains("e") { return text }
        while text.hasSuffix("0") { text.removeLast() }
        return text
    }

    static func quote(_ s: String, into out: inout String) {
        out += "\""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _
            where scalar.value < 0x20 || scalar.value == 0x7F || (0x80...0x9F).contains(scalar.value)
                || scalar.value == 0x2028 || scalar.value == 0x2029:
                out += "\\u" + hex4(scalar.value)
            default: out.unicodeScalars.append(scalar)
            }
        }
        out += "\""
    }

    private static func hex4(_ value: UInt32) -> String {
        let s = String(value, radix: 16)
        return String(repeating: "0", count: 4 - s.count) + s
    }
}
