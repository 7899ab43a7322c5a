extension PostgresPool {
    /// True when the database answers `SELECT 1` within `timeout` (a checkout and a round trip).
    /// Never throws: an unreachable, refusing or slow server is simply not healthy. The query is
    /// cancelled when the time is up, so a hung server does not hold the caller.
    public func isReachable(within timeout: Duration) async -> Bool {
        await withTaskGroup(of: Bool.self) { group in
            group.addTask { (try? await self.query("SELECT 1")) != nil }
            group.addTask {
                try? await Task.sleep(for: timeout)
                return false
            }
            defer { group.cancelAll() }
            return await group.next() ?? false
        }
    }
}
