@testable import Discussions
import Foundation
import HeraldTestSupport
@testable import Notifications
import Postgres
import Queue
import Testing

/// The notification kinds' arguments: decoded once by the queue, refused with its one message,
/// and written in the shapes the producers (and the main application) write.
@Suite("Notification job arguments")
struct NotificationJobArgsTests {
    @Test("Bad args fail each notification kind at once with the queue's uniform message")
    func badArgsFailPermanently() async throws {
        try await DeliveryHarness.run("badargs") { h in
            let queue = JobQueue(pool: h.pool)
            let user = UUID().lowercasedString
            let cases: [(kind: String, args: String, error: String)] = [
                ("email.send", #"{}"#, #"invalid args for kind 'email.send': missing key "notification_id""#),
                ("notification.route", #"{"notification_id": 42}"#,
                 #"invalid args for kind 'notification.route': "notification_id" is not a string"#),
                ("sms.send", #"{"notification_id": "\#(UUID().lowercasedString)"}"#, #"invalid args for kind 'sms.send': missing key "to""#),
                ("digest.build",
                 #"{"user_id": "\#(user)", "frequency": "never", "period_key": "daily:2026-01-01", "period_start": 0, "period_end": 86400}"#,
                 #"invalid args for kind 'digest.build': "frequency": must be daily, weekly or monthly"#),
            ]
            var ids: [Int64] = []
            for item in cases {
                ids.append(try await queue.enqueue(JobRequest(kind: item.kind, args: PostgresJSON(item.args))))
            }
            let bad = try await queue.enqueue(JobRequest(kind: "email.send", args: PostgresJSON(#"{"notification_id": "not-a-uuid"}"#)))
            try await h.withWorker {
                #expect(await eventually {
                    try await h.pool.query("SELECT count(*) FROM herald_jobs WHERE state = 'failed'")[0].decode(Int.self, at: 0) == cases.count + 1
                })
            }
            for (item, id) in zip(cases, ids) {
                let job = try #require(try await queue.job(id: id))
                #expect(job.state == .failed && job.attempt == 1 && job.finishedAt != nil, "\(item.kind)")
                #expect(job.errors.map(\.error) == [item.error])
            }
            let notUUID = try #require(try await queue.job(id: bad)?.errors.first?.error)
            #expect(notUUID.hasPrefix(#"invalid args for kind 'email.send': "notification_id": "#))
        }
    }

    @Test("Args are written in the contract's shapes, UUIDs lowercase")
    func shapes() throws {
        let id = UUID(uuidString: "0F3C2A9E-1B7D-4E2A-9C3B-5A6D7E8F9A0B")!
        #expect(try PostgresJSON(encoding: NotificationJobKind.NotificationArgs(notificationID: id)).text
                == #"{"notification_id":"0f3c2a9e-1b7d-4e2a-9c3b-5a6d7e8f9a0b"}"#)
        #expect(try PostgresJSON(encoding: NotificationJobKind.SMSArgs(notificationID: id, to: "+14155550100")).text
                == #"{"notification_id":"0f3c2a9e-1b7d-4e2a-9c3b-5a6d7e8f9a0b","to":"+14155550100"}"#)
        #expect(try PostgresJSON(encoding: DiscussionFanoutHandler.Arguments(messageId: id)).text
                == #"{"message_id":"0f3c2a9e-1b7d-4e2a-9c3b-5a6d7e8f9a0b"}"#)
        let digest = NotificationJobKind.DigestArgs(userID: id, frequency: "weekly", periodKey: "weekly:2026-W11", periodStart: 10, periodEnd: 20,
                                                    gatherOlder: true)
        #expect(try PostgresJSON(encoding: digest).text
                == #"{"frequency":"weekly","gather_older":true,"period_end":20,"period_key":"weekly:2026-W11","period_start":10,"user_id":"0f3c2a9e-1b7d-4e2a-9c3b-5a6d7e8f9a0b"}"#)
        #expect(try NotificationJobKind.DigestArgs.decode(PostgresJSON(encoding: digest)) == digest)
        // The builders the router uses write the same shapes.
        #expect(try NotificationJobKind.NotificationArgs.decode(PostgresJSONArgs.notification(id.lowercasedString)).notificationID == id)
        #expect(try NotificationJobKind.SMSArgs.decode(PostgresJSONArgs.sms(id.lowercasedString, to: "+14155550100"))
                == NotificationJobKind.SMSArgs(notificationID: id, to: "+14155550100"))
    }

    @Test("The notification id is read from PostgreSQL's jsonb text without a decoder, and from any other spelling with one")
    func notificationArgsFastPath() throws {
        let id = UUID()
        for text in [#"{"notification_id": "\#(id.lowercasedString)"}"#, #"{ "notification_id" : "\#(id.uuidString)" }"#,
                     #"{"notification_id": "\#(id.lowercasedString)", "extra": 1}"#] {
            #expect(try NotificationJobKind.NotificationArgs.decode(PostgresJSON(text)).notificationID == id, "\(text)")
        }
        #expect(throws: DecodingError.self) { try NotificationJobKind.NotificationArgs.decode(PostgresJSON(#"{"notification_id": "nope"}"#)) }
    }
}
