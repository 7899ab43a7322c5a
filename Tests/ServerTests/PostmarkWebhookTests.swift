import Curl
import Discussions
import Foundation
import Mail
import Notifications
import Postgres
import Sandbox
import Server
import Testing

@Suite("Postmark webhooks over HTTP")
struct PostmarkWebhookTests {
    @Test func missingOrWrongCredentialsGet401() async throws {
        try await withServer("srv_pm_auth") { base, pool, client in
            let body = try PostmarkDeliveryEvent(messageID: "pm-1", recipient: "a@example.com").jsonBody()
            for auth in [nil, BasicAuth(username: webhookUser, password: "wrong"), BasicAuth(username: "other", password: webhookPassword),
                         BasicAuth(username: webhookUser, password: webhookPassword + "x")] {
                for path in ["/webhooks/postmark", "/webhooks/postmark/inbound"] {
                    let response = try await post(client, base + path, body: body, auth: auth)
                    #expect(response.status == 401, "\(path) \(String(describing: auth))")
                    #expect(response.header("WWW-Authenticate") != nil)
                }
            }
        }
    }

    @Test func malformedJSONGets400() async throws {
        try await withServer("srv_pm_json") { base, pool, client in
            for body in ["{not json", "[]", "{\"MessageID\": 3}", ""] {
                let response = try await post(client, base + "/webhooks/postmark", body: Array(body.utf8))
                #expect(response.status == 400, "\(body)")
                #expect(!response.bodyString.contains("Error"))
            }
            // Inbound stores first: a JSON object of an odd shape is kept and answered 200 with what
            // became of it; a body that is not a JSON object is kept too, and answered 400.
            let odd = try await post(client, base + "/webhooks/postmark/inbound", body: Array("{\"Headers\": 5}".utf8))
            #expect(odd.status == 200)
            #expect(jsonObject(odd)["inbound_id"] != nil)
            let notObject = try await post(client, base + "/webhooks/postmark/inbound", body: Array("{not json".utf8))
            #expect(notObject.status == 400)
            #expect(!notObject.bodyString.contains("Error"))
            #expect(try await pool.query("SELECT count(*) FROM inbound_emails")[0].decode(Int.self, at: 0) == 2)
        }
    }

    @Test func oversizedBodyGets413() async throws {
        try await withServer("srv_pm_size", configuration: testServerConfiguration(maximumBodySize: 4096)) { base, pool, client in
            let big = Array("{\"RecordType\":\"Delivery\",\"Details\":\"\(String(repeating: "x", count: 10_000))\"}".utf8)
            let response = try await post(client, base + "/webhooks/postmark", body: big)
            #expect(response.status == 413)
        }
    }

    @Test func deliveryIsRecordedOnceByPostmarkMessageID() async throws {
        try await withServer("srv_pm_delivery") { base, pool, client in
            let email = try await seedTrackedEmail(pool, providerMessageId: "pm-100")
            let first = Date(timeIntervalSince1970: 1_800_000_000)
            var response = try await post(client, base + "/webhooks/postmark",
                                          body: try PostmarkDeliveryEvent(messageID: "pm-100", recipient: email.recipient, deliveredAt: first).jsonBody())
            #expect(response.status == 200)
            #expect(jsonObject(response)["status"] as? String == "ok")
            response = try await post(client, base + "/webhooks/postmark",
                                      body: try PostmarkDeliveryEvent(messageID: "pm-100", recipient: email.recipient, deliveredAt: first.addingTimeInterval(60)).jsonBody())
            #expect(response.status == 200)
            let row = try #require(try await trackingRow(pool, pixel: email.pixel))
            #expect(row.deliveredAt == first)
        }
    }

    @Test func hardBounceAndComplaintSuppressSoftBounceDoesNot() async throws {
        try await withServer("srv_pm_bounce") { base, pool, client in
            let hard = try await seedTrackedEmail(pool, recipient: "gone@example.com", providerMessageId: "pm-hard")
            let soft = try await seedTrackedEmail(pool, recipient: "full@example.com", providerMessageId: "pm-soft")
            let spam = try await seedTrackedEmail(pool, recipient: "angry@example.com", providerMessageId: "pm-spam")
            #expect(try await post(client, base + "/webhooks/postmark", body: try PostmarkBounceEvent(type: .hardBounce, email: hard.recipient, messageID: "pm-hard").jsonBody()).status == 200)
            #expect(try await post(client, base + "/webhooks/postmark", body: try PostmarkBounceEvent(type: .softBounce, email: soft.recipient, messageID: "pm-soft", inactive: false).jsonBody()).status == 200)
            #expect(try await post(client, base + "/webhooks/postmark", body: try PostmarkBounceEvent.spamComplaint(email: spam.recipient, messageID: "pm-spam").jsonBody()).status == 200)
            let hardRow = try #require(try await trackingRow(pool, pixel: hard.pixel))
            #expect(hardRow.bounceType == .hard)
            #expect(hardRow.bouncedAt != nil)
            #expect(hardRow.bounceReason?.isEmpty == false)
            #expect(try await trackingRow(pool, pixel: soft.pixel)?.bounceType == .soft)
            #expect(try await trackingRow(pool, pixel: spam.pixel)?.bounceType == .complaint)
            let suppressions = SuppressionList(pool: pool)
            #expect(try await suppressions.isSuppressed("gone@example.com"))
            #expect(try await suppressions.isSuppressed("angry@example.com"))
            #expect(try await !suppressions.isSuppressed("full@example.com"))
            // A later soft bounce never downgrades the hard verdict.
            _ = try await post(client, base + "/webhooks/postmark", body: try PostmarkBounceEvent(type: .softBounce, email: hard.recipient, messageID: "pm-hard").jsonBody())
            #expect(try await trackingRow(pool, pixel: hard.pixel)?.bounceType == .hard)
        }
    }

    @Test func openAndClickEventsCount() async throws {
        try await withServer("srv_pm_open") { base, pool, client in
            let email = try await seedTrackedEmail(pool, providerMessageId: "pm-open")
            #expect(try await post(client, base + "/webhooks/postmark", body: try PostmarkOpenEvent(messageID: "pm-open", recipient: email.recipient).jsonBody()).status == 200)
            let click: [String: Any] = ["RecordType": "Click", "MessageID": "pm-open", "Recipient": email.recipient, "OriginalLink": "https://x.example", "UserAgent": "UA"]
            #expect(try await post(client, base + "/webhooks/postmark", body: json(click)).status == 200)
            let row = try #require(try await trackingRow(pool, pixel: email.pixel))
            #expect(row.openCount == 1)
            #expect(row.clickCount == 1)
        }
    }

    @Test func unknownMessagesGet200() async throws {
        try await withServer("srv_pm_unknown") { base, pool, client in
            let response = try await post(client, base + "/webhooks/postmark", body: try PostmarkDeliveryEvent(messageID: "nobody", recipient: "x@example.com").jsonBody())
            #expect(response.status == 200)
            #expect(jsonObject(response)["status"] as? String == "unknown_message")
            let other = try await post(client, base + "/webhooks/postmark", body: json(["RecordType": "SomethingNew", "MessageID": "x"]))
            #expect(other.status == 200)
        }
    }

    @Test func subscriptionChangeFollowsPostmarksSuppressions() async throws {
        try await withServer("srv_pm_subscription") { base, pool, client in
            func change(_ suppress: Bool?) -> [String: Any] {
                var body: [String: Any] = [
                    "RecordType": "SubscriptionChange", "MessageID": "883953f4-6105-42a2-a16a-77a8eac79483", "ServerID": 1,
                    "MessageStream": "outbound", "ChangedAt": "2026-12-02T10:00:00Z", "Recipient": "Gone@Example.com",
                    "Origin": "Recipient", "SuppressionReason": "HardBounce", "Tag": "", "Metadata": [:] as [String: String],
                ]
                if let suppress { body["SuppressSending"] = suppress }
                return body
            }
            #expect(try await post(client, base + "/webhooks/postmark", body: json(change(true))).status == 200)
            let entry = try #require(try await SuppressionList(pool: pool).entry(for: "gone@example.com"))
            #expect(entry.bounceType == .hard)
            #expect(try await post(client, base + "/webhooks/postmark", body: json(change(false))).status == 200)
            #expect(try await SuppressionList(pool: pool).isSuppressed("gone@example.com") == false)
            #expect(try await post(client, base + "/webhooks/postmark", body: json(change(nil))).status == 400)
        }
    }

    @Test func injectedHeaderTextInWebhookFieldsIsStoredAsData() async throws {
        try await withServer("srv_pm_inject") { base, pool, client in
            let email = try await seedTrackedEmail(pool, providerMessageId: "pm-inj")
            let event: [String: Any] = ["RecordType": "Bounce", "MessageID": "pm-inj", "Email": email.recipient, "Type": "HardBounce",
                                        "Description": "bad\r\nX-Injected: yes", "Details": "'); DROP TABLE notifications; --"]
            let response = try await post(client, base + "/webhooks/postmark", body: json(event))
            #expect(response.status == 200)
            #expect(response.header("X-Injected") == nil)
            #expect(try await trackingRow(pool, pixel: email.pixel)?.bounceReason?.contains("DROP TABLE") == true)
            #expect(try await pool.query("SELECT count(*) FROM notifications")[0].decode(Int.self, at: 0) == 0)
        }
    }
}
