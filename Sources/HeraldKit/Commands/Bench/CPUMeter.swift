import Foundation

/// CPU time (user + system) spent by this process and, when the benchmark started its own
/// PostgreSQL, by that server's processes — read from `getrusage` and `/proc/<pid>/stat`.
/// `RUSAGE_SELF` leaves out child processes, such as the sandbox of `herald bench delivery`.
///
/// On a shared machine wall-clock throughput moves with whatever else runs; CPU seconds per
/// item move much less, so benchmarks print both.
struct CPUMeter {
    /// The throwaway cluster's data directory (its `postmaster.pid` names the server), if any.
    let postgresDataDirectory: String?

    struct Reading {
        var herald: Double
        var postgres: Double?
    }

    func read() -> Reading {
        var usage = rusage()
        getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage)
        let herald = Double(usage.ru_utime.tv_sec) + Double(usage.ru_utime.tv_usec) / 1e6
            + Double(usage.ru_stime.tv_sec) + Double(usage.ru_stime.tv_usec) / 1e6
        return Reading(herald: herald, postgres: postgresSeconds())
    }

    /// The postmaster and its children (backends, WAL writer, checkpointer …). A backend that
    /// exited during the run is not counted; the benchmark's pool keeps its connections open.
    private func postgresSeconds() -> Double? {
        guard let directory = postgresDataDirectory,
              let pidFile = try? String(contentsOfFile: directory + "/postmaster.pid", encoding: .utf8),
              let postmaster = pidFile.split(separator: "\n").first.flatMap({ Int($0) }),
              let entries = try? FileManager.default.contentsOfDirectory(atPath: "/proc")
        else { return nil }
        let ticks = Double(sysconf(Int32(_SC_CLK_TCK)))
        var total = 0.0
        for entry in entries {
            guard let pid = Int(entry), let stat = Self.stat(pid) else { continue }
            if pid == postmaster || stat.parent == postmaster { total += stat.cpuTicks / ticks }
        }
        return total
    }

    /// CPU seconds (user + system) of process `pid` so far; nil when it is gone.
    static func cpuSeconds(of pid: Int) -> Double? {
        stat(pid).map { $0.cpuTicks / Double(sysconf(Int32(_SC_CLK_TCK))) }
    }

    /// Parent pid and utime + stime of `/proc/<pid>/stat` (fields 4, 14 and 15; the command name
    /// in field 2 may hold spaces, so fields are counted after its closing parenthesis).
    private static func stat(_ pid: Int) -> (parent: Int, cpuTicks: Double)? {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let close = text.lastIndex(of: ")")
        else { return nil }
        let fields = text[text.index(after: close)...].split(separator: " ")
        guard fields.count > 13, let parent = Int(fields[1]), let user = Double(fields[11]), let system = Double(fields[12]) else { return nil }
        return (parent, user + system)
    }
}
