import Foundation
import Mail
import Postgres
import Server
import Testing

/// `ServerConfiguration` and `PostgresConfiguration` print, debug-print and `dump` without secrets.
@Suite("Server and database configurations print no secret")
struct ServerConfigurationRedactionTests {
    static func renderings(_ value: Any) -> [String] {
        var dumped = ""
        dump(value, to: &dumped)
        return ["\(value)", String(reflecting: value), dumped]
    }

    @Test("every secret of herald serve's configuration is masked")
    func serverConfiguration() throws {
        let configuration = try ServerConfiguration.fromEnvironment([
            "HERALD_SECRET": "signing-secret-0123456789abcdef0123456789",
            "HERALD_PUBLIC_URL": "https://u:public-url-secret@herald.example.com",
            "HERALD_POSTMARK_WEBHOOK_USER": "postmark", "HERALD_POSTMARK_WEBHOOK_PASSWORD": "webhook-secret",
            "TWILIO_AUTH_TOKEN": "twilio-secret",
            "HERALD_ADMIN_USER": "admin", "HERALD_ADMIN_PASSWORD": "admin-secret",
            "HERALD_ADMIN_READONLY_USER": "viewer", "HERALD_ADMIN_READONLY_PASSWORD": "viewer-secret",
        ], sandbox: false)
        for text in Self.renderings(configuration) {
            for secret in ["signing-secret", "public-url-secret", "webhook-secret", "twilio-secret", "admin-secret", "viewer-secret"] {
                #expect(!text.contains(secret), "\(secret) in \(text)")
            }
        }
        let text = "\(configuration)"
        #expect(text.contains("user: admin") && text.contains("user: viewer") && text.contains("twilioAuthToken: ***"), "\(text)")
    }

    @Test("a database password is masked in every URL and conninfo shape", arguments: [
        "postgres://herald:db-secret@db.example.com:5432/herald?sslmode=require",
        "postgresql://herald:db-secret@db1.example.com:5432,db2.example.com:5432/herald",
        "postgres://herald@db.example.com/herald?password=db-secret&sslmode=require",
        "host=db.example.com dbname=herald user=herald password=db-secret",
        "host=db.example.com password = 'db-secret with space' dbname=herald",
    ])
    func databasePassword(connectionString: String) {
        let configuration = PostgresConfiguration(connectionString: connectionString)
        #expect(!"\(configuration)".contains("db-secret"), "\(configuration)")
        #expect(!String(reflecting: configuration).contains("db-secret"))
        #expect("\(configuration)".contains("db.example.com") || "\(configuration)".contains("db1.example.com"))
    }
}
