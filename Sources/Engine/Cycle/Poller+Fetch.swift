import Logging

/// The fetch stage: one API response, within the rate budget, with retries.
struct FetchResult: Sendable {
    var response: HTTPResponse?
    var scan: ScanResult?
    var error: String?
    /// The budget allowed no call within the wait this cycle had (nothing was sent).
    var budgetRefused = false
    var retries = 0
    /// Time spent waiting (for the budget, between attempts): not fetch time.
    var waitedMs: Double = 0
    /// Set when the API answered 404.
    var stopped: APIState.Stop?
}

extension Poller {
    /// Makes up to `retry.maxAttempts` calls, each only when the budget allows it and each
    /// recorded in the persisted ledger before it is sent. Failures go to `book`.
    func fetchWithRetries(book: inout CycleBook, maxBudgetWait: Double) async -> FetchResult {
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
                        book.fail(.fetch, .budget, message, attempt: attempt - 1)
                    } else {
                        result.budgetRefused = true
                    }
                    return result
                }
                emit(.phase(.waitingForBudget(until: allowed)))
                guard await sleep(until: allowed, &result) else { return result }
            }
            do {
                try recordCall()
            } catch {
                result.error = "cannot record the call in the rate budget: \(error)"
                return result
            }
            emit(.phase(.fetching(attempt: attempt)))
            let request = HTTPRequest(
                url: config.apiURL, headers: [("Accept", "application/json")],
                connectTimeout: config.connectTimeout, totalTimeout: config.totalTimeout,
                maxBodyBytes: config.maxBodyBytes)
            var retryable: (message: String, kind: FailureKind, retryAfter: Double?)?
            do {
                let response = try await sendCompletingCall(request).get()
                result.response = response
                switch ResponseJudge.judge(response, now: clock.now()) {
                case .data:
                    do {
                        result.scan = try EventScanner.scan(response.body)
                        if attempt > 1, let last = book.failures.last {
                            book.fail(.fetch, last.kind ?? .other, "recovered after \(last.error)", attempt: attempt, outcome: .recovered)
                        }
                        return result
                    } catch {
                        let message = "response body: \(error)"
                        if ResponseJudge.isRetryable(error) {
                            retryable = (message, .badBody, nil)
                        } else {
                            return give(up: message, kind: .badBody, &result, &book, attempt: attempt)
                        }
                    }
                case .retry(let message, let retryAfter):
                    retryable = (message, .http(response.status), retryAfter)
                    if let retryAfter { apiState.notBefore = max(apiState.notBefore ?? 0, clock.now() + retryAfter) }
                case .fail(let message):
                    // A 200 that is not JSON (an HTML page) is a bad body, not an HTTP error.
                    return give(
                        up: message, kind: response.status == 200 ? .badBody : .http(response.status), &result, &book, attempt: attempt)
                case .stop(let message):
                    let stop = APIState.Stop(url: config.apiURL, at: clock.now(), message: message)
                    apiState.stopped = stop
                    try? apiStateFile.save(apiState)
                    result.stopped = stop
                    book.fail(.fetch, .http(response.status), message, attempt: attempt, outcome: .stopped)
                    result.error = message
                    return result
                }
            } catch {
                if error == .cancelled {
                    result.error = "cancelled"
                    return result
                }
                guard ResponseJudge.isRetryable(error) else {
                    return give(up: error.description, kind: error.failureKind, &result, &book, attempt: attempt)
                }
                retryable = (error.description, error.failureKind, nil)
            }
            // A failure worth retrying: back off, unless the attempts or the wait run out.
            let (message, kind, retryAfter) = retryable!
            guard attempt < policy.maxAttempts else {
                return give(up: message, kind: kind, &result, &book, attempt: attempt)
            }
            let delay = policy.delay(afterAttempt: attempt, retryAfter: retryAfter, jitter: random())
            guard delay <= policy.maxWait else {
                return give(
                    up: "\(message); retry in \(formatDuration(delay)) is beyond this cycle", kind: kind, &result, &book, attempt: attempt)
            }
            // The next attempt's real time: the backoff, but never before the budget allows.
            let now2 = clock.now()
            let until = max(now2 + delay, earliestAllowedCall(now: now2))
            book.fail(.fetch, kind, message, attempt: attempt, backoff: until - now2, outcome: .retrying)
            result.retries += 1
            emit(.phase(.backingOff(until: until)))
            guard await sleep(until: until, &result) else { return result }
        }
    }

    /// Sleeps, counting the time as waited (not fetched); false when cancelled.
    private func sleep(until deadline: Double, _ result: inout FetchResult) async -> Bool {
        let t = stopwatch()
        defer { result.waitedMs += t.elapsedMs }
        do { try await clock.sleep(until: deadline) } catch {
            result.error = "cancelled"
            return false
        }
        return true
    }

    /// Sends, then marks the call finished in the ledger whatever the outcome.
    private func sendCompletingCall(_ request: HTTPRequest) async -> Result<HTTPResponse, TransportError> {
        var outcome: Result<HTTPResponse, TransportError> = .failure(.cancelled)
        do { outcome = .success(try await transport.send(request)) } catch { outcome = .failure(error) }
        completeCall()
        return outcome
    }

    private func give(
        up message: String, kind: FailureKind, _ result: inout FetchResult, _ book: inout CycleBook,
        attempt: Int
    ) -> FetchResult {
        book.fail(.fetch, kind, message, attempt: attempt)
        result.error = message
        return result
    }
}
