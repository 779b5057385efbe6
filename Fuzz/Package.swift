// swift-tools-version: 6.2
import Foundation
import PackageDescription

/// SwiftPM names a path dependency after its folder: the checkout's folder name, whatever the clone is called.
let mainPackage = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().lastPathComponent.lowercased()

// libFuzzer executable over the main package's FuzzTargets. Built only by scripts/fuzz, with
// `swift build --package-path Fuzz -Xswiftc -sanitize=fuzzer`; the normal build and CI never compile it.
let package = Package(
    name: "synapscribe-fuzz",
    platforms: [.macOS(.v15)],
    dependencies: [.package(path: "..")],
    targets: [
        // The declaration of libFuzzer's LLVMFuzzerRunDriver (the library comes with -sanitize=fuzzer).
        .target(name: "FuzzDriver"),
        .executableTarget(
            name: "synapscribe-fuzz",
            dependencies: ["FuzzDriver", .product(name: "FuzzTargets", package: mainPackage)]
        ),
    ]
)
