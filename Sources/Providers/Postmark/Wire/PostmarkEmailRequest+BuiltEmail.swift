public import Mail

extension PostmarkEmailRequest {
    /// The request for a built email on `messageStream`; an empty body part is left out.
    public init(_ email: BuiltEmail, messageStream: String = "outbound") {
        self.init(
            from: email.from, to: email.to, subject: email.subject,
            htmlBody: email.htmlBody.isEmpty ? nil : email.htmlBody, textBody: email.textBody.isEmpty ? nil : email.textBody,
            replyTo: email.replyTo, headers: email.headers.map { PostmarkHeader(name: $0.name, value: $0.value) }, tag: email.tag,
            metadata: email.metadata.isEmpty ? nil : email.metadata, messageStream: messageStream)
    }
}
