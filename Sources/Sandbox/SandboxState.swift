import Synchronization

/// The sandbox's mutable state. Request handling takes each lock at most a few times, briefly, and
/// never across an `await`, so hundreds of concurrent (delayed) requests do not contend.
final class SandboxState: Sendable {
    struct Controls {
        var pendingFailures: [SandboxEndpoint: [(failure: SandboxFailure, remaining: Int)]] = [:]
        var inactiveRecipients: Set<String> = []
        var unsubscribedNumbers: Set<String> = []
        var responseDelay: Duration
    }

    struct Records {
        var emails: [SandboxEmail] = []
        var sms: [SandboxSMS] = []
        var captured: [SandboxCapturedRequest] = []
    }

    let recordMessages: Bool
    private let initialDelay: Duration
    private let controls: Mutex<Controls>
    private let records = Mutex(Records())
    private let emailRequests = Atomic<Int>(0)
    private let batchRequests = Atomic<Int>(0)
    private let smsRequests = Atomic<Int>(0)
    private let emailsAccepted = Atomic<Int>(0)
    private let smsAccepted = Atomic<Int>(0)

    init(responseDelay: Duration, recordMessages: Bool) {
        self.initialDelay = responseDelay
        self.recordMessages = recordMessages
        self.controls = Mutex(Controls(responseDelay: responseDelay))
    }

    /// Counts a request and decides, at arrival, how long to wait and whether to fail it.
    func beginRequest(_ endpoint: SandboxEndpoint) -> (delay: Duration, failure: SandboxFailure?) {
        switch endpoint {
        case .email: emailRequests.add(1, ordering: .relaxed)
        case .batch: batchRequests.add(1, ordering: .relaxed)
        case .sms: smsRequests.add(1, ordering: .relaxed)
        }
        return controls.withLock { controls in
            var failure: SandboxFailure?
            if var queue = controls.pendingFailures[endpoint], !queue.isEmpty {
                failure = queue[0].failure
                queue[0].remaining -= 1
                if queue[0].remaining <= 0 { queue.removeFirst() }
                controls.pendingFailures[endpoint] = queue.isEmpty ? nil : queue
            }
            return (controls.responseDelay, failure)
        }
    }

    func addFailures(_ failure: SandboxFailure, count: Int, endpoint: SandboxEndpoint) {
        guard count > 0 else { return }
        controls.withLock { $0.pendingFailures[endpoint, default: []].append((failure, count)) }
    }

    func pendingFailureCount(_ endpoint: SandboxEndpoint) -> Int {
        controls.withLock { $0.pendingFailures[endpoint, default: []].reduce(0) { $0 + $1.remaining } }
    }

    var responseDelay: Duration {
        get { controls.withLock { $0.responseDelay } }
        set { controls.withLock { $0.responseDelay = newValue } }
    }

    func setInactive(_ email: String, _ inactive: Bool) {
        let key = email.lowercased()
        controls.withLock { controls in
            if inactive { controls.inactiveRecipients.insert(key) } else { controls.inactiveRecipients.remove(key) }
        }
    }

    /// The given addresses that are marked inactive, in the given order.
    func inactive(among addresses: [String]) -> [String] {
        controls.withLock { controls in
            controls.inactiveRecipients.isEmpty
                ? [] : addresses.filter { controls.inactiveRecipients.contains($0.lowercased()) }
        }
    }

    func setUnsubscribed(_ number: String, _ unsubscribed: Bool) {
        controls.withLock { controls in
            if unsubscribed { controls.unsubscribedNumbers.insert(number) } else { controls.unsubscribedNumbers.remove(number) }
        }
    }

    func isUnsubscribed(_ number: String) -> Bool {
        controls.withLock { $0.unsubscribedNumbers.contains(number) }
    }

    func record(emails: [SandboxEmail]) {
        guard !emails.isEmpty else { return }
        emailsAccepted.add(emails.count, ordering: .relaxed)
        if recordMessages { records.withLock { $0.emails.append(contentsOf: emails) } }
    }

    func record(sms: SandboxSMS) {
        smsAccepted.add(1, ordering: .relaxed)
        if recordMessages { records.withLock { $0.sms.append(sms) } }
    }

    func capture(_ request: SandboxCapturedRequest) {
        records.withLock { $0.captured.append(request) }
    }

    var captured: [SandboxCapturedRequest] { records.withLock { $0.captured } }
    var emails: [SandboxEmail] { records.withLock { $0.emails } }
    var sms: [SandboxSMS] { records.withLock { $0.sms } }

    var counters: SandboxCounters {
        SandboxCounters(
            emailRequests: emailRequests.load(ordering: .relaxed),
            batchRequests: batchRequests.load(ordering: .relaxed),
            smsRequests: smsRequests.load(ordering: .relaxed),
            emailsAccepted: emailsAccepted.load(ordering: .relaxed),
            smsAccepted: smsAccepted.load(ordering: .relaxed)
        )
    }

    func reset() {
        records.withLock { $0 = Records() }
        controls.withLock { $0 = Controls(responseDelay: initialDelay) }
        emailRequests.store(0, ordering: .relaxed)
        batchRequests.store(0, ordering: .relaxed)
        smsRequests.store(0, ordering: .relaxed)
        emailsAccepted.store(0, ordering: .relaxed)
        smsAccepted.store(0, ordering: .relaxed)
    }
}
