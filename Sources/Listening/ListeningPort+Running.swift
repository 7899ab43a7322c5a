public import Logging
public import ServiceLifecycle

extension ListeningPort {
    /// Runs `service`, which announces its port here, in a child task (a `ServiceGroup` of its own
    /// that handles no signals), waits until it listens, runs `body`, then shuts the service down
    /// gracefully, whether `body` returns or throws, and waits for it to stop.
    ///
    /// When the service stops before it could listen (a taken port …), rethrows the error its `run()`
    /// ended with, or throws `notRunning()` when it ended without one.
    public func withRunning<T>(
        _ service: some Service, logger: Logger, notRunning: () -> any Error,
        isolation: isolated (any Actor)? = #isolation,
        _ body: () async throws -> T
    ) async throws -> T {
        let group = ServiceGroup(configuration: .init(services: [service], gracefulShutdownSignals: [], logger: logger))
        return try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            if await waitUntilRunning() == 0 {
                try await tasks.waitForAll()
                throw notRunning()
            }
            let result: Result<T, any Error>
            do {
                result = .success(try await body())
            } catch {
                result = .failure(error)
            }
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
            return try result.get()
        }
    }
}
