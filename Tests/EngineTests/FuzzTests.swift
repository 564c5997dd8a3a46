import EngineTesting
import Foundation
import Testing

@testable import Engine

/// Bounded fuzzing in every run (more with FUZZ_ITERATIONS=N): random mutations of real
/// responses, stored parts and metadata. Nothing may crash; whatever is accepted must be valid.
@Suite struct FuzzTests {
    static let iterations = Int(ProcessInfo.processInfo.environment["FUZZ_ITERATIONS"] ?? "") ?? 3000

    /// One random edit: flip, delete, duplicate, insert or truncate.
    static func mutate(_ input: [UInt8], _ rng: inout SplitMix64) -> [UInt8] {
        var b = input
        guard !b.isEmpty else { return [UInt8(rng.below(256))] }
        let i = rng.below(b.count)
        switch rng.below(6) {
        case 0: b[i] ^= UInt8(1 << rng.below(8))
        case 1: b.removeSubrange(i..<min(b.count, i + 1 + rng.below(16)))
        case 2:
            let j = min(b.count, i + 1 + rng.below(32))
            b.insert(contentsOf: b[i..<j], at: rng.below(b.count))
        case 3: b.insert(contentsOf: (0..<(1 + rng.below(4))).map { _ in UInt8(rng.below(256)) }, at: i)
        case 4: b = Array(b.prefix(i))
        default:
            let structural = Array("{}[],:\"\\ 0".utf8)
            b[i] = structural[rng.below(structural.count)]
        }
        return b
    }

    @Test func theDecoderNeverCrashesAndWhatItAcceptsIsValid() {
        var rng = SplitMix64(seed: 1)
        let seeds = ["snapshot-2018-04-13-civil-courage-fixture.json", "snapshot-2026-03-31T0652Z-dnouri-filtered-cache.json"].map(
            Fixtures.bytes)
        var accepted = 0
        for n in 0..<Self.iterations {
            var body = seeds[n % seeds.count]
            for _ in 0..<(1 + rng.below(3)) { body = Self.mutate(body, &rng) }
            guard let scan = try? EventScanner.scan(body) else { continue }
            accepted += 1
            for e in scan.events {
                let object = jsonObject(scan.lineBytes(e))
                #expect(object?["id"] as? Int == e.id, "iteration \(n)")
            }
        }
        // Mutations that keep the JSON valid (a changed letter in a string) are accepted.
        #expect(accepted > 0)
    }

    @Test func storedPartsWithDamagedLinesNeverCrashTheReader() {
        var rng = SplitMix64(seed: 2)
        let scan = try! EventScanner.scan(Fixtures.bytes("snapshot-2018-04-13-civil-courage-fixture.json"))
        var part: [UInt8] = []
        for e in scan.events {
            part += scan.lineBytes(e)
            part.append(0x0A)
        }
        for n in 0..<Self.iterations {
            let damaged = Self.mutate(Self.mutate(part, &rng), &rng)
            let read = EventScanner.scanLines(damaged)
            for e in read.events { #expect(jsonObject(read.lineBytes(e))?["id"] as? Int == e.id, "iteration \(n)") }
            #expect(read.events.count + read.skipped <= damaged.filter { $0 == 0x0A }.count + 1)
        }
    }

    @Test func theMetadataLoaderNeverCrashesAndWhatItLoadsRoundTrips() throws {
        var rng = SplitMix64(seed: 3)
        var meta = Metadata(lastCycle: 12, updatedAt: 1)
        for (i, e) in (try! EventScanner.scan(Fixtures.bytes(Fixtures.latest))).events.prefix(20).enumerated() {
            meta.seen.record(id: e.id, hash: e.hash, date: e.localDate, at: Int64(i))
        }
        meta.append(report: CycleReport(cycle: 12, trigger: .schedule, startedAt: 1))
        let good = meta.encoded()
        for n in 0..<Self.iterations {
            let bytes = Self.mutate(Self.mutate(good, &rng), &rng)
            guard let loaded = try? Metadata.decode(bytes) else { continue }
            #expect(try Metadata.decode(loaded.encoded()) == loaded, "iteration \(n)")
        }
    }

    @Test(
        arguments: (try? FileManager.default.contentsOfDirectory(
            atPath: Fixtures.root.deletingLastPathComponent().appendingPathComponent("fuzz").path))?
            .filter { $0.hasSuffix(".json") }.sorted() ?? [])
    func regressionCasesAreRejectedWithoutACrash(name: String) throws {
        let bytes = Array(try Data(contentsOf: Fixtures.root.deletingLastPathComponent().appendingPathComponent("fuzz/\(name)")))
        if name == "lone-surrogate.json" {
            // Valid JSON grammar; kept byte for byte.
            #expect(try EventScanner.scan(bytes).events.count == 1)
        } else if name == "huge-id.json" {
            #expect(throws: BodyError.noUsableEvents(elements: 1)) { try EventScanner.scan(bytes) }
        } else {
            #expect(throws: BodyError.self) { try EventScanner.scan(bytes) }
        }
    }
}
