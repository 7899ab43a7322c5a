import Curl
import Hummingbird
import Listening
public import Logging
public import ServiceLifecycle
import Synchronization

/// A real loopback HTTP server that speaks the documented Postmark email API (`POST /email`,
/// `POST /email/batch`) and Twilio Messages API (`POST /2010-04-01/Accounts/{AccountSid}/Messages.json`),
/// records everything it accepts, and can be told to fail, slow down, or refuse recipients.
///
/// Both providers share one port: point Herald's Postmark base URL and Twilio base URL at
/// ``postmarkURL`` and ``twilioURL``. Run it as a `Service` (in a `ServiceGroup`) or with
/// ``withRunning(configuration:_:)``. `run()` may be called once per instance.
///
/// Every accessor and control is thread-safe and may be used while the server runs.
public final class SandboxProviders: Service, Sendable {
    /// How the sandbox binds and which credentials it accepts.
    public struct Configuration: Sendable {
        /// Address to bind. Default `"127.0.0.1"` (loopback only).
        public var host: String
        /// Port to bind. Default `0`: the system picks a free port; read it with ``waitUntilRunning()``.
        public var port: Int
        /// The only value of `X-Postmark-Server-Token` accepted. Default `"sandbox-postmark-token"`.
        public var postmarkServerToken: String
        /// The Twilio Account SID (basic-auth user and path component). Default `"AC"` + 32 hex digits.
        public var twilioAccountSID: String
        /// The Twilio Auth Token (basic-auth password, and key of `X-Twilio-Signature`).
        /// Default `"sandbox-twilio-token"`.
        public var twilioAuthToken: String
        /// Delay added before every API response (changeable later with ``responseDelay``). Default `.zero`.
        public var responseDelay: Duration
        /// Whether accepted emails and SMS are kept for ``receivedEmails()`` / ``receivedSMS()``.
        /// Default `true`; benchmarks that only need the counters can turn it off to keep memory flat.
        public var recordMessages: Bool
        /// The Postmark server's message streams by id. `MessageStream` must name one that is not
        /// inbound (absent means `outbound`). Default ``defaultMessageStreams``.
        public var messageStreams: [String: PostmarkStreamType]
        /// Logger for the server's lifecycle (nothing is logged per request above debug level).
        /// Default: label `"herald.sandbox"`.
        public var logger: Logger

        /// The Account SID used when none is given.
        public static let defaultTwilioAccountSID = "ACf00dfeedf00dfeedf00dfeedf00dfeed"

        /// The streams every Postmark server starts with: `outbound` (transactional), `broadcast`
        /// (broadcasts) and `inbound`.
        public static let defaultMessageStreams: [String: PostmarkStreamType] = [
            "outbound": .transactional, "broadcast": .broadcasts, "inbound": .inbound,
        ]

        /// Creates a configuration; every argument has the documented default.
        public init(
            host: String = "127.0.0.1",
            port: Int = 0,
            postmarkServerToken: String = "sandbox-postmark-token",
            twilioAccountSID: String = Configuration.defaultTwilioAccountSID,
            twilioAuthToken: String = "sandbox-twilio-token",
            responseDelay: Duration = .zero,
            recordMessages: Bool = true,
            messageStreams: [String: PostmarkStreamType] = Configuration.defaultMessageStreams,
            logger: Logger = Logger(label: "herald.sandbox")
        ) {
            self.host = host
            self.port = port
            self.postmarkServerToken = postmarkServerToken
            self.twilioAccountSID = twilioAccountSID
            self.twilioAuthToken = twilioAuthToken
            self.responseDelay = responseDelay
            self.recordMessages = recordMessages
            self.messageStreams = messageStreams
            self.logger = logger
        }
    }

    /// The configuration the sandbox was created with.
    public let configuration: Configuration
    let state: SandboxState
    private let listening = ListeningPort()
    /// Created on first webhook post; shut down when the sandbox is released.
    let ownWebhookClient = Mutex<CurlClient?>(nil)

    /// Creates a sandbox; nothing is bound until `run()`.
    public init(configuration: Configuration = .init()) {
        self.configuration = configuration
        self.state = SandboxState(
            responseDelay: configuration.responseDelay, recordMessages: configuration.recordMessages)
    }

    deinit {
        ownWebhookClient.withLock { $0?.shutdown() }
    }

    /// Serves both APIs until the task is cancelled or a graceful shutdown is triggered.
    /// Throws if the address cannot be bound.
    public func run() async throws {
        defer { listening.markStopped() }
        let router = Router(context: BasicRequestContext.self)
        addPostmarkRoutes(to: router)
        addTwilioRoutes(to: router)
        addControlRoutes(to: router)
        let app = Application(
            router: router,
            configuration: .init(
                address: .hostname(configuration.host, port: configuration.port),
                backlog: 1024
            ),
            onServerRunning: { [listening] channel in
                listening.markRunning(port: channel.localAddress?.port ?? 0)
            },
            logger: configuration.logger
        )
        try await app.run()
    }

    /// Waits until the server is listening and returns the bound port.
    /// Returns `0` once `run()` has ended, in particular when it ended before the server could listen
    /// (for example, the port was taken). Before `run()` is called it waits.
    public func waitUntilRunning() async -> Int {
        await listening.waitUntilRunning()
    }

    /// The bound port, or `nil` while the server is not (yet) listening.
    public var port: Int? { listening.port }

    /// `http://127.0.0.1:PORT`: the base URL to give Herald's Postmark provider (it appends `/email`,
    /// `/email/batch`). Waits until the server is listening.
    public var postmarkURL: String {
        get async { await baseURL() }
    }

    /// `http://127.0.0.1:PORT`: the base URL to give Herald's Twilio provider (it appends
    /// `/2010-04-01/Accounts/{AccountSid}/Messages.json`). Waits until the server is listening.
    public var twilioURL: String {
        get async { await baseURL() }
    }

    /// The full Twilio Messages endpoint for the configured Account SID. Waits until the server is listening.
    public var twilioMessagesURL: String {
        get async { await baseURL() + "/2010-04-01/Accounts/\(configuration.twilioAccountSID)/Messages.json" }
    }

    /// Runs a sandbox in a child task, waits until it listens, runs `body`, then shuts the server down
    /// gracefully (whether `body` returns or throws) and waits for it to stop. Rethrows a failure to start
    /// (for example, a taken port).
    public static func withRunning<T>(
        configuration: Configuration = .init(),
        isolation: isolated (any Actor)? = #isolation,
        _ body: (SandboxProviders) async throws -> T
    ) async throws -> T {
        let sandbox = SandboxProviders(configuration: configuration)
        return try await sandbox.listening.withRunning(
            sandbox, logger: configuration.logger,
            notRunning: { SandboxError(.notRunning, "the sandbox stopped before it could listen") }
        ) {
            try await body(sandbox)
        }
    }

    private func baseURL() async -> String {
        ListeningPort.url(host: configuration.host, port: await waitUntilRunning())
    }
}
