import Foundation
// swift-tools-version:6.0
import PackageDescription

let strictSettings: [SwiftSetting] = [
    .swiftLanguageMode(.v6)
]

/// Each importer is one folder of Sources/RampartImporters: its code, and in `Fixtures/` its
/// reference reports with their expected output (tests find them there). The fixtures are not
/// sources: every folder's `Fixtures` is excluded, found here so that a new importer needs no
/// line in this file.
let importerFixtures: [String] = {
    let importers = Context.packageDirectory + "/Sources/RampartImporters"
    let folders = (try? FileManager.default.contentsOfDirectory(atPath: importers)) ?? []
    return folders.sorted().map { $0 + "/Fixtures" }.filter { FileManager.default.fileExists(atPath: importers + "/" + $0) }
}()

let package = Package(
    name: "Rampart",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "rampart", targets: ["rampart"]),
        .executable(name: "rampart-benchmark", targets: ["rampart-benchmark"]),
        .library(name: "RampartCore", targets: ["RampartCore"]),
        .library(name: "RampartImporters", targets: ["RampartImporters"]),
        .library(name: "RampartStore", targets: ["RampartStore"]),
        .library(name: "RampartSQLite", targets: ["RampartSQLite"]),
        .library(name: "RampartIngest", targets: ["RampartIngest"]),
        .library(name: "RampartInventory", targets: ["RampartInventory"]),
        .library(name: "RampartFeeds", targets: ["RampartFeeds"]),
        .library(name: "RampartExport", targets: ["RampartExport"]),
    ],
    dependencies: [
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        // SHA-256 and HMAC through BoringSSL: with SHA-NI it hashes ~2 GB/s, 7x a pure-Swift loop,
        // which matters when a 200 MB report is hashed to recognize a repeat import.
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
        // The inventory file is YAML (JSON read as YAML); Yams gives each node its line and column.
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
    ],
    targets: [
        // The pure domain: no I/O, no dependencies.
        .target(name: "RampartCore", dependencies: [.product(name: "Crypto", package: "swift-crypto")], swiftSettings: strictSettings),
        // Bytes in, normalized findings and diagnostics out.
        .target(name: "RampartImporters", dependencies: ["RampartCore", "CZlib"], exclude: importerFixtures, swiftSettings: strictSettings),
        // The system zlib, for the compressed archive of imported reports.
        .systemLibrary(name: "CZlib", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"])]),
        // The storage seam: the Store protocol and what every backend shares.
        .target(name: "RampartStore", dependencies: ["RampartCore", "CZlib"], swiftSettings: strictSettings),
        // SQLite implementation of the Store protocol.
        .target(
            name: "RampartSQLite",
            dependencies: [
                "RampartCore", "RampartStore", .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "GRDBSQLite", package: "GRDB.swift"),
            ],
            swiftSettings: strictSettings
        ),
        // The inventory file: YAML or JSON in, the inventory model out (and back to YAML).
        .target(name: "RampartInventory", dependencies: ["RampartCore", .product(name: "Yams", package: "Yams")], swiftSettings: strictSettings),
        // The prioritization feeds: CISA KEV (JSON) and FIRST EPSS (CSV, gzipped or not) read and checked.
        .target(name: "RampartFeeds", dependencies: ["RampartCore", "CZlib"], swiftSettings: strictSettings),
        // Issues out: SARIF 2.1.0, OpenVEX, CycloneDX VEX, CSV and JUnit XML, for other tools to read.
        .target(name: "RampartExport", dependencies: ["RampartCore", "RampartStore"], swiftSettings: strictSettings),
        // The import use case: importers feeding a store. Shared by the CLI, the benchmark and the server.
        .target(
            name: "RampartIngest", dependencies: ["RampartCore", "RampartImporters", "RampartStore"], swiftSettings: strictSettings),
        .executableTarget(
            name: "rampart",
            dependencies: [
                "RampartCore", "RampartImporters", "RampartStore", "RampartSQLite", "RampartIngest", "RampartInventory", "RampartFeeds",
                "RampartExport", .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: strictSettings
        ),
        .executableTarget(
            name: "rampart-benchmark",
            dependencies: [
                "RampartCore", "RampartImporters", "RampartStore", "RampartSQLite", "RampartIngest", "RampartFeeds",
                .product(name: "GRDB", package: "GRDB.swift"),
            ],
            swiftSettings: strictSettings
        ),
        .testTarget(name: "RampartCoreTests", dependencies: ["RampartCore"], swiftSettings: strictSettings),
        .testTarget(name: "RampartInventoryTests", dependencies: ["RampartCore", "RampartInventory"], swiftSettings: strictSettings),
        .testTarget(name: "RampartFeedsTests", dependencies: ["RampartCore", "RampartFeeds"], swiftSettings: strictSettings),
        .testTarget(
            name: "RampartImportersTests",
            dependencies: ["RampartCore", "RampartImporters"],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "RampartStoreTests",
            dependencies: [
                "RampartCore", "RampartImporters", "RampartStore", "RampartSQLite", "RampartIngest", "RampartExport",
                .product(name: "GRDB", package: "GRDB.swift"),
            ],
            swiftSettings: strictSettings
        ),
    ]
)
