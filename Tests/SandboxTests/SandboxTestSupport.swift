import Curl
import Foundation
import Logging
import Sandbox

/// One client for all live tests (it talks only to 127.0.0.1).
/// Generous timeout: a 10 MB body to a loopback sandbox can take longer than curl's 30 s default
/// when the machine is busy; these tests check answers, not speed.
let testClient = CurlClient(configuration: .init(timeout: .seconds(180)))

/// Runs `body` against a fresh sandbox on an ephemeral loopback port.
func withSandbox<T: Sendable>(
    _ configuration: SandboxProviders.Configuration = .init(),
    _ body: (SandboxProviders) async throws -> T
) async throws -> T {
    var configuration = configuration
    configuration.logger = quietLogger
    return try await SandboxProviders.withRunning(configuration: configuration, body)
}

/// Keeps the per-server "listening" lines out of the test output.
let quietLogger: Logger = {
    var logger = Logger(label: "sandbox-tests")
    logger.logLevel = .warning
    return logger
}()

/// POSTs JSON to a Postmark endpoint of the sandbox.
func postmark(
    _ sandbox: SandboxProviders, path: String, json: Any, token: String? = "sandbox-postmark-token",
    contentType: String = "application/json"
) async throws -> Curl.HTTPResponse {
    var headers = [HTTPHeader("Content-Type", contentType), HTTPHeader("Accept", "application/json")]
    if let token { headers.append(HTTPHeader("X-Postmark-Server-Token", token)) }
    let body = try JSONSerialization.data(withJSONObject: json)
    return try await testClient.execute(
        HTTPRequest(method: .POST, url: await sandbox.postmarkURL + path, headers: headers, body: Array(body)))
}

/// POSTs a form to the sandbox's Twilio Messages endpoint.
func twilio(
    _ sandbox: SandboxProviders, form: [(String, String)], accountSID: String? = nil,
    auth: BasicAuth? = BasicAuth(username: SandboxProviders.Configuration.defaultTwilioAccountSID, password: "sandbox-twilio-token")
) async throws -> Curl.HTTPResponse {
    let sid = accountSID ?? sandbox.configuration.twilioAccountSID
    let body = form.map { "\(escape($0.0))=\(escape($0.1))" }.joined(separator: "&")
    return try await testClient.execute(
        HTTPRequest(
            method: .POST, url: await sandbox.twilioURL + "/2010-04-01/Accounts/\(sid)/Messages.json",
            headers: [HTTPHeader("Content-Type", "application/x-www-form-urlencoded")], body: Array(body.utf8),
            basicAuth: auth))
}

private func escape(_ text: String) -> String {
    var allowed = CharacterSet.alphanumerics
    allowed.insert(charactersIn: "-._~")
    return text.addingPercentEncoding(withAllowedCharacters: allowed) ?? text
}

/// A JSON object body.
func object(_ response: Curl.HTTPResponse) throws -> [String: Any] {
    guard let value = try JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any] else {
        throw TestFailure("expected a JSON object, got: \(response.bodyString)")
    }
    return value
}

/// A JSON array-of-objects body.
func array(_ response: Curl.HTTPResponse) throws -> [[String: Any]] {
    guard let value = try JSONSerialization.jsonObject(with: Data(response.body)) as? [[String: Any]] else {
        throw TestFailure("expected a JSON array, got: \(response.bodyString)")
    }
    return value
}

/// A JSON object from payload bytes.
func object(_ bytes: [UInt8]) throws -> [String: Any] {
    guard let value = try JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any] else {
        throw TestFailure("expected a JSON object")
    }
    return value
}

struct TestFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// A valid Postmark message body.
func message(to: String = "jane@example.com", subject: String = "Hello", extra: [String: Any] = [:]) -> [String: Any] {
    var body: [String: Any] = [
        "From": "Herald <notifications@herald.example>", "To": to, "Subject": subject,
        "HtmlBody": "<p>Hi</p>", "TextBody": "Hi",
    ]
    body.merge(extra) { $1 }
    return body
}
