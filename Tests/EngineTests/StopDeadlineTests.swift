import Foundation
import Synchronization
import Testing

@testable import Engine

@Suite struct StopDeadlineTests {
    final class Reports: Sendable {
        let names = Mutex<[String]>([])
        func add(_ name: String) { names.withLock { $0.append(name) } }
        var all: [String] { names.withLock { $0 } }
    }

    /// Polls until `condition` holds; false after `seconds` (a guard against hanging, not a bound
    /// on how fast anything is).
    func eventually(within seconds: Double = 60, _ condition: () -> Bool) async throws -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while !condition() {
            guard Date() < deadline else { return false }
            try await Task.sleep(for: .milliseconds(10))
        }
        return true
    }

    @Test func aStepThatNeverEndsIsReportedByName() async throws {
        let reports = Reports()
        let deadline = StopDeadline(limit: 0.2, first: "the cycle in flight") { reports.add($0) }
        await deadline.step("the metrics server") {}
        let entered = Atomic<Bool>(false)
        let never = Task {
            await deadline.step("the control socket") {
                entered.store(true, ordering: .relaxed)
                // Stands for a step stuck for good: it waits until the test ends it.
                while !Task.isCancelled { try? await Task.sleep(for: .milliseconds(10)) }
            }
        }
        #expect(try await eventually { entered.load(ordering: .relaxed) })
        deadline.arm()
        #expect(try await eventually { !reports.all.isEmpty })
        never.cancel()
        await never.value
        #expect(reports.all == ["the control socket"])
    }

    @Test func aSignalDuringTheWorkInFlightNamesIt() async throws {
        let reports = Reports()
        let deadline = StopDeadline(limit: 0.2, first: "the cycle in flight") { reports.add($0) }
        deadline.arm()
        #expect(try await eventually { !reports.all.isEmpty })
        #expect(reports.all == ["the cycle in flight"])
    }

    @Test func aStopThatFinishesIsNeverReported() async throws {
        let reports = Reports()
        let deadline = StopDeadline(limit: 0.2, first: "the cycle in flight") { reports.add($0) }
        deadline.finish()
        deadline.arm()  // too late to matter: the stop already ended
        // 2 s: far more than the two calls between arming and finishing take, even on a loaded machine.
        let armed = StopDeadline(limit: 2, first: "the cycle in flight") { reports.add($0) }
        armed.arm()
        await armed.step("the watch rules") {}
        armed.finish()
        // A third deadline, armed after both, expires for sure: once it has, both of the others
        // have had their whole limit too, and neither may have said anything.
        let witness = Reports()
        let last = StopDeadline(limit: 2, first: "witness") { witness.add($0) }
        last.arm()
        #expect(try await eventually { witness.all == ["witness"] })
        #expect(reports.all.isEmpty)
    }
}
