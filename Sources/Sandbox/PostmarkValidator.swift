/// Postmark's checks on one message, as pure logic: required fields, address syntax, recipient limit.
/// (Inactive recipients are checked afterwards against the sandbox's state.)
enum PostmarkValidator {
    /// Postmark's limit per recipient field (To, Cc, Bcc each).
    static let maxRecipientsPerField = 50

    /// The bare recipient addresses (To, then Cc, then Bcc) of a valid message, or Postmark's error.
    static func validate(_ request: PostmarkEmailRequest) -> Result<[String], PostmarkAPIError> {
        guard let from = request.from, !from.trimmingSpaces().isEmpty else {
            return .failure(.invalidRequest("Invalid 'From' address: no sender was specified."))
        }
        do {
            let senders = try EmailAddressList.parse(from)
            guard senders.count == 1 else {
                return .failure(.invalidRequest("Invalid 'From' address: '\(from)' must be exactly one address."))
            }
        } catch {
            return .failure(illegal(field: "From", error))
        }
        guard let to = request.to, !to.trimmingSpaces().isEmpty else {
            return .failure(.invalidRequest("Zero recipients specified"))
        }
        var recipients: [String] = []
        for (field, value) in [("To", to), ("Cc", request.cc), ("Bcc", request.bcc)] {
            guard let value else { continue }
            do {
                let parsed = try EmailAddressList.parse(value)
                if parsed.count > maxRecipientsPerField {
                    return .failure(
                        .invalidRequest("Error parsing '\(field)': too many recipients (at most \(maxRecipientsPerField)).")
                    )
                }
                recipients += parsed.map(\.address)
            } catch {
                return .failure(illegal(field: field, error))
            }
        }
        guard !recipients.isEmpty else { return .failure(.invalidRequest("Zero recipients specified")) }
        if let replyTo = request.replyTo, !replyTo.trimmingSpaces().isEmpty {
            do { _ = try EmailAddressList.parse(replyTo) } catch { return .failure(illegal(field: "ReplyTo", error)) }
        }
        guard let subject = request.subject, !subject.trimmingSpaces().isEmpty else {
            return .failure(.invalidRequest("Provide a Subject for the message."))
        }
        let hasHTML = !(request.htmlBody ?? "").isEmpty
        let hasText = !(request.textBody ?? "").isEmpty
        guard hasHTML || hasText else {
            return .failure(.invalidRequest("Provide either email TextBody or HtmlBody or both."))
        }
        if let headers = request.headers, headers.contains(where: { $0.name.trimmingSpaces().isEmpty }) {
            return .failure(.invalidRequest("Every entry of Headers needs a Name."))
        }
        return .success(recipients)
    }

    private static func illegal(field: String, _ error: EmailAddressList.InvalidAddress) -> PostmarkAPIError {
        let suffix = error.missingAt ? " It must contain the '@' symbol." : ""
        return .invalidRequest("Error parsing '\(field)': Illegal email address '\(error.text)'.\(suffix)")
    }
}
