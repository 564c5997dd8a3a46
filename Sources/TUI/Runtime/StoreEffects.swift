import Engine

/// The effects a dashboard carries out the same way whether it polls or is attached: reads of
/// the store (replay days, the counts view's week) and opening a URL. One place, so the live and
/// the attached dashboard cannot drift apart.
enum StoreEffects {
    /// Carries out `effect` if it is one of these; false when it is the caller's.
    static func perform(
        _ effect: DashboardEffect, reader: StoreReader, runtime: DashboardRuntime,
        environment: [String: String]
    ) -> Bool {
        switch effect {
        case .loadReplayDates:
            Task {
                do { runtime.post(.replayDates(try await reader.dates())) } catch { runtime.post(.replayFailed("\(error)")) }
            }
        case .loadReplayDay(let date):
            Task {
                do { runtime.post(.replayDay(try await reader.day(date))) } catch { runtime.post(.replayFailed("\(error)")) }
            }
        case .loadWeek:
            Task { if let week = try? await lastWeek(reader) { runtime.post(.week(week)) } }
        case .openURL(let url):
            Task { if !URLOpener.open(url, environment: environment) { runtime.post(.cannotOpen(url: url)) } }
        default:
            return false
        }
        return true
    }

    /// The events of the last seven stored days (Stockholm dates with data), for the counts view.
    static func lastWeek(_ reader: StoreReader) async throws -> [PoliceEvent] {
        let days = try await reader.dates().suffix(7)
        guard let first = days.first, let last = days.last else { return [] }
        return try await reader.events(from: first, to: last).entries.map(\.event)
    }
}
