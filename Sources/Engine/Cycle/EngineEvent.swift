/// What the engine is doing, published as it happens on an async stream. The dashboard
/// reduces these into its state; nothing else couples the two.
public enum EnginePhase: Sendable, Equatable {
    case idle
    case waitingForBudget(until: Double)
    case fetching(attempt: Int)
    case backingOff(until: Double)
    case processing
    case saving
    case updatingMetadata
    case stopped(reason: String)
}

public enum EngineEvent: Sendable {
    case phase(EnginePhase)
    case cycleStarted(cycle: Int, trigger: CycleReport.Trigger)
    case stageFinished(Stage, ms: Double)
    case failure(FailureEntry)
    /// A finished cycle and the events it stored (new and edited), as stored.
    case cycleFinished(CycleReport, stored: [StoredEvent])
    case budget(BudgetSnapshot)
    case notice(String)
}
