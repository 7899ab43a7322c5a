import ArgumentParser
import Foundation
import Logging
import Sandbox
import ServiceLifecycle
import UnixSignals

/// `herald sandbox`: the loopback Postmark + Twilio sandbox on its own.
struct SandboxCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sandbox",
        abstract: "Run the sandbox Postmark and Twilio APIs on loopback (for the demo and manual tests).",
        discussion: """
            Point Herald at it with POSTMARK_API_URL and TWILIO_API_URL (printed at start) and the sandbox
            credentials, or run `herald work --sandbox`, which starts its own.
            """)

    @OptionGroup var global: GlobalOptions

    @Option(name: .long, help: "Address to bind (default 127.0.0.1).") var host = "127.0.0.1"
    @Option(name: .long, help: "Port (default 0: any free port).") var port = 0
    @Option(name: .long, help: "Delay before every API response, in milliseconds.") var delayMs = 0
    @Flag(name: .long, inversion: .prefixedNo, help: "Keep accepted emails and SMS in memory (off: only the counters, for benchmarks).")
    var record = true
    @Option(name: .long, help: "Stop when process PID is no longer this process's parent (for a sandbox started by another command).")
    var parentPid: Int32?

    func run() async throws {
        let logger = try global.makeLogger("herald.sandbox")
        let sandbox = SandboxProviders(configuration: .init(
            host: host, port: port, responseDelay: .milliseconds(delayMs), recordMessages: record, logger: logger))
        var services: [ServiceGroupConfiguration.ServiceConfiguration] = [.init(service: sandbox)]
        if let parentPid {
            services.append(.init(service: ParentWatch(parent: parentPid), successTerminationBehavior: .gracefullyShutdownGroup))
        }
        let group = ServiceGroup(configuration: .init(
            services: services, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            let running = await sandbox.waitUntilRunning()
            if running != 0 {
                let url = await sandbox.postmarkURL
                FileHandle.standardOutput.write(Data("""
                    sandbox listening on \(url)
                      POSTMARK_API_URL=\(url)
                      POSTMARK_SERVER_TOKEN=\(sandbox.configuration.postmarkServerToken)
                      TWILIO_API_URL=\(url)
                      TWILIO_ACCOUNT_SID=\(sandbox.configuration.twilioAccountSID)
                      TWILIO_AUTH_TOKEN=\(sandbox.configuration.twilioAuthToken)
                      TWILIO_FROM=+15005550006
                    Ctrl-C to stop.

                    """.utf8))
            }
            try await tasks.waitForAll()
        }
    }
}
