public import Foundation
import Postgres
public import Queue

extension NotificationJobKind {
    /// Sends one notification's SMS. Args: ``SMSArgs``.
    public static let smsSend = "sms.send"

    /// `{"notification_id": "<uuid>", "to": "+E164"}`: the number routing chose.
    public struct SMSArgs: JobArguments, Codable, Hashable {
        public var notificationID: UUID
        public var to: String
        public init(notificationID: UUID, to: String) {
            self.notificationID = notificationID
            self.to = to
        }
        enum CodingKeys: String, CodingKey { case notificationID = "notification_id", to }

        public func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(notificationID.lowercasedString, forKey: .notificationID)
            try container.encode(to, forKey: .to)
        }
    }
}
