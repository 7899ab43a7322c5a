import Foundation
import HeraldTestSupport
import Mail
import Postgres
import Server
import Testing

/// `ServerConfiguration` and `PostgresConfiguration` print, debug-print and `dump` without secrets.
@Suite("Server and database configurations print no secret")
struct ServerConfigurationRedactionTests {

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
