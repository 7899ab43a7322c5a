import Crypto
import Foundation

/// Twilio's request signature, `X-Twilio-Signature`: Base64(HMAC-SHA1(authToken, url + each POST parameter's
/// name and value, sorted by name, concatenated without separators)).
public enum TwilioSignature {
    /// The signature Twilio would send for a POST of `parameters` to `url` (the full URL, query included).
    public static func compute(authToken: String, url: String, parameters: [String: String]) -> String {
        var data = url
        // Twilio sorts by parameter name in byte order.
        for name in parameters.keys.sorted(by: { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) }) {
            data += name
            data += parameters[name] ?? ""
        }
        let code = HMAC<Insecure.SHA1>.authenticationCode(
            for: Data(data.utf8), using: SymmetricKey(data: Data(authToken.utf8)))
        return Data(code).base64EncodedString()
    }

    /// Whether `signature` is the one Twilio would send; compared in constant time.
    public static func isValid(_ signature: String, authToken: String, url: String, parameters: [String: String]) -> Bool {
        let expected = Array(compute(authToken: authToken, url: url, parameters: parameters).utf8)
        let given = Array(signature.utf8)
        guard expected.count == given.count else { return false }
        var difference: UInt8 = 0
        for index in expected.indices { difference |= expected[index] ^ given[index] }
        return difference == 0
    }
}
