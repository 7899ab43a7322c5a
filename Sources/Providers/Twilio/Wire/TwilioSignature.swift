import Crypto
import Foundation
import Mail

/// The `X-Twilio-Signature` of a Twilio webhook request (https://www.twilio.com/docs/usage/security).
///
/// Signature = Base64(HMAC-SHA1(auth token, URL + every POST parameter's name and value
/// concatenated, sorted by name)). The URL is the full URL Twilio requested, query string
/// included, exactly as configured in Twilio.
public enum TwilioSignature {
    /// The expected signature for a request.
    /// - Parameters:
    ///   - url: the full request URL as Twilio saw it.
    ///   - params: the decoded POST parameters (empty for GET).
    ///   - authToken: the account's auth token.
    public static func compute(url: String, params: [String: String], authToken: String) -> String {
        Self.compute(url: url, params: params.map { (name: $0.key, value: $0.value) }, authToken: authToken)
    }

    /// The expected signature; parameters may repeat a name (sorted by name, then value, by bytes).
    public static func compute(url: String, params: [(name: String, value: String)], authToken: String) -> String {
        let sorted = params.sorted { lhs, rhs in
            let (leftName, rightName) = (Array(lhs.name.utf8), Array(rhs.name.utf8))
            if leftName != rightName { return leftName.lexicographicallyPrecedes(rightName) }
            return Array(lhs.value.utf8).lexicographicallyPrecedes(Array(rhs.value.utf8))
        }
        var data = Array(url.utf8)
        for (name, value) in sorted {
            data += Array(name.utf8)
            data += Array(value.utf8)
        }
        let mac = HMAC<Insecure.SHA1>.authenticationCode(for: data, using: SymmetricKey(data: Array(authToken.utf8)))
        return Data(mac).base64EncodedString()
    }

    /// `true` when `signature` (the header value) matches; compared in constant time.
    public static func verify(signature: String, url: String, params: [String: String], authToken: String) -> Bool {
        Self.verify(signature: signature, url: url, params: params.map { (name: $0.key, value: $0.value) }, authToken: authToken)
    }

    /// `true` when `signature` matches; parameters may repeat a name.
    public static func verify(signature: String, url: String, params: [(name: String, value: String)], authToken: String) -> Bool {
        let expected = Self.compute(url: url, params: params, authToken: authToken)
        return ConstantTime.equals(Array(signature.trimmingCharacters(in: .whitespaces).utf8), Array(expected.utf8))
    }
}
