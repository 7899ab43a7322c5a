import HeraldKit
import HeraldTestSupport
import Mail
import Providers
import Sandbox
import Testing

/// Building the provider configurations from the settings, and keeping secrets out of descriptions.
@Suite("Provider configuration")
struct ProviderConfigurationTests {
    /// The `SettingsError` that `body` throws; records an issue when it throws something else.
    private func error(_ body: () throws -> Void, sourceLocation: SourceLocation = #_sourceLocation) -> SettingsError? {
        do {
            try body()
            return nil
        } catch let error as SettingsError {
            return error
        } catch {
            Issue.record("expected a SettingsError, got \(error)", sourceLocation: sourceLocation)
            return nil
        }
    }

    @Test("Postmark: all variables are read; defaults apply when unset or blank")
    func postmarkFromEnvironment() throws {
        let full = try Settings(
            ["POSTMARK_SERVER_TOKEN": "tok", "POSTMARK_API_URL": "https://pm.example/", "POSTMARK_MESSAGE_STREAM": "notifications"]).postmark(sandbox: false)
        #expect(full.serverToken == "tok")
        #expect(full.apiURL == "https://pm.example")
        #expect(full.messageStream == "notifications")
        let defaults = try Settings(
            ["POSTMARK_SERVER_TOKEN": " tok ", "POSTMARK_MESSAGE_STREAM": ""]).postmark(sandbox: false)
        #expect(defaults.serverToken == "tok")
        #expect(defaults.apiURL == "https://api.postmarkapp.com")
        #expect(defaults.messageStream == "outbound")
        #expect(defaults.requestTimeout == .seconds(10))
    }

    @Test("Postmark: a missing token names the variable and the sandbox way out")
    func postmarkMissingToken() {
        for env in [[:], ["POSTMARK_SERVER_TOKEN": "  "]] {
            let error = self.error { _ = try Settings(env).postmark(sandbox: false) }
            #expect(error?.variables == ["POSTMARK_SERVER_TOKEN"])
            #expect(error?.message.contains("POSTMARK_SERVER_TOKEN is not set: set it to your Postmark server token, or run with --sandbox") == true)
        }
    }

    @Test("Postmark: an invalid API URL names the variable without echoing the value")
    func postmarkBadURL() {
        let error = self.error {
            _ = try Settings(["POSTMARK_SERVER_TOKEN": "t", "POSTMARK_API_URL": "ftp://secret-host"]).postmark(sandbox: false)
        }
        #expect(error?.message.contains("POSTMARK_API_URL") == true)
        #expect(error?.message.contains("secret-host") == false)
    }

    @Test("Postmark: sandbox mode needs no token and uses the sandbox's, ignoring a real one")
    func postmarkSandbox() throws {
        let configuration = try Settings(["POSTMARK_SERVER_TOKEN": "real"]).postmark(sandbox: true)
        #expect(configuration.serverToken == SandboxProviders.Configuration().postmarkServerToken)
        #expect(try Settings([:]).postmark(sandbox: true).serverToken == PostmarkConfiguration.sandboxServerToken)
    }

    @Test("Postmark: descriptions, debug descriptions and dumps redact the token")
    func postmarkRedaction() {
        let configuration = PostmarkConfiguration(serverToken: "pm-secret-123")
        for text in logRenderings(configuration) {
            #expect(!text.contains("pm-secret-123"))
            #expect(text.contains("***"))
        }
        #expect(configuration.description.contains("https://api.postmarkapp.com"))
    }

    @Test("Twilio: all variables are read; the status callback is HERALD_PUBLIC_URL + /webhooks/twilio/status")
    func twilioFromEnvironment() throws {
        let configuration = try Settings(
            [
                "TWILIO_ACCOUNT_SID": "AC0123456789abcdef0123456789abcdef", "TWILIO_AUTH_TOKEN": "tok",
                "TWILIO_FROM": "+1 415 555 2671", "TWILIO_API_URL": "http://127.0.0.1:9999",
                "HERALD_PUBLIC_URL": "https://herald.example/",
            ]).twilio(sandbox: false)
        #expect(configuration.accountSID == "AC0123456789abcdef0123456789abcdef")
        #expect(configuration.authToken == "tok")
        #expect(configuration.sender == .from("+14155552671"))
        #expect(configuration.from == "+14155552671")
        #expect(configuration.messagingServiceSID == nil)
        #expect(configuration.apiURL == "http://127.0.0.1:9999")
        #expect(configuration.statusCallbackURL == "https://herald.example/webhooks/twilio/status")

        let service = try Settings(
            ["TWILIO_ACCOUNT_SID": "AC1", "TWILIO_AUTH_TOKEN": "tok", "TWILIO_MESSAGING_SERVICE_SID": "MG1"]).twilio(sandbox: false)
        #expect(service.sender == .messagingService(sid: "MG1"))
        #expect(service.apiURL == "https://api.twilio.com")
        #expect(service.statusCallbackURL == nil)
    }

    @Test("Twilio: every missing credential is named in one error")
    func twilioMissingCredentials() {
        let error = self.error { _ = try Settings([:]).twilio(sandbox: false) }
        #expect(error?.variables == ["TWILIO_ACCOUNT_SID", "TWILIO_AUTH_TOKEN", "TWILIO_FROM"])
        let message = error?.message ?? ""
        #expect(message.contains("TWILIO_ACCOUNT_SID is not set"))
        #expect(message.contains("TWILIO_AUTH_TOKEN is not set"))
        #expect(message.contains("neither TWILIO_FROM nor TWILIO_MESSAGING_SERVICE_SID is set"))
        #expect(message.contains("--sandbox"))
    }

    @Test("Twilio: exactly one sender; a bad From, SID or public URL is named without its value")
    func twilioInvalid() {
        let base = ["TWILIO_ACCOUNT_SID": "AC1", "TWILIO_AUTH_TOKEN": "tok"]
        let both = self.error {
            _ = try Settings(base.merging(["TWILIO_FROM": "+14155552671", "TWILIO_MESSAGING_SERVICE_SID": "MG1"]) { $1 }).twilio(sandbox: false)
        }
        #expect(both?.message.contains("both TWILIO_FROM and TWILIO_MESSAGING_SERVICE_SID are set") == true)
        let badFrom = self.error {
            _ = try Settings(base.merging(["TWILIO_FROM": "+0123"]) { $1 }).twilio(sandbox: false)
        }
        #expect(badFrom?.message.contains("TWILIO_FROM must be an E.164 number") == true)
        let badSID = self.error {
            _ = try Settings(["TWILIO_ACCOUNT_SID": "AC1/../x", "TWILIO_AUTH_TOKEN": "t", "TWILIO_FROM": "Herald"]).twilio(sandbox: false)
        }
        #expect(badSID?.message.contains("TWILIO_ACCOUNT_SID must contain only") == true)
        #expect(badSID?.message.contains("AC1/../x") == false)
        let badPublic = self.error {
            _ = try Settings(base.merging(["TWILIO_FROM": "Herald", "HERALD_PUBLIC_URL": "herald.example"]) { $1 }).twilio(sandbox: false)
        }
        #expect(badPublic?.message.contains("HERALD_PUBLIC_URL") == true)
    }

    @Test("Twilio: sandbox mode uses the sandbox's credentials and a default sender")
    func twilioSandbox() throws {
        let defaults = SandboxProviders.Configuration()
        let configuration = try Settings(["TWILIO_AUTH_TOKEN": "real"]).twilio(sandbox: true)
        #expect(configuration.accountSID == defaults.twilioAccountSID)
        #expect(configuration.authToken == defaults.twilioAuthToken)
        #expect(configuration.sender == .from(TwilioConfiguration.sandboxFrom))
        let service = try Settings(["TWILIO_MESSAGING_SERVICE_SID": "MG9"]).twilio(sandbox: true)
        #expect(service.sender == .messagingService(sid: "MG9"))
    }

    @Test("Twilio: descriptions, debug descriptions and dumps redact the auth token")
    func twilioRedaction() {
        let configuration = TwilioConfiguration(accountSID: "AC1", authToken: "tw-secret-456", sender: .from("+15005550006"))
        for text in logRenderings(configuration) {
            #expect(!text.contains("tw-secret-456"))
            #expect(text.contains("***"))
        }
    }
}
