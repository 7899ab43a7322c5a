import Curl
import Foundation
import Logging
import Providers
import Sandbox
import Synchronization

/// Shared pieces of the provider-client tests: one HTTP client (loopback only), a sandbox runner,
/// and a log handler that keeps every line so tests can check that no secret is logged.
enum ProviderClientTestSupport {
    /// One client for every provider-client test; it only ever talks to 127.0.0.1.
    static let http = CurlClient()

    /// The clients' request timeout: these tests check what each answer means, not how fast it
    /// comes, and a busy machine can keep the loopback sandbox from answering within the 10 s
    /// default. Tests of the timeout itself set their own through `tweak`.
    static let requestTimeout: Duration = .seconds(120)

    /// A URL on which nothing listens: port 1 (tcpmux) is privileged and unused on loopback, so a
    /// connection is refused at once.
    static let unreachableURL = "http://127.0.0.1:1"

    /// Runs `body` against a fresh sandbox on an ephemeral loopback port, with quiet logs.
    static func withSandbox<T: Sendable>(_ body: (SandboxProviders) async throws -> T) async throws -> T {
        var configuration = SandboxProviders.Configuration()
        var logger = Logger(label: "provider-client-tests.sandbox")
        logger.logLevel = .warning
        configuration.logger = logger
        return try await SandboxProviders.withRunning(configuration: configuration, body)
    }

    /// A Postmark client for the sandbox (its token), with `tweak` applied to the configuration.
    static func postmark(
        _ sandbox: SandboxProviders, logger: Logger = quietLogger, _ tweak: (inout PostmarkConfiguration) -> Void = { _ in }
    ) async -> PostmarkClient {
        var configuration = PostmarkConfiguration(
            serverToken: sandbox.configuration.postmarkServerToken, apiURL: await sandbox.postmarkURL, requestTimeout: requestTimeout)
        tweak(&configuration)
        return PostmarkClient(configuration: configuration, httpClient: http, logger: logger)
    }

    /// A Twilio client for the sandbox (its credentials, sending from `+15005550006`), with `tweak` applied.
    static func twilio(
        _ sandbox: SandboxProviders, logger: Logger = quietLogger, _ tweak: (inout TwilioConfiguration) -> Void = { _ in }
    ) async -> TwilioClient {
        var configuration = TwilioConfiguration(
            accountSID: sandbox.configuration.twilioAccountSID,
            authToken: sandbox.configuration.twilioAuthToken,
            sender: .from("+15005550006"),
            apiURL: await sandbox.twilioURL,
            requestTimeout: requestTimeout
        )
        tweak(&configuration)
        return TwilioClient(configuration: configuration, httpClient: http, logger: logger)
    }

    /// A valid email to `to`.
    static func email(to: String = "jane@example.com", subject: String = "Hello") -> PostmarkEmailRequest {
        PostmarkEmailRequest(
            from: "\"Herald\" <notifications@herald.example>", to: to, subject: subject,
            htmlBody: "<p>Hi</p>", textBody: "Hi")
    }

    static let quietLogger: Logger = {
        var logger = Logger(label: "provider-client-tests")
        logger.logLevel = .warning
        return logger
    }()

    /// The phone number, which the tests' literals always are.
    static func phone(_ text: String) throws -> PhoneNumber {
        guard let number = PhoneNumber(text) else { throw TestFailure("not an E.164 literal: \(text)") }
        return number
    }

    struct TestFailure: Error, CustomStringConvertible {
        var description: String
        init(_ description: String) { self.description = description }
    }
}

/// A log handler that records every line (message and metadata, rendered) at every level.
struct RecordingLogHandler: LogHandler {
    /// The lines recorded so far; shared by every copy of the handler.
    final class Store: Sendable {
        private let lines = Mutex<[String]>([])
        func append(_ line: String) { lines.withLock { $0.append(line) } }
        var all: [String] { lines.withLock { $0 } }
    }

    let store: Store
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .trace

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        let merged = metadata.merging(event.metadata ?? [:]) { $1 }
        let rendered = merged.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
        store.append("\(event.level) \(event.message) \(rendered)")
    }

    /// A trace-level logger writing into a fresh store.
    static func logger() -> (Logger, Store) {
        let store = Store()
        var logger = Logger(label: "recording") { _ in RecordingLogHandler(store: store) }
        logger.logLevel = .trace
        return (logger, store)
    }
}
