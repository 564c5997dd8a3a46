// swift-tools-version:6.0
import PackageDescription

// Members resolve only from modules a file imports: otherwise Foundation, which a dependency
// imports, leaks its String methods into every file and its ICU into the binary.
let strict: [SwiftSetting] = [
    .enableUpcomingFeature("MemberImportVisibility"),
    // Release builds: each function in a section of its own, so the linker can place the code that
    // start-up and a cycle run side by side (`startupLayout`).
    .unsafeFlags(["-Xfrontend", "-function-sections"], .when(configuration: .release)),
]

// Resident memory is mostly code pages, and the kernel maps 64 KB around every page fault in a
// file: the ~1 MB of code a `poll --once` runs, spread over 13 MB, made ~7 MB resident. Release
// builds on Linux link (with gold, whose section ordering this is) the functions listed in
// Linking/startup-sections.txt side by side (`scripts/startup-order.sh` regenerates it), and
// export no symbols from the executable (nothing loads it as a library; the dynamic loader then
// has no 15,000-entry symbol table to page in). See BENCHMARKS.md, "Memory".
let linking = Context.packageDirectory + "/Linking"
let startupLayout: [LinkerSetting] = [
    .unsafeFlags(
        [
            "-use-ld=gold",
            "-Xlinker", "--section-ordering-file=\(linking)/startup-sections.txt",
            "-Xlinker", "--version-script=\(linking)/exports.map",
        ], .when(platforms: [.linux], configuration: .release)),
]

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
            swiftSettings: strict,
            linkerSettings: startupLayout
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
