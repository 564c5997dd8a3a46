import Foundation
import Synchronization
import Testing

@testable import Engine

@Suite struct EventBroadcasterTests {
    @Test func everySubscriberGetsEveryLaterEventInOrder() async throws {
        let hub = EventBroadcaster()
        hub.publish(.notice("before anyone listened"))
        let a = hub.subscribe()
        let b = hub.subscribe()
        for i in 1...5 { hub.publish(.notice("n\(i)")) }
        hub.finish()
        var seenA: [String] = []
        var seenB: [String] = []
        for await e in a { if case .notice(let n) = e { seenA.append(n) } }
        for await e in b { if case .notice(let n) = e { seenB.append(n) } }
        #expect(seenA == ["n1", "n2", "n3", "n4", "n5"])
        #expect(seenB == seenA)
        // After finish, a new subscriber's stream ends at once.
        var late = 0
        for await _ in hub.subscribe() { late += 1 }
        #expect(late == 0)
    }

    @Test func aSubscriberThatNeverReadsKeepsOnlyTheNewestAndHoldsNobodyUp() async throws {
        let hub = EventBroadcaster()
        let slow = hub.subscribe(bufferingNewest: 3)
        let fast = hub.subscribe()
        for i in 1...100 { hub.publish(.notice("n\(i)")) }  // returns although `slow` reads nothing
        hub.finish()
        var kept: [String] = []
        for await e in slow { if case .notice(let n) = e { kept.append(n) } }
        #expect(kept == ["n98", "n99", "n100"])
        var all = 0
        for await _ in fast { all += 1 }
        #expect(all == 100)
    }

    @Test func aStoppedConsumerIsForgotten() async throws {
        let hub = EventBroadcaster()
        let stream = hub.subscribe()
        #expect(hub.subscriberCount == 1)
        let reader = Task { for await _ in stream {} }
        reader.cancel()
        await reader.value
        // The stream's termination removes the subscriber (no deadline needed: it is synchronous
        // with the cancellation once the reader has returned).
        #expect(hub.subscriberCount == 0)
    }

    /// A consumer cancelled while an event is being handed to it (the watch runner publishing a
    /// command's failure as `run` stops) once deadlocked: publishing held the broadcaster's lock
    /// while resuming the consumer's task, and the cancellation, holding that task's lock, ran
    /// the stream's termination, which wanted the broadcaster's lock. Many rounds of exactly
    /// that race; each must end.
    @Test func aConsumerCancelledWhileEventsArriveNeverDeadlocksThePublisher() async throws {
        let hub = EventBroadcaster()
        let rounds = 300
        let stop = Atomic<Bool>(false)
        // How many events the current round's reader has taken; -1 between rounds.
        let received = SharedCount(-1)
        // Floods the hub while a reader has taken an event (that is when a cancel can meet a
        // resume); otherwise publishes now and then, so it never spins while the suite's other
        // tests hold the cooperative pool and the reader cannot run yet.
        let publisher = Thread {
            while !stop.load(ordering: .relaxed) {
                hub.publish(.notice("n"))
                if received.value.load(ordering: .relaxed) < 1 { usleep(200) }
            }
        }
        publisher.start()
        defer { stop.store(true, ordering: .relaxed) }
        // The rounds are driven from a thread of their own; only the readers need the pool.
        // The suite's end-to-end tests can hold both of its threads for a long while, so no
        // round has a deadline of its own: a deadlock is a round that never ends.
        let finished = Atomic<Int>(0)
        let driver = Thread {
            for _ in 0..<rounds {
                let stream = hub.subscribe()
                received.value.store(0, ordering: .relaxed)
                let ended = DispatchSemaphore(value: 0)
                let reader = Task {
                    for await _ in stream { received.value.add(1, ordering: .relaxed) }
                    ended.signal()
                }
                while received.value.load(ordering: .relaxed) == 0 && !stop.load(ordering: .relaxed) { usleep(50) }
                reader.cancel()
                ended.wait()
                received.value.store(-1, ordering: .relaxed)
                finished.add(1, ordering: .relaxed)
            }
        }
        driver.start()
        // Longer than the whole suite takes, so only a deadlock (which leaves its threads stuck
        // for good) reaches it: the test then fails instead of hanging the suite.
        let deadline = Date().addingTimeInterval(600)
        while finished.load(ordering: .relaxed) < rounds && Date() < deadline { try await Task.sleep(for: .milliseconds(20)) }
        #expect(finished.load(ordering: .relaxed) == rounds, "a publish and a cancellation deadlocked")
        // (Past a deadlock the hub's lock stays taken: nothing more can be asked of it.)
        guard finished.load(ordering: .relaxed) == rounds else { return }
        #expect(hub.subscriberCount == 0)
    }

    @Test func everyEngineEventRoundTripsThroughJSON() throws {
        var report = CycleReport(cycle: 3, trigger: .manual, startedAt: 1_780_000_000)
        report.new = 2
        report.stages.fetchMs = 12.5
        let events: [EngineEvent] = [
            .phase(.waitingForBudget(until: 1_780_000_010)), .phase(.stopped(reason: "HTTP 404")), .phase(.idle),
            .cycleStarted(cycle: 3, trigger: .manual), .stageFinished(.saveEvents, ms: 0.8),
            .failure(
                FailureEntry(
                    at: 1, cycle: 3, stage: .fetch, error: "HTTP 503", attempt: 1, backoff: 2, outcome: .retrying, kind: .http(503))),
            .cycleFinished(report, stored: [StoredEvent(id: 7, line: #"{"id":7,"name":"Brand, Kävlinge"}"#, isNew: true)]),
            .budget(BudgetSnapshot(ledger: CallLedger(calls: [1_780_000_000]), rules: .polisen, now: 1_780_000_001)),
            .notice("adopted 1 part"), .scheduled(nextPollAt: 1_780_001_800),
        ]
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        for e in events {
            let data = try encoder.encode(e)
            let back = try JSONDecoder().decode(EngineEvent.self, from: data)
            #expect(try encoder.encode(back) == data, "\(e)")
        }
    }
}

/// An atomic count that closures on several threads and tasks can share.
private final class SharedCount: Sendable {
    let value: Atomic<Int>
    init(_ initial: Int) { value = Atomic(initial) }
}
