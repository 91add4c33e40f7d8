// swift-tools-version:6.0
// A libFuzzer harness for the import pipeline, kept apart from the main package because it
// needs sanitizer flags. Run it with scripts/fuzz.sh.
import PackageDescription

let package = Package(
    name: "RampartFuzz",
    dependencies: [.package(path: "RampartRoot")],
    targets: [
        .executableTarget(
            name: "rampart-fuzz",
            dependencies: [
                .product(name: "RampartCore", package: "RampartRoot"), .product(name: "RampartImporters", package: "RampartRoot"),
            ],
            swiftSettings: [.swiftLanguageMode(.v5)]
        )
    ]
)
