public import ArgumentParser

/// The `herald` command line: one binary, one subcommand per role.
public struct HeraldCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "herald",
        abstract: "Herald: the notification and email delivery engine of NexusRMS.",
        discussion: """
            Configuration comes from environment variables (see README.md); flags override them.
            The database is HERALD_DATABASE_URL (or DATABASE_URL).
            """,
        subcommands: [
            MigrateCommand.self,
            TempDBCommand.self,
            WorkCommand.self,
            EnqueueCommand.self,
            JobsCommand.self,
            BenchCommand.self,
            SandboxCommand.self,
            ServeCommand.self,
            RunCommand.self,
            StatsCommand.self,
            InboundCommand.self,
            DemoCommand.self,
        ]
    )

    public init() {}
}

/// The process entry point, so the executable target needs no import but HeraldKit.
public enum HeraldMain {
    public static func run() async { await HeraldCommand.main() }
}
