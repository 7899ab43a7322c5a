import Foundation
import HTTPTypes
import Hummingbird

/// Twilio's `POST /2010-04-01/Accounts/{AccountSid}/Messages.json`.
extension SandboxProviders {
    /// The Message resource Twilio answers a create with (HTTP 201); absent values are JSON `null`, as Twilio sends them.
    struct TwilioMessageResource: Encodable {
        var sms: SandboxSMS
        var status: String
        var segments: Int

        enum CodingKeys: String, CodingKey {
            case accountSID = "account_sid", apiVersion = "api_version", body, dateCreated = "date_created"
            case dateSent = "date_sent", dateUpdated = "date_updated", direction, errorCode = "error_code"
            case errorMessage = "error_message", from, messagingServiceSID = "messaging_service_sid"
            case numMedia = "num_media", numSegments = "num_segments", price, priceUnit = "price_unit", sid, status
            case subresourceURIs = "subresource_uris", to, uri
        }

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            let created = Timestamp.rfc2822(sms.dateCreated)
            let uri = "/2010-04-01/Accounts/\(sms.accountSID)/Messages/\(sms.sid)"
            try container.encode(sms.accountSID, forKey: .accountSID)
            try container.encode("2010-04-01", forKey: .apiVersion)
            try container.encode(sms.body, forKey: .body)
            try container.encode(created, forKey: .dateCreated)
            try container.encode(String?.none, forKey: .dateSent)
            try container.encode(created, forKey: .dateUpdated)
            try container.encode("outbound-api", forKey: .direction)
            try container.encode(Int?.none, forKey: .errorCode)
            try container.encode(String?.none, forKey: .errorMessage)
            try container.encode(sms.from, forKey: .from)
            try container.encode(sms.messagingServiceSID, forKey: .messagingServiceSID)
            try container.encode("0", forKey: .numMedia)
            try container.encode(String(segments), forKey: .numSegments)
            try container.encode(String?.none, forKey: .price)
            try container.encode("USD", forKey: .priceUnit)
            try container.encode(sms.sid, forKey: .sid)
            try container.encode(status, forKey: .status)
            try container.encode(["media": uri + "/Media.json"], forKey: .subresourceURIs)
            try container.encode(sms.to, forKey: .to)
            try container.encode(uri + ".json", forKey: .uri)
        }
    }

    func addTwilioRoutes(to router: Router<BasicRequestContext>) {
        router.post("/2010-04-01/Accounts/:accountSid/Messages.json") { [self] request, context in
            try await handleSMS(request, accountSID: context.parameters.get("accountSid") ?? "")
        }
    }

    private func handleSMS(_ request: Request, accountSID: String) async throws -> Response {
        if let failure = try await begin(.sms) {
            switch failure {
            case .status(let status): return Self.twilioError(.injected(status: status))
            }
        }
        guard let credentials = Self.basicCredentials(request),
            Self.secretsEqual(credentials.username, configuration.twilioAccountSID),
            Self.secretsEqual(credentials.password, configuration.twilioAuthToken)
        else { return Self.twilioError(.authenticate) }
        guard accountSID == configuration.twilioAccountSID else {
            return Self.twilioError(.notFound("/2010-04-01/Accounts/\(accountSID)/Messages.json"))
        }
        let contentType = request.headers[.contentType]?.split(separator: ";").first?.trimmingCharacters(in: .whitespaces).lowercased()
        guard contentType == "application/x-www-form-urlencoded" else { return Self.twilioError(.formRequired) }
        var parameters: [String: String] = [:]
        for (name, value) in FormURLEncoding.decode(try await Self.collectBody(request)) where parameters[name] == nil {
            parameters[name] = value
        }
        if let error = TwilioValidator.validate(parameters) { return Self.twilioError(error) }
        let to = parameters["To"] ?? ""
        if state.isUnsubscribed(to) { return Self.twilioError(.unsubscribed) }
        let from = parameters["From"].flatMap { $0.isEmpty ? nil : $0 }
        let sms = SandboxSMS(
            sid: Identifier.twilioSID(prefix: "SM"), accountSID: accountSID, to: to, from: from,
            messagingServiceSID: parameters["MessagingServiceSid"].flatMap { $0.isEmpty ? nil : $0 },
            body: parameters["Body"] ?? "", statusCallback: parameters["StatusCallback"].flatMap { $0.isEmpty ? nil : $0 },
            dateCreated: Date(), parameters: parameters
        )
        state.record(sms: sms)
        // Twilio answers "accepted" when a Messaging Service still has to pick the sender.
        let status = from == nil ? "accepted" : "queued"
        return Self.json(
            status: 201, TwilioMessageResource(sms: sms, status: status, segments: TwilioValidator.segments(sms.body)))
    }

    static func twilioError(_ error: TwilioAPIError) -> Response {
        json(status: error.status, error)
    }

    /// `Authorization: Basic base64(user:password)`, split at the first colon.
    static func basicCredentials(_ request: Request) -> (username: String, password: String)? {
        guard let header = request.headers[.authorization], header.lowercased().hasPrefix("basic "),
            let decoded = Data(base64Encoded: String(header.dropFirst(6)).trimmingCharacters(in: .whitespaces)),
            let text = String(data: decoded, encoding: .utf8),
            let colon = text.firstIndex(of: ":")
        else { return nil }
        return (String(text[..<colon]), String(text[text.index(after: colon)...]))
    }
}
