extension PostgresConnection {
    /// Runs `body` inside `BEGIN … COMMIT`. If `body` throws, the transaction is rolled back and
    /// the error rethrown; nothing it wrote remains. `COMMIT` and `ROLLBACK` run to completion
    /// even when the task is cancelled.
    public func transaction<T: Sendable>(
        isolation: String? = nil, _ body: (PostgresConnection) async throws -> T
    ) async throws -> T {
        switch isolation {
        case "SERIALIZABLE": try await execute("BEGIN ISOLATION LEVEL SERIALIZABLE")
        case "REPEATABLE READ": try await execute("BEGIN ISOLATION LEVEL REPEATABLE READ")
        default: try await execute("BEGIN")
        }
        let value: T
        do {
            value = try await body(self)
        } catch {
            if !isBroken { try? await executeToCompletion("ROLLBACK") }
            throw error
        }
        do {
            try await executeToCompletion("COMMIT")
        } catch {
            if !isBroken { try? await executeToCompletion("ROLLBACK") }
            throw error
        }
        return value
    }
}
