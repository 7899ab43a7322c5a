/// Twilio's checks on a Messages create request, as pure logic.
enum TwilioValidator {
    /// Twilio's limit on a message body, in characters.
    static let maxBodyLength = 1600

    /// `^\+[1-9]\d{1,14}$`: a plus, a non-zero digit, then 1 to 14 digits.
    static func isE164(_ number: String) -> Bool {
        let bytes = Array(number.utf8)
        guard bytes.count >= 3, bytes.count <= 16, bytes[0] == UInt8(ascii: "+"),
            (UInt8(ascii: "1")...UInt8(ascii: "9")).contains(bytes[1])
        else { return false }
        return bytes.dropFirst(2).allSatisfy { (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }
    }

    /// An alphanumeric sender ID: 1 to 11 letters, digits and spaces, with at least one letter.
    static func isAlphanumericSenderID(_ sender: String) -> Bool {
        let scalars = sender.unicodeScalars
        guard (1...11).contains(scalars.count) else { return false }
        var hasLetter = false
        for scalar in scalars {
            guard scalar.isASCII else { return false }
            if scalar.properties.isAlphabetic {
                hasLetter = true
            } else if !(("0"..."9").contains(scalar) || scalar == " ") {
                return false
            }
        }
        return hasLetter
    }

    /// Checks the parameters of one send (unsubscribed numbers are checked afterwards).
    static func validate(_ parameters: [String: String]) -> TwilioAPIError? {
        guard let to = parameters["To"], !to.isEmpty else { return .missingTo }
        let from = parameters["From"].flatMap { $0.isEmpty ? nil : $0 }
        let service = parameters["MessagingServiceSid"].flatMap { $0.isEmpty ? nil : $0 }
        guard from != nil || service != nil else { return .missingFrom }
        guard let body = parameters["Body"], !body.isEmpty else { return .missingBody }
        // Twilio counts characters; UTF-16 units are never fewer, so this is at least as strict.
        guard body.utf16.count <= maxBodyLength else { return .bodyTooLong }
        guard isE164(to) else { return .invalidTo(to) }
        if let from, !isE164(from), !isAlphanumericSenderID(from) { return .invalidFrom(from) }
        if let service, !isSID(service, prefix: "MG") { return .invalidMessagingService(service) }
        if let callback = parameters["StatusCallback"], !callback.isEmpty, !isValidCallbackURL(callback) {
            return .invalidStatusCallback(callback)
        }
        return nil
    }

    /// A Twilio SID: the two-letter prefix and 32 lower-case hex digits.
    static func isSID(_ text: String, prefix: String) -> Bool {
        let bytes = Array(text.utf8)
        guard bytes.count == 34, text.hasPrefix(prefix) else { return false }
        return bytes.dropFirst(2).allSatisfy { (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) || (UInt8(ascii: "a")...UInt8(ascii: "f")).contains($0) }
    }

    /// Error 21609's rules: a fully qualified http(s) URL of at most 4,000 characters, with a
    /// host name (letters, digits, hyphens and dots; no underscore), a path, and no spaces or
    /// other characters that must be percent-encoded.
    static func isValidCallbackURL(_ text: String) -> Bool {
        guard text.utf8.count <= 4000, text.unicodeScalars.allSatisfy({ $0.isASCII && $0.value > 0x20 && $0.value < 0x7F }),
            !text.contains("\""), !text.contains("<"), !text.contains(">")
        else { return false }
        let lower = text.lowercased()
        let rest: Substring
        if lower.hasPrefix("https://") { rest = text.dropFirst(8) } else if lower.hasPrefix("http://") { rest = text.dropFirst(7) } else { return false }
        let authorityEnd = rest.firstIndex(where: { "/?#".contains($0) }) ?? rest.endIndex
        var host = rest[..<authorityEnd]
        guard !host.contains("@") else { return false }
        if let colon = host.lastIndex(of: ":") {
            let port = host[host.index(after: colon)...]
            guard !port.isEmpty, port.allSatisfy(\.isNumber), let number = Int(port), (1...65535).contains(number) else { return false }
            host = host[..<colon]
        }
        let labels = host.split(separator: ".", omittingEmptySubsequences: false)
        guard !host.isEmpty, labels.allSatisfy({ label in
            !label.isEmpty && label.first != "-" && label.last != "-"
                && label.unicodeScalars.allSatisfy { ("a"..."z").contains($0) || ("A"..."Z").contains($0) || ("0"..."9").contains($0) || $0 == "-" }
        }) else { return false }
        // A path is part of a fully qualified URL.
        return rest[authorityEnd...].hasPrefix("/")
    }

    /// Segments Twilio would bill: GSM-7 text (here: printable ASCII and newlines) fits 160 characters in one
    /// segment and 153 per segment beyond; anything else is UCS-2 with 70 and 67.
    static func segments(_ body: String) -> Int {
        let isGSM = body.unicodeScalars.allSatisfy { ($0.value >= 0x20 && $0.value < 0x7F) || $0 == "\n" || $0 == "\r" }
        let length = isGSM ? body.unicodeScalars.count : body.utf16.count
        let (single, multi) = isGSM ? (160, 153) : (70, 67)
        return length <= single ? 1 : (length + multi - 1) / multi
    }
}
