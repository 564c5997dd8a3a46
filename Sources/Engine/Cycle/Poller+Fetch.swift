/// The fetch stage: one API response, within the rate budget, with retries.
struct FetchResult: Sendable {
    var response: HTTPResponse?
    var scan: ScanResult?
    var error: String?
    var retries = 0
    var waitedMs: Double = 0
    var failures: [FailureEntry] = []
    /// Set when the API answered 404.
    var stopped: APIState.Stop?
}

extension Poller {
    /// Makes up to `retry.maxAttempts` calls, each only when the budget allows it and each
    /// recorded in the persisted ledger before it is sent.
    func fetchWithRetries(cycle: Int, maxBudgetWait: Double) async -> FetchResult {
        var result = FetchResult()
        let policy = config.retry
        var attempt = 0
        while true {
            attempt += 1
            // Wait for the budget (counting retries and every other call).
            let now = clock.now()
            let allowed = earliestAllowedCall(now: now)
            let wait = allowed - now
            if wait > 0 {
                let limit = attempt == 1 ? maxBudgetWait : policy.maxWait
                guard wait <= limit else {
                    let message = "rate budget: next call allowed in \(formatDuration(wait))"
                    result.error = message
                    if attempt > 1 {
                        result.failures.append(failure(cycle: cycle, message, kind: "budget", attempt: attempt - 1, backoff: nil, outcome: .gaveUp))
                    }
                    return result
                }
                emit(.phase(.waitingForBudget(until: allowed)))
                do { try await clock.sleep(until: allowed) } catch {
                    result.error = "cancelled"
                    return result
                }
                if attempt == 1 { result.waitedMs = (clock.now() - now) * 1000 }
            }
            do {
                try recordCall()
            } catch {
                result.error = "cannot record the call in the rate budget: \(error)"
                return result
            }
            emit(.phase(.fetching(attempt: attempt)))
            let request = HTTPRequest(url: config.apiURL, headers: [("Accept", "application/json")],
                                      connectTimeout: config.connectTimeout, totalTimeout: config.totalTimeout,
                                      maxBodyBytes: config.maxBodyBytes)
            var retryable: (message: String, kind: String, retryAfter: Double?)?
            do {
                let response = try await sendCompletingCall(request).get()
                result.response = response
                switch ResponseJudge.judge(response, now: clock.now()) {
                case .data:
                    do {
                        let scan = try EventScanner.scan(response.body)
                        result.scan = scan
                        if attempt > 1, let last = result.failures.last {
                            result.failures.append(failure(cycle: cycle, "recovered after \(last.error)", kind: last.kind ?? "other",
                                                           attempt: attempt, backoff: nil, outcome: .recovered))
                            emit(.failure(result.failures.last!))
                        }
                        return result
                    } catch {
                        let message = "response body: \(error)"
                        if ResponseJudge.isRetryable(error) { retryable = (message, "bad_body", nil) } else {
                            return give(up: message, kind: "bad_body", &result, cycle: cycle, attempt: attempt)
                        }
                    }
                case .retry(let message, let retryAfter):
                    retryable = (message, "http_\(response.status)", retryAfter)
                    if let retryAfter { apiState.notBefore = max(apiState.notBefore ?? 0, clock.now() + retryAfter) }
                case .fail(let message):
                    // A 200 that is not JSON (an HTML page) is a bad body, not an HTTP error.
                    return give(up: message, kind: response.status == 200 ? "bad_body" : "http_\(response.status)", &result, cycle: cycle, attempt: attempt)
                case .stop(let message):
                    let stop = APIState.Stop(url: config.apiURL, at: clock.now(), message: message)
                    apiState.stopped = stop
                    try? apiStateFile.save(apiState)
                    result.stopped = stop
                    result.failures.append(failure(cycle: cycle, message, kind: "http_\(response.status)", attempt: attempt, backoff: nil, outcome: .stopped))
                    emit(.failure(result.failures.last!))
                    result.error = message
                    return result
                }
            } catch {
                if error == .cancelled {
                    result.error = "cancelled"
                    return result
                }
                guard ResponseJudge.isRetryable(error) else {
                    return give(up: error.description, kind: error.kind, &result, cycle: cycle, attempt: attempt)
                }
                retryable = (error.description, error.kind, nil)
            }
            // A failure worth retrying: back off, unless the attempts or the wait run out.
            let (message, kind, retryAfter) = retryable!
            guard attempt < policy.maxAttempts else {
                return give(up: message, kind: kind, &result, cycle: cycle, attempt: attempt)
            }
            let delay = policy.delay(afterAttempt: attempt, retryAfter: retryAfter, jitter: random())
            guard delay <= policy.maxWait else {
                return give(up: "\(message); retry in \(formatDuration(delay)) is beyond this cycle", kind: kind, &result, cycle: cycle, attempt: attempt)
            }
            result.failures.append(failure(cycle: cycle, message, kind: kind, attempt: attempt, backoff: delay, outcome: .retrying))
            emit(.failure(result.failures.last!))
            result.retries += 1
            let until = clock.now() + delay
            emit(.phase(.backingOff(until: until)))
            do { try await clock.sleep(until: until) } catch {
                result.error = "cancelled"
                return result
            }
        }
    }

    /// Sends, then marks the call finished in the ledger whatever the outcome.
    private func sendCompletingCall(_ request: HTTPRequest) async -> Result<HTTPResponse, TransportError> {
        var outcome: Result<HTTPResponse, TransportError> = .failure(.cancelled)
        do { outcome = .success(try await transport.send(request)) } catch { outcome = .failure(error) }
        completeCall()
        return outcome
    }

    private func give(up message: String, kind: String, _ result: inout FetchResult, cycle: Int, attempt: Int) -> FetchResult {
        result.failures.append(failure(cycle: cycle, message, kind: kind, attempt: attempt, backoff: nil, outcome: .gaveUp))
        emit(.failure(result.failures.last!))
        result.error = message
        return result
    }

    private func failure(cycle: Int, _ message: String, kind: String, attempt: Int, backoff: Double?,
                         outcome: FailureEntry.Outcome) -> FailureEntry {
        FailureEntry(at: clock.now(), cycle: cycle, stage: .fetch, error: message, attempt: attempt, backoff: backoff, outcome: outcome, kind: kind)
    }
}
