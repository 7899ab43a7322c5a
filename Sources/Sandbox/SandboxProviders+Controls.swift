extension SandboxProviders {
    /// Makes the next `count` requests to `endpoint` fail with `failure` (after the response delay),
    /// before authentication or validation. Calls add up: `failNext(2, …)` twice fails four requests,
    /// in the order given. Thread-safe; takes effect for requests arriving after the call.
    public func failNext(_ count: Int, endpoint: SandboxEndpoint, with failure: SandboxFailure) {
        state.addFailures(failure, count: count, endpoint: endpoint)
    }

    /// How many injected failures are still waiting for requests to `endpoint`.
    public func pendingFailures(_ endpoint: SandboxEndpoint) -> Int {
        state.pendingFailureCount(endpoint)
    }

    /// Marks an address (case-insensitive) as inactive: a Postmark send to it (To, Cc or Bcc) is refused
    /// with ErrorCode 406 — HTTP 422 on `/email`, that element alone on `/email/batch`.
    public func setInactiveRecipient(_ email: String, inactive: Bool = true) {
        state.setInactive(email, inactive)
    }

    /// Marks a phone number (exact E.164 string) as unsubscribed: a Twilio send to it is refused with
    /// HTTP 400, code 21610.
    public func setUnsubscribedNumber(_ phone: String, unsubscribed: Bool = true) {
        state.setUnsubscribed(phone, unsubscribed)
    }

    /// Delay before every API response; changeable while running. The wait is an async sleep, so
    /// any number of delayed requests may be in flight without holding a thread.
    public var responseDelay: Duration {
        get { state.responseDelay }
        set { state.responseDelay = newValue }
    }

    /// Request and acceptance counters since start (or the last ``reset()``).
    public func counters() -> SandboxCounters {
        state.counters
    }

    /// Every email accepted so far, in acceptance order (batch elements in batch order).
    /// Empty when `Configuration.recordMessages` is off.
    public func receivedEmails() -> [SandboxEmail] {
        state.emails
    }

    /// Every SMS accepted so far, in acceptance order. Empty when `Configuration.recordMessages` is off.
    public func receivedSMS() -> [SandboxSMS] {
        state.sms
    }

    /// Every request received on the capture sink `POST /_sandbox/capture/…`, in arrival order
    /// (recorded even when `Configuration.recordMessages` is off).
    public func capturedRequests() -> [SandboxCapturedRequest] {
        state.captured
    }

    /// `http://127.0.0.1:PORT/_sandbox/capture` + `path`: a URL that accepts any POST and records it.
    /// Waits until the server is listening.
    public func captureURL(_ path: String = "") async -> String {
        await postmarkURL + "/_sandbox/capture" + path
    }

    /// Forgets recorded messages, captured requests, counters, pending failures, inactive recipients and unsubscribed
    /// numbers, and restores the configured response delay.
    public func reset() {
        state.reset()
    }
}
