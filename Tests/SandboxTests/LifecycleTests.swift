import Curl
import Foundation
import Sandbox
import ServiceLifecycle
import Testing

@Suite("Sandbox lifecycle")
struct LifecycleTests {
    @Test func runsAsAServiceAndStopsOnGracefulShutdown() async throws {
        let sandbox = SandboxProviders(configuration: .init(logger: quietLogger))
        #expect(sandbox.port == nil)
        let group = ServiceGroup(configuration: .init(services: [sandbox], gracefulShutdownSignals: [], logger: quietLogger))
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            let port = await sandbox.waitUntilRunning()
            #expect(port > 0)
            #expect(sandbox.port == port)
            #expect(await sandbox.postmarkURL == "http://127.0.0.1:\(port)")
            #expect(await sandbox.twilioMessagesURL
                == "http://127.0.0.1:\(port)/2010-04-01/Accounts/\(sandbox.configuration.twilioAccountSID)/Messages.json")
            let health = try await testClient.execute(HTTPRequest(url: "http://127.0.0.1:\(port)/_sandbox/health"))
            #expect(health.status == 200)
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
        }
        #expect(sandbox.port == nil)
        #expect(await sandbox.waitUntilRunning() == 0)
    }

    @Test func aTakenPortFailsToStart() async throws {
        try await withSandbox { first in
            let port = await first.waitUntilRunning()
            await #expect(throws: (any Error).self) {
                try await withSandbox(.init(port: port)) { _ in Issue.record("second sandbox should not start") }
            }
        }
    }

    @Test func statsEndpointReportsCounters() async throws {
        try await withSandbox { sandbox in
            _ = try await postmark(sandbox, path: "/email", json: message())
            _ = try await twilio(sandbox, form: [("To", "+14155550100"), ("From", "+14155550199"), ("Body", "x")])
            let stats = try await testClient.execute(HTTPRequest(url: await sandbox.postmarkURL + "/_sandbox/stats"))
            let json = try object(stats)
            #expect(json["emailRequests"] as? Int == 1)
            #expect(json["emailsAccepted"] as? Int == 1)
            #expect(json["smsAccepted"] as? Int == 1)
            #expect(sandbox.counters() == SandboxCounters(emailRequests: 1, smsRequests: 1, emailsAccepted: 1, smsAccepted: 1))
        }
    }
}
