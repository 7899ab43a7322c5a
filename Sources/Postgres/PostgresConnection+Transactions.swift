import Logging

extension PostgresConnection {
    /// Runs `body` inside `BEGIN … COMMIT`. If `body` throws, the transaction is rolled back and
    /// the error rethrown; nothing it wrote remains.
    ///
    /// `COMMIT` and `ROLLBACK` run to completion even when the task is cancelled. If the
    /// `ROLLBACK` itself fails, the connection is closed (a pool then discards it) and the failure
    /// logged with both errors; the body's error is the one thrown.
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
            await rollBack(after: error)
            throw error
        }
        do {
            try await executeToCompletion("COMMIT")
        } catch {
            await rollBack(after: error)
            throw error
        }
        return value
    }

    /// Rolls back after `cause`. A connection whose ROLLBACK failed is in an unknown state and
    /// must not run anything else, so it is closed.
    private func rollBack(after cause: any Error) async {
        guard !isBroken else { return }
        do {
            try await executeToCompletion("ROLLBACK")
        } catch {
            logger.info("ROLLBACK failed; closing the connection", metadata: ["error": "\(error)", "cause": "\(cause)"])
            await close()
        }
    }
}
