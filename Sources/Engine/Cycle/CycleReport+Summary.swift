extension CycleReport {
    /// One human line per cycle, for logs and the status command.
    public var summaryLine: String {
        var parts: [String] = ["cycle \(cycle) \(outcome.rawValue)"]
        if let error { parts[0] += " (\(error))" }
        if outcome == .ok || fetched > 0 {
            var counts = "fetched \(fetched), new \(new), updated \(updated), unchanged \(unchanged)"
            if skipped > 0 { counts += ", skipped \(skipped)" }
            parts.append(counts)
        }
        if let h = http {
            parts.append(
                "fetch \(ms(stages.fetchMs)) (HTTP \(h.status), dns \(ms(h.dnsMs)), connect \(ms(h.connectMs)), tls \(ms(h.tlsMs)), ttfb \(ms(h.ttfbMs)); \(h.bytesWire) B wire, \(h.bytesDecoded) B decoded)"
            )
        }
        parts.append(
            "process \(ms(stages.processMs)), save \(ms(stages.saveEventsMs)), metadata \(ms(stages.getMetadataMs))/\(ms(stages.updateMetadataMs))"
        )
        if retries > 0 { parts.append("\(retries) retr\(retries == 1 ? "y" : "ies")") }
        if partitions > 0 { parts.append("\(partitions) partition\(partitions == 1 ? "" : "s")") }
        if gap { parts.append("POSSIBLE GAP") }
        if filtered { parts.append("FILTERED RESPONSE") }
        parts.append("budget \(hourUsed)/h \(dayUsed)/d")
        return parts.joined(separator: " · ")
    }
}
