import Foundation
import Synchronization
import Testing
@testable import Engine
import EngineTesting

@Suite struct S3ClientTests {
    func client(_ transport: ScriptedTransport, clock: ManualClock) -> S3Client {
        S3Client(endpoint: "http://s3.test/", bucket: "b", region: "eu-stockholm-1",
                 credentials: S3Credentials(accessKey: "AKIA", secretKey: "s3cr3t"), transport: transport, clock: clock)
    }

    /// Runs `body`, moving the manual clock whenever it sleeps (the backoff between retries).
    func drive<T: Sendable>(_ clock: ManualClock, _ body: @escaping @Sendable () async throws -> T) async throws -> T {
        let task = Task { try await body() }
        let done = Mutex(false)
        let watcher = Task { _ = try? await task.value; done.withLock { $0 = true } }
        while !done.withLock({ $0 }) {
            if clock.sleeperCount > 0 { clock.advance(by: 1) } else { await Task.yield() }
        }
        _ = await watcher.value
        return try await task.value
    }

    @Test func slowDownAndConnectionFailuresAreRetriedThenSucceed() async throws {
        let clock = ManualClock()
        let t = ScriptedTransport(clock: clock, [
            .success(HTTPResponse(status: 503, body: Array("<Error><Code>SlowDown</Code></Error>".utf8))),
            .failure(.connection("reset")),
            .success(HTTPResponse(status: 200, headers: ["etag": "\"abc\""], body: Array("x".utf8))),
        ])
        let c = client(t, clock: clock)
        let blob = try await drive(clock) { try await c.get("metadata.json") }
        #expect(blob?.version == "\"abc\"")
        #expect(t.calls.count == 3)
    }

    @Test func a403IsNotRetriedAndNamesTheCause() async throws {
        let clock = ManualClock()
        let t = ScriptedTransport(clock: clock, [.success(HTTPResponse(status: 403, body: Array("<Error><Code>SignatureDoesNotMatch</Code></Error>".utf8)))])
        await #expect(throws: S3Client.Failure.denied("SignatureDoesNotMatch")) { try await client(t, clock: clock).get("k") }
        #expect(t.calls.count == 1)
    }

    @Test func keysArePercentEncodedAndTheSecretIsNeverDescribed() {
        #expect(percentEncode("events/2026/08/22/part 1+ö.jsonl", keepSlash: true) == "events/2026/08/22/part%201%2B%C3%B6.jsonl")
        #expect(percentEncode("a/b", keepSlash: false) == "a%2Fb")
        #expect(!"\(S3Credentials(accessKey: "AKIAXYZ", secretKey: "s3cr3t"))".contains("s3cr3t"))
    }

    @Test func listResultsAreReadWithEntitiesDecoded() {
        let xml = "<ListBucketResult><Contents><Key>a&amp;b.jsonl</Key></Contents><Contents><Key>c.jsonl</Key></Contents><IsTruncated>true</IsTruncated><NextContinuationToken>t1</NextContinuationToken></ListBucketResult>"
        #expect(xmlValues("Key", in: xml) == ["a&b.jsonl", "c.jsonl"])
        #expect(xmlValues("NextContinuationToken", in: xml) == ["t1"])
    }

    @Test func credentialsFilesAreParsedByProfile() throws {
        let text = "[default]\naws_access_key_id = A1\naws_secret_access_key = S1\n\n[oci]\naws_access_key_id=A2\naws_secret_access_key=S2\n"
        #expect(try S3CredentialsLoader.parse(text, profile: "oci", path: "f").accessKey == "A2")
        #expect(throws: S3CredentialsLoader.Problem.self) { try S3CredentialsLoader.parse(text, profile: "none", path: "f") }
    }
}

@Suite struct LegacyLayoutTests {
    @Test func theOriginalCollectorsLocalFolderIsContinuedWithoutStoringTwice() async throws {
        let h = Harness()
        // The collector's layout: events/YYYY/MM/DD/events-<unix>.jsonl, json.dumps lines.
        let objects = Fixtures.objects(Fixtures.latest)
        var byDate: [String: [String]] = [:]
        for o in objects.suffix(300) {
            let dt = o["datetime"] as! String
            // Python's json.dumps: ASCII escapes, ", " separators, keys in the API's order.
            let keys = ["id", "datetime", "name", "summary", "url", "type", "location"]
            let fields = keys.map { k -> String in
                if k == "id" { return "\"id\": \(o["id"] as! Int)" }
                if k == "location" {
                    let l = o["location"] as! [String: String]
                    return "\"location\": {\"name\": \(pyString(l["name"]!)), \"gps\": \(pyString(l["gps"]!))}"
                }
                return "\"\(k)\": \(pyString(o[k] as! String))"
            }
            byDate[String(dt.prefix(10)).replacingOccurrences(of: "-", with: "/"), default: []].append("{" + fields.joined(separator: ", ") + "}")
        }
        for (date, lines) in byDate {
            let dir = "\(h.root)/events/\(date)"
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
            try (lines.joined(separator: "\n") + "\n").write(toFile: "\(dir)/events-1700000000.jsonl", atomically: true, encoding: .utf8)
        }
        h.transport.push(fixture: Fixtures.latest)
        let report = await h.cycle(try await h.poller())
        #expect(report.new == 200 && report.unchanged == 300 && report.updated == 0)
    }
}

/// A string as Python's json.dumps writes it (ensure_ascii).
func pyString(_ s: String) -> String {
    var out = "\""
    for u in s.unicodeScalars {
        switch u {
        case "\"": out += "\\\""
        case "\\": out += "\\\\"
        case "\n": out += "\\n"
        default:
            if u.value < 0x20 || u.value > 0x7E {
                if u.value > 0xFFFF {
                    let v = u.value - 0x10000
                    out += String(format: "\\u%04x\\u%04x", 0xD800 + (v >> 10), 0xDC00 + (v & 0x3FF))
                } else {
                    out += String(format: "\\u%04x", u.value)
                }
            } else {
                out.unicodeScalars.append(u)
            }
        }
    }
    return out + "\""
}
