import Foundation
import Mail
import Providers
import Testing

/// The one build every email goes through, and the provider limits it keeps (pure, no I/O).
@Suite("EmailEnvelope build and provider limits")
struct EmailEnvelopeTests {
    static func envelope(_ kind: EmailEnvelope.Kind, unsubscribe: String? = nil, metadata: [String: String] = [:]) throws -> EmailEnvelope {
        EmailEnvelope(
            kind: kind, from: try EmailAddress("team@nexus.example.com", name: "Nexus"), to: try EmailAddress("ana@example.com"),
            subject: "Hi", htmlBody: "<p>Hi</p>", textBody: "Hi", signature: try EmailSignature("-- \nNexus"),
            messageID: try MessageID.generate(messageID: UUID(), recipientEmail: "ana@example.com", domain: "mail.example.com"),
            listUnsubscribeURL: unsubscribe, tag: "t", metadata: metadata)
    }

    @Test("Headers by kind: Auto-Submitted on notifications and digests, X-Auto-Response-Suppress on all, List-Unsubscribe when given")
    func headersByKind() throws {
        let notification = EmailComposer.build(try Self.envelope(.notification))
        #expect(notification.headers.map(\.name) == ["Message-ID", "X-PM-KeepID", "Auto-Submitted", "X-Auto-Response-Suppress"])
        #expect(notification.header("Auto-Submitted") == "auto-generated")
        #expect(notification.header("X-Auto-Response-Suppress") == "OOF, AutoReply")
        let digest = EmailComposer.build(try Self.envelope(.digest, unsubscribe: "https://herald.example.com/u/abc"))
        #expect(digest.header("List-Unsubscribe") == "<https://herald.example.com/u/abc>")
        #expect(digest.header("List-Unsubscribe-Post") == "List-Unsubscribe=One-Click")
        #expect(digest.header("Auto-Submitted") == "auto-generated")
        let discussion = EmailComposer.build(try Self.envelope(.discussion))
        #expect(discussion.header("Auto-Submitted") == nil)
        #expect(discussion.header("X-Auto-Response-Suppress") == "OOF, AutoReply")
        #expect(discussion.textBody.hasSuffix("Nexus") && discussion.htmlBody.contains("Nexus"))
    }

    @Test("Metadata: Herald's keys fit; long names dropped, long values cut on a character, at most 10, case twins once")
    func metadataLimits() throws {
        for key in [EmailComposer.MetadataKey.notificationID, EmailComposer.MetadataKey.notificationType, EmailComposer.MetadataKey.digestID,
                    EmailComposer.MetadataKey.messageID, EmailComposer.MetadataKey.threadID, EmailComposer.MetadataKey.trackingPixelID] {
            #expect(key.utf16.count <= PostmarkMetadata.maximumNameLength, "\(key)")
        }
        var input = ["herald_notification_id": "x", "Key": "a", "key": "b", "flag": String(repeating: "🇫🇷", count: 30)]
        for index in 0..<12 { input["k\(index)"] = "v" }
        let limited = PostmarkMetadata.limited(input)
        #expect(limited.count == 10)
        #expect(limited["herald_notification_id"] == nil)
        #expect((limited["Key"] == nil) != (limited["key"] == nil))
        let flag = try #require(limited["flag"])
        #expect(flag == String(repeating: "🇫🇷", count: 20))  // 20 flags = 80 UTF-16 units; never half a flag
        #expect(PostmarkMetadata.isWithinLimits(limited))
        let request = PostmarkEmailRequest(from: "a@b.example", to: "c@d.example", subject: "s", htmlBody: nil, textBody: "t", metadata: input)
        #expect(request.metadata == limited)
    }

    @Test("Subject, tag and SMS body are cut to the providers' limits without splitting a character")
    func textLimits() throws {
        let subject = String(repeating: "👨‍👩‍👧", count: 200)  // 8 UTF-16 units each
        let request = PostmarkEmailRequest(from: "a@b.example", to: "c@d.example", subject: subject, htmlBody: nil, textBody: "t",
                                           tag: String(repeating: "t", count: 1200))
        #expect(request.subject.utf16.count <= 998 && request.subject.hasSuffix("…"))
        #expect(request.subject.dropLast().allSatisfy { $0 == "👨‍👩‍👧" })
        #expect(request.tag?.count == 1000)
        let sms = TwilioMessageRequest(to: try #require(PhoneNumber("+14155550100")), from: "+14155550199", body: String(repeating: "é", count: 2000))
        #expect(sms.body.utf16.count == 1600 && sms.body.hasSuffix("…"))
        #expect(TextLimit.cut("short", toUTF16Length: 10, ellipsis: "…") == "short")
    }
}
