import Curl
import Foundation
import Mail
import Postgres
import Sandbox

/// One attachment of a test inbound webhook.
struct TestAttachment {
    var name: String
    var contentType: String
    var contentID: String = ""
    var bytes: [UInt8]
}

/// The webhook body Postmark would post for `message`, with `attachments` (base64 in `Content`)
/// spliced in as text, so a 30 MB body is built without a JSON encoder holding copies of it.
func inboundBody(_ message: PostmarkInboundMessage, attachments: [TestAttachment] = []) throws -> [UInt8] {
    let base = String(decoding: try message.jsonBody(), as: UTF8.self)
    guard !attachments.isEmpty else { return Array(base.utf8) }
    let entries = attachments.map { attachment in
        "{\"Name\":\(quoted(attachment.name)),\"ContentType\":\(quoted(attachment.contentType)),\"ContentID\":\(quoted(attachment.contentID)),"
            + "\"ContentLength\":\(attachment.bytes.count),\"Content\":\"\(Data(attachment.bytes).base64EncodedString())\"}"
    }
    let spliced = base.replacingOccurrences(of: "\"Attachments\":[]", with: "\"Attachments\":[" + entries.joined(separator: ",") + "]")
    precondition(spliced != base, "the sandbox payload has no empty Attachments array to fill")
    return Array(spliced.utf8)
}

private func quoted(_ text: String) -> String {
    String(decoding: (try? JSONSerialization.data(withJSONObject: [text], options: [.fragmentsAllowed])) ?? Data("[\"\"]".utf8), as: UTF8.self)
        .dropFirst().dropLast().description
}

/// Pseudo-random bytes (deterministic per seed), so stored content can be compared.
func testBytes(count: Int, seed: UInt64) -> [UInt8] {
    var state = seed &* 6364136223846793005 &+ 1442695040888963407
    var bytes = [UInt8](repeating: 0, count: count)
    for index in 0..<count {
        state = state &* 6364136223846793005 &+ 1442695040888963407
        bytes[index] = UInt8(truncatingIfNeeded: state >> 33)
    }
    return bytes
}

func count(_ pool: PostgresPool, _ sql: String, _ parameters: [any PostgresBindable] = []) async throws -> Int {
    try await pool.query(sql, parameters)[0].decode(Int.self, at: 0)
}

let inboundPath = "/webhooks/postmark/inbound"
