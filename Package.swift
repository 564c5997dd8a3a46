// swift-tools-version:6.0
import PackageDescription

// Members resolve only from modules a file imports: otherwise Foundation, which a dependency
// imports, leaks its String methods into every file and its ICU into the binary.
let strict: [SwiftSetting] = [.enableUpcomingFeature("MemberImportVisibility")]

let package = Package(
    name: "polisen-dash",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "polisen-dash", targets: ["App"]),
        .executable(name: "replay-benchmark", targets: ["ReplayBenchmark"]),
        .executable(name: "process-benchmark", targets: ["ProcessBenchmark"]),
        .executable(name: "adaptive-benchmark", targets: ["AdaptiveBenchmark"]),
        .executable(name: "render-benchmark", targets: ["RenderBenchmark"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.0"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.5.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.0.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.80.0"),
        .package(url: "https://github.com/LebJe/TOMLKit", from: "0.6.0"),
    ],
    targets: [
        // Thin system-library shims: the variadic and macro parts of the C APIs, wrapped as inline functions.
        .systemLibrary(name: "CCurl", path: "Sources/CCurl", pkgConfig: "libcurl",
                       providers: [.apt(["libcurl4-openssl-dev"])]),
        .systemLibrary(name: "CNcursesw", path: "Sources/CNcursesw",
                       providers: [.apt(["libncurses-dev"])]),
        .target(
            name: "Engine",
            dependencies: [
                "CCurl",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
            ],
            swiftSettings: strict
        ),
        // Settings from flags, environment and the config file (TOMLKit): the command line's concern.
        .target(
            name: "Config",
            dependencies: ["Engine", .product(name: "TOMLKit", package: "TOMLKit")],
            swiftSettings: strict
        ),
        // The built-in simulator behind `polisen-dash demo`, with its bundled events; only the App links it.
        .target(name: "Demo", dependencies: ["Engine"], swiftSettings: strict),
        // What tests and benchmarks drive the engine with: a manual clock, a scripted transport,
        // an in-memory store, a deterministic random source, the polling simulation.
        .target(name: "EngineTesting", dependencies: ["Engine"], swiftSettings: strict),
        .target(
            name: "TUI",
            dependencies: ["Engine", "CNcursesw"],
            swiftSettings: strict
        ),
        .executableTarget(
            name: "App",
            dependencies: [
                "Engine", "TUI", "Config", "Demo",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            swiftSettings: strict
        ),
        .executableTarget(name: "ReplayBenchmark", dependencies: ["Engine"], path: "Benchmarks/ReplayBenchmark"),
        .executableTarget(name: "ProcessBenchmark", dependencies: ["Engine"], path: "Benchmarks/ProcessBenchmark"),
        .executableTarget(name: "AdaptiveBenchmark", dependencies: ["Engine", "EngineTesting"], path: "Benchmarks/AdaptiveBenchmark"),
        .executableTarget(name: "RenderBenchmark", dependencies: ["Engine", "TUI"], path: "Benchmarks/RenderBenchmark"),
        .testTarget(name: "EngineTests", dependencies: ["Engine", "EngineTesting", "Config"]),
        .testTarget(name: "TUITests", dependencies: ["TUI", "Engine", "EngineTesting"], exclude: ["Golden"]),
        .testTarget(name: "EndToEndTests", dependencies: ["Engine", "EngineTesting", "TUI"]),
    ]
)
