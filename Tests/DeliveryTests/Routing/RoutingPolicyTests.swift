import Notifications
import Providers
import Testing

/// One input combination of the routing policy.
struct RoutingCase: Sendable, CustomTestStringConvertible {
    enum Phone: Sendable, CaseIterable {
        case valid, invalid, absent

        var value: String? {
            switch self {
            case .valid: " +49 151 23456789 "
            case .invalid: "0151 23456789"
            case .absent: nil
            }
        }
    }

    let priority: NotificationPriority
    let frequency: DigestFrequency
    let smsEnabled: Bool
    let phone: Phone

    var testDescription: String { "\(self.priority.rawValue)/\(self.frequency.rawValue)/sms:\(self.smsEnabled)/phone:\(self.phone)" }

    static let all: [RoutingCase] = NotificationPriority.allCases.flatMap { priority in
        DigestFrequency.allCases.flatMap { frequency in
            [true, false].flatMap { sms in Phone.allCases.map { RoutingCase(priority: priority, frequency: frequency, smsEnabled: sms, phone: $0) } }
        }
    }
}

@Suite("RoutingPolicy")
struct RoutingPolicyTests {
    /// The expectation, written from MISSION.md independently of the implementation: a lookup table
    /// per priority class instead of branching on `isImmediate`.
    static func expected(_ routingCase: RoutingCase) -> (email: RoutingDecision.Email, sms: Bool) {
        let emailsNow: Set<String> = ["urgent", "high"]
        if emailsNow.contains(routingCase.priority.rawValue) {
            let sms = routingCase.smsEnabled && routingCase.phone == .valid
            return (.immediate, sms)
        }
        let digestFor: [String: RoutingDecision.Email] = [
            "never": .none,
            "daily": .digest(.daily),
            "weekly": .digest(.weekly),
            "monthly": .digest(.monthly),
        ]
        return (digestFor[routingCase.frequency.rawValue] ?? .immediate, false)
    }

    @Test("There are 4 × 4 × 2 × 3 = 96 combinations")
    func combinationCount() {
        #expect(RoutingCase.all.count == 96)
    }

    @Test("Every combination routes as specified", arguments: RoutingCase.all)
    func everyCombination(_ routingCase: RoutingCase) {
        let decision = RoutingPolicy().route(
            priority: routingCase.priority,
            digestFrequency: routingCase.frequency,
            smsEnabled: routingCase.smsEnabled,
            phone: routingCase.phone.value
        )
        let expectation = Self.expected(routingCase)
        #expect(decision.email == expectation.email)
        #expect(decision.sms == expectation.sms)
        #expect((decision.smsNumber != nil) == decision.sms)
        if decision.sms {
            #expect(decision.smsNumber?.e164 == "+4915123456789")
        }
        #expect(!decision.reason.isEmpty)
    }

    @Test("Urgent is emailed immediately even when the user chose never")
    func urgentIgnoresNever() {
        let decision = RoutingPolicy().route(priority: .urgent, digestFrequency: .never, smsEnabled: false, phone: nil)
        #expect(decision.email == .immediate)
        #expect(decision.reason.contains("immediately"))
    }

    @Test("Low priority under never sends nothing and says why")
    func lowUnderNever() {
        let decision = RoutingPolicy().route(priority: .low, digestFrequency: .never, smsEnabled: true, phone: "+14155552671")
        #expect(decision == RoutingDecision(email: .none, sms: false, smsNumber: nil, reason: decision.reason))
        #expect(decision.reason.contains("never"))
    }

    @Test("Reasons explain why no SMS was sent", arguments: [
        (false, "+14155552671", "disabled"),
        (true, nil, "no phone"),
        (true, "+1 415 555 267a", "not valid E.164"),
    ] as [(Bool, String?, String)])
    func smsReasons(smsEnabled: Bool, phone: String?, fragment: String) {
        let decision = RoutingPolicy().route(priority: .high, digestFrequency: .daily, smsEnabled: smsEnabled, phone: phone)
        #expect(!decision.sms)
        #expect(decision.reason.contains(fragment))
    }
}
