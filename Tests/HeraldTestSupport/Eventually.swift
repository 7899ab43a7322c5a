#if canImport(Glibc)
import Glibc
#endif

/// How much slower than a quiet machine this one is now: the 1-minute load average per core,
/// at least 1 and at most 10. Waits multiply their timeout by it, so a suite that passes on a
/// quiet machine also passes beside four busy loops, without making the quiet case slower
/// (waits end as soon as their condition holds).
public var testLoadFactor: Double {
    var loads = [Double](repeating: 0, count: 3)
    guard getloadavg(&loads, 3) >= 1 else { return 1 }
    let cores = Double(max(1, sysconf(Int32(_SC_NPROCESSORS_ONLN))))
    return min(10, max(1, loads[0] / cores))
}

/// Polls `condition` every 20 ms until it holds or `timeout` (scaled by `testLoadFactor`) passes;
/// returns whether it held. A throwing check counts as "not yet".
public func eventually(timeout: Duration = .seconds(20), _ condition: () async throws -> Bool) async -> Bool {
    let deadline = ContinuousClock.now + timeout * testLoadFactor
    while ContinuousClock.now < deadline {
        if (try? await condition()) == true { return true }
        try? await Task.sleep(for: .milliseconds(20))
    }
    return (try? await condition()) == true
}
