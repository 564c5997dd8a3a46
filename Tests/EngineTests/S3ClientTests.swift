import EngineTesting
import Foundation
import Synchronization
import Testing

@testable import Engine

@Suite struct S3ClientTests {
    func client(_ transport: ScriptedTransport, clock: ManualClock) -> S3Client {
        S3Client(
            endpoint: "http://s3.test/", bucket: "b", region: "eu-stockholm-1",
            credentials: S3Credentials(accessKey: "AKIA", secretKey: "s3cr3t"), transport: transport, clock: clock)
    }

    /// Runs `body`, moving the manual clock whenever it sleeps (the backoff between retries).
    func drive<T: Sendable>(_ clock: ManualClock, _ body: @escaping @Sendable () async throws -> T) async throws -> T {
        let task = Task { try await body() }
        let done = Mutex(false)
        let watcher = Task {
            _ = try? await task.value
            done.withLock { $0 = true }
        }
        while !done.withLock({ $0 }) {
            if clock.sleeperCount > 0 { clock.advance(by: 1) } else { await Task.yield() }
        }
        _ = await watcher.value
        return try await task.value
    }

    @Test func slowDownAndConnectionFailuresAreRetriedThenSucceed() async throws {
        let clock = ManualClock()
        let t = ScriptedTransport(
            clock: clock,
            [
                .success(HTTPResponse(status: 503, body: Array("<Error><Code>SlowDown</Code></Error>".utf8))),
                .failure(.connection("reset")),
                .success(HTTPResponse(status: 200, headers: ["etag": "\"abc\""], body: Array("x".utf8))),
            ])
        let c = client(t, clock: clock)
        let blob = try await drive(clock) { try await c.get("metadata.json") }
        #expect(blob?.version == "\"abc\"")
        #expect(t.calls.count == 3)
    }

    /// An adopted part's events are taken as observed when it was written (see
    /// `Deduplicator.observationBound`): a part read from the bucket carries its Last-Modified.
    @Test func aPartIsReadWithItsLastModifiedTime() async throws {
        let clock = ManualClock()
        let t = ScriptedTransport(
            clock: clock,
            [
                .success(HTTPResponse(status: 200, headers: ["last-modified": "Tue, 01 Dec 2026 15:50:07 GMT"], body: Array("x\n".utf8))),
                .success(HTTPResponse(status: 200, body: Array("y\n".utf8))),
            ])
        let store = S3Store(client: client(t, clock: clock), prefix: "p")
        let day = LocalDate(year: 2026, month: 12, day: 1)
        let stamped = try await store.readPartStamped(PartRef(date: day, cycle: 7))
        #expect(stamped.bytes == Array("x\n".utf8) && stamped.writtenAt == 1_796_140_207)
        #expect(try await store.readPartStamped(PartRef(date: day, cycle: 8)).writtenAt == nil)
        #expect(Deduplicator.observationBound(writtenAt: 1_796_140_207, readAt: 1_796_140_300) == 1_796_140_209)
        #expect(Deduplicator.observationBound(writtenAt: 1_796_140_207, readAt: 1_796_140_208) == 1_796_140_208)
        #expect(Deduplicator.observationBound(writtenAt: nil, readAt: 1_796_140_300) == 1_796_140_300)
    }

    @Test func a403IsNotRetriedAndNamesTheCause() async throws {
        let clock = ManualClock()
        let t = ScriptedTransport(
            clock: clock, [.success(HTTPResponse(status: 403, body: Array("<Error><Code>SignatureDoesNotMatch</Code></Error>".utf8)))])
        await #expect(throws: S3Client.RequestError(operation: "GET s3://b/k", failure: .denied("SignatureDoesNotMatch"))) {
            try await client(t, clock: clock).get("k")
        }
        #expect(t.calls.count == 1)
    }

    /// A transport whose every request hangs until its stall bound: the manual clock moves by
    /// the request's `stallTimeout`, then the request times out. Records every request.
    final class BlackHole: HTTPTransport {
        let clock: ManualClock
        let requests = Mutex<[HTTPRequest]>([])
        init(clock: ManualClock) { self.clock = clock }
        func send(_ request: HTTPRequest) async throws(TransportError) -> HTTPResponse {
            requests.withLock { $0.append(request) }
            clock.advance(by: request.stallTimeout ?? request.totalTimeout)
            throw .timeout("Operation too slow")
        }
    }

    @Test func everyRequestIsBoundedAndAStuckOneFailsNamingTheStoreAndTheOperation() async throws {
        let clock = ManualClock()
        let hole = BlackHole(clock: clock)
        let c = S3Client(
            endpoint: "http://s3.test/", bucket: "archive", region: "r", credentials: S3Credentials(accessKey: "A", secretKey: "S"),
            transport: hole, clock: clock, timeout: 30)
        let started = clock.now()
        let error = await #expect(throws: S3Client.RequestError.self) {
            try await drive(clock) { try await c.get("polisen/metadata.json") }
        }
        let requests = hole.requests.withLock { $0 }
        // Retried with backoff while the operation had spent less than the limit, then given up.
        #expect(requests.count == 2)
        #expect(clock.now() - started < 32)
        for r in requests {
            #expect(r.connectTimeout == 10 && r.totalTimeout == 30 && r.stallTimeout == 15)
        }
        #expect(
            error?.description
                == "s3 GET s3://archive/polisen/metadata.json: timed out after 15 s (store_timeout 30 s); gave up after 2 attempts in 31 s")
    }

    @Test func aShortStoreTimeoutBoundsTheConnectTooAndAQuickFailureIsStillRetried() async throws {
        let clock = ManualClock()
        let t = ScriptedTransport(
            clock: clock,
            [
                .failure(.connection("refused")), .failure(.connection("refused")),
                .success(HTTPResponse(status: 200, body: Array("x".utf8))),
            ])
        let c = S3Client(
            endpoint: "http://s3.test/", bucket: "b", region: "r", credentials: S3Credentials(accessKey: "A", secretKey: "S"),
            transport: t, clock: clock, timeout: 4)
        let blob = try await drive(clock) { try await c.get("k") }
        #expect(blob?.bytes == Array("x".utf8))
        #expect(t.calls.count == 3)
    }

    @Test func aPutThatFailsNamesItsObject() async throws {
        let clock = ManualClock()
        let t = ScriptedTransport(
            clock: clock, [.success(HTTPResponse(status: 400, body: Array("<Error><Code>InvalidRequest</Code></Error>".utf8)))])
        let error = await #expect(throws: S3Client.RequestError.self) {
            try await client(t, clock: clock).put("p/events/2026/01/02/part-3.jsonl", [1], contentType: "application/x-ndjson")
        }
        #expect(error?.description == "s3 PUT s3://b/p/events/2026/01/02/part-3.jsonl: HTTP 400: InvalidRequest")
    }

    @Test func keysArePercentEncodedAndTheSecretIsNeverDescribed() {
        #expect(percentEncode("events/2026/08/22/part 1+ö.jsonl", keepSlash: true) == "events/2026/08/22/part%201%2B%C3%B6.jsonl")
        #expect(percentEncode("a/b", keepSlash: false) == "a%2Fb")
        #expect(!"\(S3Credentials(accessKey: "AKIAXYZ", secretKey: "s3cr3t"))".contains("s3cr3t"))
    }

    @Test func listResultsAreReadWithEntitiesDecoded() {
        let xml =
            "<ListBucketResult><Contents><Key>a&amp;b.jsonl</Key></Contents><Contents><Key>c.jsonl</Key></Contents><IsTruncated>true</IsTruncated><NextContinuationToken>t1</NextContinuationToken></ListBucketResult>"
        #expect(xmlValues("Key", in: xml) == ["a&b.jsonl", "c.jsonl"])
        #expect(xmlValues("NextContinuationToken", in: xml) == ["t1"])
    }

    @Test func credentialsFilesAreParsedByProfile() throws {
        let text =
            "[default]\naws_access_key_id = A1\naws_secret_access_key = S1\n\n[oci]\naws_access_key_id=A2\naws_secret_access_key=S2\n"
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
            byDate[String(dt.prefix(10)).replacingOccurrences(of: "-", with: "/"), default: []].append(
                "{" + fields.joined(separator: ", ") + "}")
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
