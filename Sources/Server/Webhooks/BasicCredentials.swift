import Curl
import Foundation
import HTTPTypes
import Hummingbird
import Mail

/// HTTP Basic authentication against one configured login, in constant time.
///
/// Written here rather than taken from HummingbirdAuth: its `HTTPFields.basic` matches the scheme
/// case-sensitively and bounds nothing, and its `BasicAuthenticator` looks the user up by name
/// first (so a wrong name answers faster than a wrong password) and verifies bcrypt hashes, where
/// Herald compares configured plain credentials. Here both parts are always compared, each in
/// constant time whatever its length.
enum BasicCredentials {
    /// True when `request` carries `Authorization: Basic …` (scheme in any case, at most 1 KiB)
    /// whose user and password both equal `expected`'s.
    static func match(_ request: Request, _ expected: BasicAuth) -> Bool {
        guard let header = request.headers[.authorization], header.count <= 1024,
            header.lowercased().hasPrefix("basic "),
            let decoded = Data(base64Encoded: String(header.dropFirst(6)).trimmingCharacters(in: " \t")),
            let text = String(data: decoded, encoding: .utf8), let colon = text.firstIndex(of: ":")
        else { return false }
        let userOK = ConstantTime.equals(String(text[..<colon]), expected.username)
        let passwordOK = ConstantTime.equals(String(text[text.index(after: colon)...]), expected.password)
        return userOK && passwordOK
    }

    /// True when the request offers Basic credentials at all (whatever they are).
    static func offered(_ request: Request) -> Bool {
        request.headers[.authorization]?.lowercased().hasPrefix("basic ") == true
    }
}
