// swift-tools-version: 6.2
import PackageDescription

// Targets are split only where dependencies differ (see STYLE.md): the core needs Yams and
// SQLite, rendering needs libcmark and Mustache, serving needs Hummingbird, the network
// services and clients need postgres-nio, AsyncHTTPClient, NIO and swift-crypto (S3's
// request signatures), and the pipeline ties them together for the thin `factorybench`
// executable.
let strict: [SwiftSetting] = [.treatAllWarnings(as: .error)]

let package = Package(
    name: "FactoryBench",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "factorybench", targets: ["factorybench"])
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache", from: "2.1.1"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/HdrHistogram/hdrhistogram-swift", from: "0.2.0"),
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.33.2"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-crypto", "3.12.3"..<"5.0.0"),
    ],
    targets: [
        .systemLibrary(
            name: "CCmark",
            pkgConfig: "libcmark",
            providers: [.apt(["libcmark-dev"])]
        ),
        .systemLibrary(
            name: "CLibPQ",
            pkgConfig: "libpq",
            providers: [.apt(["libpq-dev"])]
        ),
        .systemLibrary(
            name: "CSQLite",
            pkgConfig: "sqlite3",
            providers: [.apt(["libsqlite3-dev"])]
        ),
        .target(name: "CPoll"),
        .target(
            name: "FactoryBenchTemplates",
            path: "templates",
            exclude: ["README.md"],
            resources: [
                .embedInCode("report.md.mustache"),
                .embedInCode("index.md.mustache"),
                .embedInCode("comparison.md.mustache"),
                .embedInCode("trend.md.mustache"),
                .embedInCode("sweep.md.mustache"),
                .embedInCode("page.html.mustache"),
                .embedInCode("style.css"),
            ],
            swiftSettings: strict
        ),
        .target(
            name: "FactoryBenchCore",
            dependencies: ["Yams", "CSQLite", "CPoll", .product(name: "Histogram", package: "hdrhistogram-swift")],
            exclude: ["Metrics/summary.schema.json"],
            swiftSettings: strict
        ),
        .target(
            name: "FactoryBenchRendering",
            dependencies: [
                "FactoryBenchCore", "CCmark", "FactoryBenchTemplates",
                .product(name: "Mustache", package: "swift-mustache"),
            ],
            swiftSettings: strict
        ),
        .target(
            name: "FactoryBenchNetwork",
            dependencies: [
                "FactoryBenchCore", "CLibPQ",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOFoundationCompat", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: strict
        ),
        .target(
            name: "FactoryBenchServe",
            dependencies: [.product(name: "Hummingbird", package: "hummingbird")],
            swiftSettings: strict
        ),
        .target(
            name: "FactoryBenchPipeline",
            dependencies: ["FactoryBenchCore", "FactoryBenchRendering", "FactoryBenchNetwork"],
            swiftSettings: strict
        ),
        .executableTarget(
            name: "factorybench",
            dependencies: [
                "FactoryBenchPipeline", "FactoryBenchServe", "FactoryBenchNetwork",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: strict
        ),
        .target(
            name: "TestSupport",
            dependencies: ["FactoryBenchCore"],
            path: "Tests/TestSupport",
            swiftSettings: strict
        ),
        .testTarget(
            name: "FactoryBenchCoreTests",
            dependencies: ["FactoryBenchCore", "TestSupport"],
            swiftSettings: strict
        ),
        .testTarget(
            name: "FactoryBenchRenderingTests",
            dependencies: ["FactoryBenchRendering", "TestSupport"],
            swiftSettings: strict
        ),
        .testTarget(
            name: "FactoryBenchNetworkTests",
            dependencies: [
                "FactoryBenchNetwork", "TestSupport", .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
            ],
            swiftSettings: strict
        ),
        .testTarget(
            name: "FactoryBenchServeTests",
            dependencies: ["FactoryBenchServe", "TestSupport"],
            swiftSettings: strict
        ),
        .testTarget(
            name: "FactoryBenchPipelineTests",
            dependencies: ["FactoryBenchPipeline", "TestSupport"],
            swiftSettings: strict
        ),
        .testTarget(
            name: "factorybenchTests",
            dependencies: ["FactoryBenchCore", "TestSupport"],
            swiftSettings: strict
        ),
    ]
)
