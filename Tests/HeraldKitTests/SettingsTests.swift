import ArgumentParser
import Discussions
import Curl
import Foundation
@testable import HeraldKit
import HeraldTestSupport
import Mail
import Notifications
import Postgres
import Providers
import Queue
import Server
import Testing

/// The one configuration layer: every variable read once, blank is unset, invalid values name
/// their variable, secrets never printed.
@Suite("Settings")
struct SettingsTests {

    /// A production-shaped environment: every required variable set.
    static let complete: [String: String] = [
        "HERALD_DATABASE_URL": "postgres://herald@db/herald", "HERALD_SECRET": String(repeating: "k", count: 40),
        "HERALD_POSTMARK_WEBHOOK_USER": "u", "HERALD_POSTMARK_WEBHOOK_PASSWORD": "p", "POSTMARK_SERVER_TOKEN": "tok",
    ]

    @Test("a blank value is unset, for every kind of variable across the former modules")
    func blankIsUnset() throws {
        let blanks = [
            "HERALD_PUBLIC_URL": "", "POSTMARK_API_URL": "  ", "POSTMARK_MESSAGE_STREAM": "\t", "HERALD_LOG_LEVEL": "",
            "HERALD_HTTP_PORT": " ", "HERALD_HTTP_MAX_BODY": "", "HERALD_DB_KEEPALIVES_COUNT": "", "HERALD_DB_POOL_SIZE": " ",
            "HERALD_CLAIM_BATCH": "", "HERALD_STATEMENT_TIMEOUT_SECONDS": " ", "HERALD_FROM_EMAIL": " ", "HERALD_FROM_NAME": "",
            "HERALD_MESSAGE_ID_DOMAIN": "", "HERALD_INLINE_FIRST_EMAIL": " ", "HERALD_HTTP_CLIENTS": "", "HERALD_SANDBOX": "",
            "HERALD_DATABASE_POOLER": " ", "HERALD_DIRECT_DATABASE_URL": " ", "TWILIO_FROM": " ", "HERALD_TRUSTED_PROXIES": "",
        ]
        let settings = Settings(Self.complete.merging(blanks) { $1 })
        for name in blanks.keys { #expect(settings.string(name) == nil, "\(name)") }
        #expect(!settings.anyTwilio)
        #expect(try settings.sandbox() == false)

        let postmark = try settings.postmark(sandbox: false)
        #expect(postmark.apiURL == PostmarkConfiguration.defaultAPIURL)
        #expect(postmark.messageStream == "outbound")
        #expect(try Settings(["POSTMARK_SERVER_TOKEN": "  "]).postmark(sandbox: true).serverToken == PostmarkConfiguration.sandboxServerToken)
        #expect(throws: SettingsError.self) { try Settings(["POSTMARK_SERVER_TOKEN": "  "]).postmark(sandbox: false) }

        let server = try settings.server(sandbox: false)
        #expect(server.port == 8080)
        #expect(server.publicURL == "http://127.0.0.1:8080")
        #expect(server.maximumBodySize == 1 << 20)

        let discussion = try settings.discussion(sandbox: false)
        #expect(discussion.publicURL == "http://127.0.0.1:8080")
        #expect(discussion.messageIDDomain == "herald.localhost")
        let delivery = try settings.delivery()
        #expect(delivery.defaultFromName == "Herald")
        #expect(delivery.inlineFirstEmailAttempt)
        #expect(try settings.httpClientCount() == 4)

        let global = try GlobalOptions.parse([])
        let database = try global.databaseConfiguration(settings: settings)
        #expect(database.keepaliveCount == 3)
        #expect(database.pooler == .none)
        #expect(try global.databaseEndpoints(needsSession: true, settings: settings).direct == nil)
        _ = try global.makeLogger("herald.test", settings: settings)

        let worker = try WorkerOptions.parse([])
        let configuration = try worker.configuration(settings: settings)
        #expect(configuration.claimBatchSize == 500)
        #expect(try worker.poolSize(for: configuration, settings: settings) == configuration.queues.count + 4)
        #expect(try worker.statementTimeout(settings: settings) == nil)
    }

    @Test("an invalid value is an error naming the variable", arguments: [
        ("HERALD_HTTP_PORT", "80000"), ("HERALD_HTTP_MAX_BODY", "-1"), ("HERALD_HTTP_REQUEST_TIMEOUT", "soon"),
        ("HERALD_DB_KEEPALIVES_IDLE", "-1"), ("HERALD_CLAIM_BATCH", "many"), ("HERALD_DB_POOL_SIZE", "0"),
        ("HERALD_HTTP_CLIENTS", "four"), ("HERALD_INLINE_FIRST_EMAIL", "maybe"), ("HERALD_SANDBOX", "perhaps"),
        ("HERALD_DATABASE_POOLER", "statement"), ("HERALD_LOG_LEVEL", "loud"), ("POSTMARK_API_URL", "ftp://x"),
        ("HERALD_STATEMENT_TIMEOUT_SECONDS", "soon"), ("HERALD_HTTP_MAX_RESPONSE_BYTES", "0"),
        ("HERALD_TRUSTED_PROXIES", "10.0.0.0/8, proxy.example"), ("HERALD_TRUSTED_PROXIES", "10.0.0.0/33"),
    ])
    func invalidValueNamesTheVariable(name: String, value: String) throws {
        let settings = Settings(Self.complete.merging([name: value]) { $1 })
        let global = try GlobalOptions.parse([])
        let worker = try WorkerOptions.parse([])
        let reads: [() throws -> Void] = [
            { _ = try settings.server(sandbox: false) }, { _ = try settings.postmark(sandbox: false) },
            { _ = try settings.delivery() }, { _ = try settings.httpClientCount() }, { _ = try settings.curl() },
            { _ = try settings.sandbox() }, { _ = try global.databaseConfiguration(settings: settings) },
            { _ = try global.makeLogger("herald.test", settings: settings) },
            { let configuration = try worker.configuration(settings: settings); _ = try worker.poolSize(for: configuration, settings: settings) },
            { _ = try worker.statementTimeout(settings: settings) },
        ]
        var messages: [String] = []
        for read in reads {
            do { try read() } catch { messages.append("\(error)") }
        }
        #expect(!messages.isEmpty, "\(name)=\(value) was accepted")
        #expect(messages.allSatisfy { $0.contains(name) }, "\(messages)")
    }

    @Test("flags override variables; the variable overrides the default")
    func flagsOverrideVariables() throws {
        let settings = Settings(Self.complete.merging(["HERALD_CLAIM_BATCH": "20", "HERALD_LOG_LEVEL": "loud", "HERALD_HTTP_PORT": "9000"]) { $1 })
        #expect(try WorkerOptions.parse([]).configuration(settings: settings).claimBatchSize == 20)
        #expect(try WorkerOptions.parse(["--claim-batch", "7"]).configuration(settings: settings).claimBatchSize == 7)
        _ = try GlobalOptions.parse(["--log-level", "debug"]).makeLogger("herald.test", settings: settings)
        let http = try HTTPOptions.parse(["--port", "9100"])
        #expect(try http.serverConfiguration(settings: http.settings(settings)).port == 9100)
        #expect(try settings.server(sandbox: false).port == 9000)
    }

    @Test("one default sender for notifications and discussions, and one HERALD_FROM_EMAIL for both")
    func oneDefaultSender() throws {
        let defaults = Settings(Self.complete)
        #expect(try defaults.delivery().defaultFromEmail == "notifications@herald.localhost")
        #expect(try defaults.discussion(sandbox: false).defaultFrom == "notifications@herald.localhost")
        #expect(NotificationDeliveryConfiguration().defaultFromEmail == DiscussionSettings(signingKey: try defaults.signingKey(sandbox: false)).defaultFrom)
        let set = Settings(Self.complete.merging(["HERALD_FROM_EMAIL": " news@example.com "]) { $1 })
        #expect(try set.delivery().defaultFromEmail == "news@example.com")
        #expect(try set.discussion(sandbox: false).defaultFrom == "news@example.com")
    }

    @Test("sandbox mode: one random secret shared by the HTTP side and the workers")
    func sandboxSecret() throws {
        let settings = Settings([:]).withSandboxSecret()
        #expect(settings.isSet("HERALD_SECRET"))
        #expect(settings.string("HERALD_SECRET")?.count == 64)
        _ = try settings.signingKey(sandbox: false)  // the generated secret is a valid key
        #expect(Settings(["HERALD_SECRET": "x"]).withSandboxSecret().string("HERALD_SECRET") == "x")
    }

    @Test func databaseURL() throws {
        let settings = Settings(["DATABASE_URL": "postgres://u:hunter2@db:5432/app?sslmode=require"])
        let global = try GlobalOptions.parse([])
        let config = try global.databaseConfiguration(settings: settings)
        #expect(config.connectionString == "postgres://u:hunter2@db:5432/app?sslmode=require")
        #expect(!"\(config)".contains("hunter2"))
        let preferred = Settings(["DATABASE_URL": "postgres://a@x/one", "HERALD_DATABASE_URL": "postgres://b@y/two"])
        #expect(preferred.databaseURL == "postgres://b@y/two")
        #expect(Settings([:]).databaseURL == nil)
        #expect(Settings(["HERALD_DATABASE_URL": " ", "DATABASE_URL": "postgres://a@x/one"]).databaseURL == "postgres://a@x/one")
        #expect(throws: (any Error).self) { try global.databaseConfiguration(settings: Settings([:])) }
        let flag = try GlobalOptions.parse(["--database-url", "postgres://c@z/three"])
        #expect(try flag.databaseConfiguration(settings: preferred).connectionString == "postgres://c@z/three")
    }

    @Test func theSettingsTuneTheKeepalivesAndRejectBadValues() throws {
        let configuration = try Settings([
            "HERALD_DB_KEEPALIVES_IDLE": "30", "HERALD_DB_KEEPALIVES_INTERVAL": " 7 ", "HERALD_DB_KEEPALIVES_COUNT": "",
            "HERALD_DB_TCP_USER_TIMEOUT_MS": "0",
        ]).postgres(connectionString: "postgres://db/app")
        #expect(configuration.keepaliveIdleSeconds == 30)
        #expect(configuration.keepaliveIntervalSeconds == 7)
        #expect(configuration.keepaliveCount == 3)  // blank: the default
        #expect(configuration.tcpUserTimeoutMilliseconds == 0)
        for bad in ["-1", "2.5", "ten"] {
            let error = #expect(throws: SettingsError.self) {
                try Settings(["HERALD_DB_KEEPALIVES_COUNT": bad]).postgres(connectionString: "postgres://db/app")
            }
            #expect(error?.variables == ["HERALD_DB_KEEPALIVES_COUNT"])
            #expect(error?.message == "HERALD_DB_KEEPALIVES_COUNT=\(bad) is not a non-negative whole number")
        }
    }

    @Test("Postmark and Twilio configurations hide their tokens and URL passwords")
    func providerConfigurations() throws {
        let postmark = try Settings(
            ["POSTMARK_SERVER_TOKEN": "pm-secret-token", "POSTMARK_API_URL": "https://u:pm-url-secret@api.example.com"]).postmark(sandbox: false)
        let twilio = try Settings([
            "TWILIO_ACCOUNT_SID": "AC0123456789abcdef0123456789abcdef", "TWILIO_AUTH_TOKEN": "tw-secret-token",
            "TWILIO_FROM": "+15005550006", "TWILIO_API_URL": "https://u:tw-url-secret@api.example.com",
        ]).twilio(sandbox: false)
        for text in logRenderings(postmark) + logRenderings(twilio) {
            for secret in ["pm-secret-token", "pm-url-secret", "tw-secret-token", "tw-url-secret"] {
                #expect(!text.contains(secret), "\(text)")
            }
        }
        #expect("\(postmark)".contains("https://u:***@api.example.com"))
    }

    @Test("the settings keep only Herald's variables and print none of their values")
    func settingsPrintNoValues() {
        let settings = Settings(["POSTMARK_SERVER_TOKEN": " pm-secret-token ", "UNRELATED_SECRET": "other-secret"])
        #expect(settings.string("POSTMARK_SERVER_TOKEN") == "pm-secret-token")
        #expect(settings.string("UNRELATED_SECRET") == nil, "only Herald's variables are kept")
        for text in logRenderings(settings) {
            #expect(!text.contains("pm-secret-token") && !text.contains("other-secret"), "\(text)")
            #expect(!text.contains("UNRELATED_SECRET"), "only Herald's variables are kept")
        }
        #expect("\(settings)".contains("POSTMARK_SERVER_TOKEN"))
    }

    @Test("the signing key and the discussion settings print no key material")
    func signingKey() throws {
        let settings = try Settings(
            ["HERALD_SECRET": "signing-secret-0123456789abcdef0123456789", "HERALD_PUBLIC_URL": "https://u:public-url-secret@herald.example.com"]).discussion(sandbox: false)
        for text in logRenderings(settings) + logRenderings(settings.signingKey) {
            #expect(!text.contains("signing-secret") && !text.contains("public-url-secret"), "\(text)")
        }
        var dumped = ""
        dump(settings.signingKey, to: &dumped)
        #expect(!dumped.contains("KeyBytes"), "no derived key bytes in the mirror: \(dumped)")
    }

    @Test("every secret of herald serve's configuration is masked")
    func serverConfiguration() throws {
        let configuration = try Settings([
            "HERALD_SECRET": "signing-secret-0123456789abcdef0123456789",
            "HERALD_PUBLIC_URL": "https://u:public-url-secret@herald.example.com",
            "HERALD_POSTMARK_WEBHOOK_USER": "postmark", "HERALD_POSTMARK_WEBHOOK_PASSWORD": "webhook-secret",
            "TWILIO_AUTH_TOKEN": "twilio-secret",
            "HERALD_ADMIN_USER": "admin", "HERALD_ADMIN_PASSWORD": "admin-secret",
            "HERALD_ADMIN_READONLY_USER": "viewer", "HERALD_ADMIN_READONLY_PASSWORD": "viewer-secret",
        ]).server(sandbox: false)
        for text in logRenderings(configuration) {
            for secret in ["signing-secret", "public-url-secret", "webhook-secret", "twilio-secret", "admin-secret", "viewer-secret"] {
                #expect(!text.contains(secret), "\(secret) in \(text)")
            }
        }
        let text = "\(configuration)"
        #expect(text.contains("username: admin") && text.contains("username: viewer") && text.contains("twilioAuthToken: ***"), "\(text)")
    }
}

@Suite("Server configuration from the settings")
struct ServerConfigurationTests {
    @Test func refusesToStartWithoutASecretOutsideSandbox() {
        #expect(throws: SettingsError.self) {
            try Settings(["HERALD_POSTMARK_WEBHOOK_USER": "u", "HERALD_POSTMARK_WEBHOOK_PASSWORD": "p"]).server(sandbox: false)
        }
        do {
            _ = try Settings(["HERALD_SECRET": "short"]).server(sandbox: false)
            Issue.record("accepted a short secret")
        } catch {
            #expect(error.variables.contains("HERALD_SECRET"))
            #expect(!error.message.contains("short"))
        }
    }

    @Test func sandboxHasDefaultsAndDocumentedDefaultsApply() throws {
        let sandbox = try Settings([:]).server(sandbox: true)
        #expect(sandbox.host == "127.0.0.1")
        #expect(sandbox.port == 8080)
        #expect(sandbox.publicURL == "http://127.0.0.1:8080")
        #expect(sandbox.postmarkWebhook?.username == ServerConfiguration.sandboxWebhookUser)
        #expect(sandbox.maximumBodySize == 1 << 20)
        let production = try Settings([
            "HERALD_SECRET": String(repeating: "k", count: 40), "HERALD_POSTMARK_WEBHOOK_USER": "u", "HERALD_POSTMARK_WEBHOOK_PASSWORD": "p",
            "HERALD_HTTP_PORT": "9000", "HERALD_PUBLIC_URL": "https://t.example.com/", "HERALD_TRUSTED_PROXIES": "10.0.0.0/8",
        ]).server(sandbox: false)
        #expect(production.port == 9000)
        #expect(production.publicURL == "https://t.example.com")
        #expect(production.trustedProxies.contains("10.9.9.9"))
        #expect(production.twilioAuthToken == nil)
    }
}
