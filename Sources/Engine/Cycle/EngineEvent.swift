/// What the engine is doing, published as it happens on an async stream. The dashboard
/// reduces these into its state; nothing else couples the two.
public enum EnginePhase: Codable, Sendable, Equatable {
    case idle
    case waitingForBudget(until: Double)
    case fetching(attempt: Int)
    case backingOff(until: Double)
    case processing
    case saving
    case updatingMetadata
    case stopped(reason: String)
}

/// The engine's event stream (see `EventBroadcaster`). Codable with synthesized conformance:
/// the control socket sends these as they are, so every payload must stay Codable too.
public enum EngineEvent: Codable, Sendable {
    case phase(EnginePhase)
    case cycleStarted(cycle: Int, trigger: CycleReport.Trigger)
    case stageFinished(Stage, ms: Double)
    case failure(FailureEntry)
    /// A finished cycle and the events it stored (new and edited), as stored.
    case cycleFinished(CycleReport, stored: [StoredEvent])
    case budget(BudgetSnapshot)
    case notice(String)
    /// The scheduler booked its next cycle (Unix seconds): at start and after every cycle.
    case scheduled(nextPollAt: Double)
    /// A "poll now" was refused (budget used up, a 404 stop): why, and when it will be possible.
    /// No cycle ran, so the last report stays the last real one.
    case pollRefused(ManualPoll.Refusal)
}
