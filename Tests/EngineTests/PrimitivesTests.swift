import Foundation
import Testing

@testable import Engine

@Suite struct XXH64Tests {
    @Test(arguments: [
        ("", 0xEF46_DB37_51D8_E999 as UInt64),
        ("a", 0xD24E_C4F1_A98C_6E5B),
        ("abc", 0x44BC_2CF5_AD77_0999),
        ("Nobody inspects the spammish repetition", 0xFBCE_A83C_8A37_8BF1),
    ])
    func matchesTheReference(input: String, expected: UInt64) {
        #expect(XXH64.hash(Array(input.utf8)) == expected)
    }

    @Test func hexIsSixteenDigits() {
        #expect(XXH64.hex(0xAB) == "00000000000000ab")
    }
}

@Suite struct StockholmCalendarTests {
    func instant(_ s: String) -> Int64 { Int64(ISO8601DateFormatter().date(from: s)!.timeIntervalSince1970) }

    @Test func summerTimeStartsAndEndsAt0100UTC() {
        #expect(StockholmCalendar.offsetMinutes(at: instant("2026-03-29T00:59:59Z")) == 60)
        #expect(StockholmCalendar.offsetMinutes(at: instant("2026-03-29T01:00:00Z")) == 120)
        #expect(StockholmCalendar.offsetMinutes(at: instant("2025-10-26T00:59:59Z")) == 120)
        #expect(StockholmCalendar.offsetMinutes(at: instant("2025-10-26T01:00:00Z")) == 60)
        #expect(StockholmCalendar.offsetMinutes(at: instant("2024-07-01T12:00:00Z")) == 120)
        #expect(StockholmCalendar.offsetMinutes(at: instant("2024-01-01T12:00:00Z")) == 60)
    }

    @Test func agreesWithTheTimeZoneDatabaseHourByHourFor2023To2026() {
        let tz = TimeZone(identifier: "Europe/Stockholm")!
        var t = instant("2023-01-01T00:00:00Z")
        let end = instant("2027-01-01T00:00:00Z")
        var mismatches = 0
        while t < end {
            let expected = tz.secondsFromGMT(for: Date(timeIntervalSince1970: TimeInterval(t))) / 60
            if StockholmCalendar.offsetMinutes(at: t) != expected { mismatches += 1 }
            t += 1800
        }
        #expect(mismatches == 0)
    }

    @Test(arguments: Fixtures.names)
    func everyFixtureOffsetIsStockholmsAndItsDateIsThePartition(name: String) throws {
        for e in try EventScanner.scan(Fixtures.bytes(name)).events {
            #expect(StockholmCalendar.offsetMinutes(at: e.datetime.instant) == e.datetime.offsetMinutes)
            #expect(e.localDate == LocalDate(year: e.datetime.year, month: e.datetime.month, day: e.datetime.day))
        }
    }

    @Test func aForeignOffsetIsConvertedToTheStockholmDate() {
        // 23:30 UTC on the night of the spring change is 00:30 (+01:00) in Stockholm, next day.
        #expect(APIDateTime.parse("2026-03-28 23:30:00 +00:00")!.stockholmDate.description == "2026-03-29")
        // 22:30 UTC in July is 00:30 (+02:00) the next day.
        #expect(APIDateTime.parse("2024-07-10 22:30:00 +00:00")!.stockholmDate.description == "2024-07-11")
        #expect(APIDateTime.parse("2026-03-29 0:26:20 +01:00")!.stockholmDate.partitionPath == "2026/03/29")
    }

    @Test(arguments: [
        "2024-13-01 1:00:00 +01:00", "2024-02-30 1:00:00 +01:00", "2024-01-01 24:00:00 +01:00",
        "2024-01-01 1:00 +01:00", "2024-01-01T1:00:00 +01:00", "2024-01-01 1:00:00 +0100",
    ])
    func malformedDatetimesAreRejected(s: String) {
        #expect(APIDateTime.parse(s) == nil)
    }

    @Test func civilDaysRoundTrip() {
        for d in stride(from: -1000, to: 40000, by: 37) {
            let (y, m, day) = StockholmCalendar.civilFromDays(d)
            #expect(StockholmCalendar.daysFromCivil(y, m, day) == d)
        }
    }
}

@Suite struct RateBudgetTests {
    let rules = RateRules(minSpacing: 10, maxPerHour: 60, maxPerDay: 1440)

    @Test func spacingIsKept() {
        var ledger = CallLedger()
        ledger.record(at: 1000)
        #expect(ledger.earliestAllowed(rules: rules, now: 1003) == 1010)
        #expect(ledger.earliestAllowed(rules: rules, now: 1020) == 1020)
    }

    @Test func theSixtyFirstCallInAnHourWaitsForTheFirstToAge() {
        var ledger = CallLedger()
        for i in 0..<60 { ledger.record(at: 10_000 + Double(i) * 10) }
        // The 60th call was at 10_590; the first leaves the hour at 13_600.
        #expect(ledger.earliestAllowed(rules: rules, now: 10_600) == 13_600)
        #expect(ledger.used(inLast: 3600, now: 10_600) == 60)
    }

    @Test func theDayLimitHolds() {
        var ledger = CallLedger()
        let r = RateRules(minSpacing: 0, maxPerHour: 10_000, maxPerDay: 3)
        ledger.record(at: 0)
        ledger.record(at: 100)
        ledger.record(at: 200)
        #expect(ledger.earliestAllowed(rules: r, now: 300) == 86_400)
        #expect(ledger.earliestAllowed(rules: r, now: 86_401) == 86_401)
    }

    @Test func neverMoreThanTheRulesAllowOverASimulatedDay() {
        var ledger = CallLedger()
        var t = 0.0
        var made: [Double] = []
        while t < 2 * 86_400 {
            t = ledger.earliestAllowed(rules: rules, now: t)
            ledger.record(at: t)
            made.append(t)
        }
        for (i, c) in made.enumerated() {
            if i > 0 { #expect(c - made[i - 1] >= 10) }
            #expect(made.filter { $0 > c - 3600 && $0 <= c }.count <= 60)
            #expect(made.filter { $0 > c - 86_400 && $0 <= c }.count <= 1440)
        }
    }

    @Test func oldCallsArePruned() {
        var ledger = CallLedger()
        ledger.record(at: 0)
        ledger.record(at: 90_000)
        #expect(ledger.calls == [90_000])
    }
}

@Suite struct RetryPolicyTests {
    @Test func backoffDoublesWithJitterAndCaps() {
        let p = RetryPolicy(maxAttempts: 10, baseDelay: 2, maxDelay: 60)
        #expect(p.delay(afterAttempt: 1, retryAfter: nil, jitter: 1) == 2)
        #expect(p.delay(afterAttempt: 1, retryAfter: nil, jitter: 0) == 1)
        #expect(p.delay(afterAttempt: 3, retryAfter: nil, jitter: 1) == 8)
        #expect(p.delay(afterAttempt: 9, retryAfter: nil, jitter: 1) == 60)
        for j in stride(from: 0.0, to: 1.0, by: 0.1) {
            let d = p.delay(afterAttempt: 4, retryAfter: nil, jitter: j)
            #expect(d >= 8 && d <= 16)
        }
    }

    @Test func retryAfterIsAFloor() {
        let p = RetryPolicy()
        #expect(p.delay(afterAttempt: 1, retryAfter: 30, jitter: 0.5) == 30)
        #expect(parseRetryAfter("120", now: 0) == 120)
        #expect(parseRetryAfter("Sun, 06 Nov 1994 08:49:37 GMT", now: 784_111_717) == 60)
        #expect(parseRetryAfter("soon", now: 0) == nil)
    }

    @Test func whichStatusesAreRetried() {
        func verdict(_ status: Int, _ headers: [String: String] = [:]) -> ResponseVerdict {
            ResponseJudge.judge(HTTPResponse(status: status, headers: headers), now: 0)
        }
        #expect(verdict(200) == .data)
        #expect(verdict(503, ["retry-after": "7"]) == .retry("HTTP 503", retryAfter: 7))
        #expect(verdict(429) == .retry("HTTP 429", retryAfter: nil))
        #expect(verdict(408) == .retry("HTTP 408", retryAfter: nil))
        if case .fail = verdict(403) {} else { Issue.record("403 must not be retried") }
        if case .fail = verdict(302, ["location": "/x"]) {} else { Issue.record("a redirect is a failure") }
        if case .fail = verdict(200, ["content-type": "text/html"]) {} else { Issue.record("HTML is a failure") }
        if case .stop = verdict(404) {} else { Issue.record("404 stops") }
    }
}

@Suite struct SHA256Tests {
    @Test(arguments: [
        ("", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
        ("abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"),
        ("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"),
    ])
    func matchesTheStandardVectors(input: String, expected: String) {
        #expect(SHA256.hex(Array(input.utf8)) == expected)
    }

    @Test func aMillionAs() {
        #expect(
            SHA256.hex([UInt8](repeating: 0x61, count: 1_000_000)) == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
    }
}

@Suite struct CallCompletionTests {
    @Test func spacingCountsFromTheEndOfTheLastCall() {
        var ledger = CallLedger()
        ledger.record(at: 100)
        ledger.completeLast(at: 103.5)  // a slow response
        #expect(ledger.earliestAllowed(rules: RateRules(minSpacing: 10), now: 104) == 113.5)
        ledger.completeLast(at: 50)  // never moves back
        #expect(ledger.lastCall == 103.5)
    }
}
