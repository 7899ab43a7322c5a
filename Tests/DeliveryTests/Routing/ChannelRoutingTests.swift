import Foundation
import Notifications
import Postgres
import Providers
import Queue
import Testing

/// One input combination of routing.
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

    func input(email: String? = "ana@example.com", hasPreferences: Bool = true) -> NotificationRoutingInput {
        var preferences = ChannelPreferences(["digest_frequency": frequency.rawValue, "sms_enabled": smsEnabled ? "true" : "false"])
        preferences["email"] = email
        preferences["phone"] = phone.value
        return NotificationRoutingInput(id: UUID(), tenantID: UUID(), userID: UUID(), priority: priority,
                                        hasPreferences: hasPreferences, preferences: hasPreferences ? preferences : ChannelPreferences())
    }
}

@Suite("Routing through the channels")
struct ChannelRoutingTests {
    static let channels = BuiltInChannels.routing(configuration: NotificationDeliveryConfiguration())

    /// The expectation, written from MISSION.md independently of the implementation: lookup tables
    /// per priority class instead of asking the channels.
    static func expected(_ routingCase: RoutingCase) -> (route: String, jobs: [String], reasons: [String]) {
        if ["urgent", "high"].contains(routingCase.priority.rawValue) {
            guard routingCase.smsEnabled else { return ("email", ["email.send"], []) }
            switch routingCase.phone {
            case .valid: return ("email+sms", ["email.send", "sms.send"], [])
            case .invalid: return ("email", ["email.send"], ["invalid_phone"])
            case .absent: return ("email", ["email.send"], ["no_phone"])
            }
        }
        let digest: [String: (String, [String])] = [
            "never": ("none", ["digest_never"]), "daily": ("digest:daily", []), "weekly": ("digest:weekly", []), "monthly": ("digest:monthly", []),
        ]
        let (route, reasons) = digest[routingCase.frequency.rawValue]!
        return (route, [], reasons)
    }

    @Test("There are 4 × 4 × 2 × 3 = 96 combinations")
    func combinationCount() {
        #expect(RoutingCase.all.count == 96)
    }

    @Test("Every combination routes as specified", arguments: RoutingCase.all)
    func everyCombination(_ routingCase: RoutingCase) throws {
        let input = routingCase.input()
        let plan = NotificationRouter.plan(input, channels: Self.channels)
        let expected = Self.expected(routingCase)
        #expect(plan.route == expected.route)
        #expect(plan.jobs.map(\.kind) == expected.jobs)
        #expect(plan.skipReasons == expected.reasons)
        for job in plan.jobs {
            #expect(job.uniqueKey == "\(job.kind):\(input.id.lowercasedString)")
            #expect(job.priority == routingCase.priority.queuePriority)
            #expect(job.args.text.contains(input.id.lowercasedString))
        }
        if let sms = plan.jobs.first(where: { $0.kind == "sms.send" }) {
            let args = try sms.args.decode(NotificationJobKind.SMSArgs.self)
            #expect(args.to == "+4915123456789", "the number is normalised to E.164")
        }
        #expect(plan.channels.values.allSatisfy { !$0.explanation.isEmpty })
    }

    @Test("Urgent is emailed immediately even when the user chose never")
    func urgentIgnoresNever() {
        let plan = NotificationRouter.plan(RoutingCase(priority: .urgent, frequency: .never, smsEnabled: false, phone: .absent).input(),
                                           channels: Self.channels)
        #expect(plan.route == "email")
        #expect(plan.channels["email"]?.explanation.contains("immediately") == true)
    }

    @Test("Without an address: urgent goes by SMS alone, a digest nowhere; both say no_email")
    func noAddress() {
        let urgent = NotificationRouter.plan(RoutingCase(priority: .urgent, frequency: .daily, smsEnabled: true, phone: .valid).input(email: nil),
                                             channels: Self.channels)
        #expect(urgent.route == "sms")
        #expect(urgent.jobs.map(\.kind) == ["sms.send"])
        #expect(urgent.skipReasons == ["no_email"])
        let low = NotificationRouter.plan(RoutingCase(priority: .low, frequency: .weekly, smsEnabled: true, phone: .valid).input(email: ""),
                                          channels: Self.channels)
        #expect(low.route == "none")
        #expect(low.skipReasons == ["no_email"])
    }

    @Test("No preferences row: the table's defaults (daily digest, no SMS, no address), no_preferences first")
    func noPreferences() {
        let plan = NotificationRouter.plan(RoutingCase(priority: .high, frequency: .daily, smsEnabled: true, phone: .valid).input(hasPreferences: false),
                                           channels: Self.channels)
        #expect(plan.route == "none")
        #expect(plan.skipReasons == ["no_preferences", "no_email"])
        #expect(plan.jobs.isEmpty)
    }

    @Test("SMS without Twilio: sms_not_configured, and only for a number that would have been texted")
    func smsNotConfigured() {
        var configuration = NotificationDeliveryConfiguration()
        configuration.smsEnabled = false
        let channels = BuiltInChannels.routing(configuration: configuration)
        let valid = NotificationRouter.plan(RoutingCase(priority: .high, frequency: .daily, smsEnabled: true, phone: .valid).input(), channels: channels)
        #expect(valid.route == "email")
        #expect(valid.skipReasons == ["sms_not_configured"])
        let invalid = NotificationRouter.plan(RoutingCase(priority: .high, frequency: .daily, smsEnabled: true, phone: .invalid).input(), channels: channels)
        #expect(invalid.skipReasons == ["invalid_phone"])
    }

    /// A third channel written the way docs/architecture.md "Adding a channel" says: its own
    /// preference columns, route rule, template column and job kind, and nothing else changed.
    struct PagerChannel: NotificationChannel {
        let name = "pager"
        let templateFields = [TemplateField("pager_body", .trimmedText)]
        func route(_ input: NotificationRoutingInput) -> ChannelRoute {
            guard input.priority == .urgent else { return .notApplicable("pages only for urgent") }
            guard let pager = input.preferences["pager_id"] else { return .skipped("no_pager", "no pager id") }
            return ChannelRoute(route: name, job: job("pager.send", args: PostgresJSON("{\"pager\":\"\(pager)\"}"), for: input, queue: "default"),
                                explanation: "urgent: paged")
        }
        func handlers(_ context: ChannelContext) -> [any JobHandler] { [] }
    }

    @Test("A new channel adds its route part, job and skip reason after the built-in ones")
    func aThirdChannel() {
        let channels = Self.channels + [PagerChannel()]
        var input = RoutingCase(priority: .urgent, frequency: .daily, smsEnabled: true, phone: .valid).input()
        input.preferences["pager_id"] = "P-7"
        let paged = NotificationRouter.plan(input, channels: channels)
        #expect(paged.route == "email+sms+pager")
        #expect(paged.jobs.map(\.kind) == ["email.send", "sms.send", "pager.send"])
        #expect(paged.jobs.last?.uniqueKey == "pager.send:\(input.id.lowercasedString)")
        input.preferences["pager_id"] = nil
        let unpaged = NotificationRouter.plan(input, channels: channels)
        #expect(unpaged.route == "email+sms")
        #expect(unpaged.skipReasons == ["no_pager"])
        // Its template column renders with its own treatment beside the built-in ones.
        let renderer = TemplateRenderer(fields: BuiltInChannels.templateFields + PagerChannel().templateFields)
        let template = NotificationTemplate(key: "k", sources: ["subject": "S", "html_body": "<b>{{x}}</b>", "text_body": "{{x}}", "pager_body": "  {{x}} now \n"])
        let rendered = try? renderer.render(template, context: ["x": "A & B"])
        #expect(rendered?["pager_body"] == "A & B now")
        #expect(rendered?.htmlBody == "<b>A &amp; B</b>")
    }
}
