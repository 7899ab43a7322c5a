import Discussions
import Foundation
import Mail
import Notifications
import Testing

@Suite("Domain enums")
struct EnumTests {
    @Test("Raw values are the strings stored in SQL")
    func rawValues() {
        #expect(NotificationPriority.allCases.map(\.rawValue) == ["urgent", "high", "normal", "low"])
        #expect(DigestFrequency.allCases.map(\.rawValue) == ["never", "daily", "weekly", "monthly"])
        #expect(RecipientType.allCases.map(\.rawValue) == ["client_contact", "freelancer", "external"])
        #expect(BounceType.allCases.map(\.rawValue) == ["hard", "soft", "complaint"])
        #expect(RecipientType(rawValue: "client_contact") == .clientContact)
        #expect(RecipientType(rawValue: "clientContact") == nil)
        #expect(NotificationPriority(rawValue: "URGENT") == nil)
    }

    @Test("Queue priority is 0 (urgent) … 3 (low) and round-trips")
    func queuePriority() {
        #expect(NotificationPriority.urgent.queuePriority == 0)
        #expect(NotificationPriority.high.queuePriority == 1)
        #expect(NotificationPriority.normal.queuePriority == 2)
        #expect(NotificationPriority.low.queuePriority == 3)
        for priority in NotificationPriority.allCases {
            #expect(NotificationPriority(queuePriority: priority.queuePriority) == priority)
        }
        #expect(NotificationPriority(queuePriority: -1) == nil)
        #expect(NotificationPriority(queuePriority: 4) == nil)
        #expect(NotificationPriority.allCases.filter(\.isImmediate) == [.urgent, .high])
    }

    @Test("Bounce types: only hard is permanent; hard and complaint suppress")
    func bounceTypes() {
        #expect(BounceType.hard.isPermanent)
        #expect(!BounceType.soft.isPermanent)
        #expect(!BounceType.complaint.isPermanent)
        #expect(BounceType.allCases.filter(\.suppressesAddress) == [.hard, .complaint])
    }

    @Test("Enums decode from and encode to their SQL strings in JSON")
    func codable() throws {
        let json = Data(#"["urgent","weekly","freelancer","complaint"]"#.utf8)
        let decoded = try JSONDecoder().decode([String].self, from: json)
        #expect(NotificationPriority(rawValue: decoded[0]) == .urgent)
        let encoded = try JSONEncoder().encode(RecipientType.clientContact)
        #expect(String(decoding: encoded, as: UTF8.self) == #""client_contact""#)
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(DigestFrequency.self, from: Data(#""hourly""#.utf8)) }
    }

    @Test("DeliveryError exposes a stable code and a readable message")
    func deliveryError() {
        let error = DeliveryError(code: .signatureTooLong, message: "too long")
        #expect(error.code == .signatureTooLong)
        #expect(error.code != .templateSyntax)
        #expect("\(error)" == "DeliveryError.signatureTooLong: too long")
    }
}
