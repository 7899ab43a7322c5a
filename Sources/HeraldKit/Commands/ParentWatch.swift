#if canImport(Glibc)
import Glibc
#endif
import ServiceLifecycle

/// A service that returns once process `parent` is no longer this process's parent (it exited and
/// this process was re-parented), so a helper started by another herald command (the sandbox of
/// `herald bench delivery`) does not outlive it, whatever ended the parent: an error, a signal
/// that only reached the parent, or SIGKILL. Run it with `successTerminationBehavior:
/// .gracefullyShutdownGroup`; during a graceful shutdown of its group it simply ends.
struct ParentWatch: Service {
    let parent: pid_t

    func run() async {
        // getppid() is one cheap system call; ten a second is nothing next to a server.
        while !Task.isShuttingDownGracefully && !Task.isCancelled && getppid() == parent {
            try? await Task.sleep(for: .milliseconds(100))
        }
    }
}
