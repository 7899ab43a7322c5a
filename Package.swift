// swift-tools-version:6.2
import PackageDescription

// One settings array for every Swift target (see ../shared/STYLE.md §1).
let swiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
    .enableUpcomingFeature("InternalImportsByDefault"),
]

let package = Package(
    name: "herald",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "herald", targets: ["herald"]),
        .library(name: "Postgres", targets: ["Postgres"]),
        .library(name: "Curl", targets: ["Curl"]),
        .library(name: "DevTools", targets: ["DevTools"]),
        .library(name: "Queue", targets: ["Queue"]),
        .library(name: "HeraldJSON", targets: ["HeraldJSON"]),
        .library(name: "Mail", targets: ["Mail"]),
        .library(name: "Providers", targets: ["Providers"]),
        .library(name: "Notifications", targets: ["Notifications"]),
        .library(name: "Discussions", targets: ["Discussions"]),
        .library(name: "Server", targets: ["Server"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "3.12.3"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/hummingbird-project/hummingbird-auth.git", from: "2.5.0"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache.git", from: "2.1.1"),
    ],
    targets: [
        // C boundary: module maps and shims only.
        .systemLibrary(
            name: "CLibPQ",
            pkgConfig: "libpq",
            providers: [.apt(["libpq-dev"])]
        ),
        .systemLibrary(
            name: "CCurl",
            pkgConfig: "libcurl",
            providers: [.apt(["libcurl4-openssl-dev"])]
        ),

        // Thin wrappers over the C libraries.
        .target(
            name: "Postgres",
            dependencies: [
                "CLibPQ",
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "Curl",
            dependencies: ["CCurl"],
            swiftSettings: swiftSettings
        ),

        // Development tooling, kept out of the production libraries: throwaway PostgreSQL clusters
        // (initdb, pg_ctl) and child processes, for `herald tempdb`, `herald demo`, benchmarks and tests.
        .target(
            name: "DevTools",
            dependencies: ["Postgres"],
            swiftSettings: swiftSettings
        ),

        // Strict JSON parsing and writing for the hot provider paths (standard library only).
        .target(
            name: "HeraldJSON",
            swiftSettings: swiftSettings
        ),

        // The generic PostgreSQL job queue.
        .target(
            name: "Queue",
            dependencies: [
                "Postgres",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),

        // The domain, in four layers; each depends only on the ones above it.
        // Mail primitives: addresses, headers, Message-ID, escaping, signature, composition, signed
        // tokens, reading replies. No database, no network.
        .target(
            name: "Mail",
            dependencies: [
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: swiftSettings
        ),
        // Provider clients: Postmark and Twilio wire types and their HTTP clients. No database, no queue.
        .target(
            name: "Providers",
            dependencies: [
                "Mail", "Curl", "HeraldJSON",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        // Notifications: routing, preferences, digests, templates, suppression, sending.
        .target(
            name: "Notifications",
            dependencies: [
                "Mail", "Providers", "Postgres", "Queue", "HeraldJSON",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Mustache", package: "swift-mustache"),
            ],
            swiftSettings: swiftSettings
        ),
        // Discussions: fan-out, per-recipient tracking, inbound replies.
        .target(
            name: "Discussions",
            dependencies: [
                "Mail", "Providers", "Notifications", "Postgres", "Queue", "Curl", "HeraldJSON",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
            ],
            swiftSettings: swiftSettings
        ),

        // The bound port of an HTTP server, announced once, and running one until a closure is done:
        // shared by `herald serve` (Server) and the sandbox providers.
        .target(
            name: "Listening",
            dependencies: [
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),

        // Loopback Postmark and Twilio servers for tests, the demo and benchmarks. Of `Providers` it
        // takes plain wire values only (`PostmarkHeader`), never the clients' encoding or checks, so
        // it stays an independent check of what Herald sends.
        .target(
            name: "Sandbox",
            dependencies: [
                "Curl", "HeraldJSON", "Listening", "Providers",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),

        // The HTTP side: pixel, clicks, webhooks, inbound, metrics, admin.
        .target(
            name: "Server",
            dependencies: [
                "Mail", "Providers", "Notifications", "Discussions", "Postgres", "Queue", "HeraldJSON", "Listening",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdAuth", package: "hummingbird-auth"),
                .product(name: "Mustache", package: "swift-mustache"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),

        // Everything the CLI wires together, as a library so tests can drive it.
        .target(
            name: "HeraldKit",
            dependencies: [
                "Postgres", "Curl", "Queue", "HeraldJSON", "Mail", "Providers", "Notifications", "Discussions", "Sandbox", "Server", "DevTools",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "herald",
            dependencies: ["HeraldKit"],
            swiftSettings: swiftSettings
        ),

        // Tests.
        .target(
            name: "HeraldTestSupport",
            dependencies: [
                "Postgres", "DevTools",
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Tests/HeraldTestSupport",
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "PostgresTests",
            dependencies: ["Postgres", "DevTools", "HeraldTestSupport"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "CurlTests",
            dependencies: [
                "Curl", "HeraldTestSupport",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "HeraldJSONTests",
            dependencies: ["HeraldJSON", "HeraldTestSupport"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "QueueTests",
            dependencies: ["Queue", "Postgres", "DevTools", "HeraldTestSupport"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "DeliveryTests",
            dependencies: [
                "Mail", "Providers", "Notifications", "Discussions", "Sandbox", "Queue", "Postgres", "Curl", "HeraldJSON", "HeraldTestSupport",
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            // The reply corpus is read from the source tree by the tests (#filePath).
            exclude: ["Inbound/ReplyCorpus"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "SandboxTests",
            dependencies: ["Sandbox", "Curl", "HeraldJSON", "Providers"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "HeraldKitTests",
            dependencies: [
                "HeraldKit", "Mail", "Providers", "Notifications", "Discussions", "Server", "Postgres", "Queue", "Sandbox", "HeraldTestSupport",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "ServerTests",
            dependencies: [
                "Server", "Mail", "Providers", "Notifications", "Discussions", "Sandbox", "Queue", "Postgres", "DevTools", "Curl", "HeraldTestSupport",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
    ]
)
