// swift-tools-version: 6.0
// ernie: pretraining, fine-tuning and serving BERT-family models, Chinese first.
//
// Layers (downward only):
//   ErnieBasics (JSON, atomic files) / CShims (oneDNN, OpenMP) / CMPI  →  ErnieEngine  →  ErnieText, ErnieData
//   →  ErnieModels  →  ErnieExport, ErnieTraining  →  ErnieServing  →  ernie
import PackageDescription

/// Vector code is compiled for the building machine's CPU (AVX-512 / AMX here): Swift emits SSE only otherwise.
/// `ERNIE_TARGET_CPU=x86-64-v3 swift build` builds a portable binary instead.
let targetCPU = Context.environment["ERNIE_TARGET_CPU"] ?? "native"
/// Every target keeps Swift's checks (bounds, overflow, preconditions) in release builds ...
let checkedSwift: [SwiftSetting] = [.unsafeFlags(["-target-cpu", targetCPU], .when(configuration: .release))]
/// ... except the engine's kernels, where they cost 12–40% of training and inference speed (measured with
/// tools/bench_compare.sh). Everything that reaches the engine is validated first: shapes by the ops that call the
/// kernels, ids by the embedding ops, sizes from files and flags by the readers and configurations above.
let kernelSwift: [SwiftSetting] = [.unsafeFlags(["-target-cpu", targetCPU, "-Ounchecked"], .when(configuration: .release))]
let mpiFlags = ["-I/usr/lib/x86_64-linux-gnu/openmpi/include", "-I/usr/lib/x86_64-linux-gnu/openmpi/include/openmpi"]

let package = Package(
    name: "ernie",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "ernie", targets: ["ErnieCLI"]),
        .library(name: "ErnieEngine", targets: ["ErnieEngine"]),
        .library(name: "ErnieText", targets: ["ErnieText"]),
        .library(name: "ErnieModels", targets: ["ErnieModels"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        // Hummingbird's own dependencies, named because ErnieServing imports them directly.
        .package(url: "https://github.com/apple/swift-http-types", from: "1.8.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
    ],
    targets: [
        .target(
            name: "CShims",
            cSettings: [.unsafeFlags(["-O3"])],
            linkerSettings: [.linkedLibrary("dnnl"), .linkedLibrary("gomp")]),
        .target(
            name: "CMPI",
            cSettings: [.unsafeFlags(mpiFlags)],
            linkerSettings: [.unsafeFlags(["-L/usr/lib/x86_64-linux-gnu/openmpi/lib"]), .linkedLibrary("mpi")]),
        // JSON and atomic files: what every layer above needs, depending on nothing.
        .target(name: "ErnieBasics", swiftSettings: checkedSwift),
        .target(name: "ErnieEngine", dependencies: ["CShims"], swiftSettings: kernelSwift),
        .target(name: "ErnieText", dependencies: ["ErnieBasics"], swiftSettings: checkedSwift),
        .target(name: "ErnieData", dependencies: ["ErnieBasics", "ErnieText"], swiftSettings: checkedSwift),
        .target(name: "ErnieModels", dependencies: ["ErnieBasics", "ErnieEngine", "ErnieText", "ErnieData"], swiftSettings: checkedSwift),
        .target(
            name: "ErnieTraining",
            dependencies: ["ErnieBasics", "ErnieEngine", "ErnieModels", "ErnieData", "CMPI"],
            swiftSettings: checkedSwift),
        // `ernie export`: ONNX graphs written from the model declarations (protobuf by hand).
        .target(name: "ErnieExport", dependencies: ["ErnieBasics", "ErnieEngine", "ErnieModels"], swiftSettings: checkedSwift),
        // The HTTP server: fine-tuned and embedding models behind TEI's and PaddleNLP SimpleServing's routes.
        .target(
            name: "ErnieServing",
            dependencies: [
                "ErnieBasics", "ErnieEngine", "ErnieText", "ErnieModels", "ErnieTraining",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: checkedSwift),
        .executableTarget(
            name: "ErnieCLI",
            dependencies: [
                "ErnieBasics", "ErnieEngine", "ErnieText", "ErnieData", "ErnieModels", "ErnieTraining", "ErnieServing", "ErnieExport",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: checkedSwift),
        .testTarget(name: "ErnieEngineTests", dependencies: ["ErnieEngine"]),
        .testTarget(name: "ErnieTextTests", dependencies: ["ErnieBasics", "ErnieText"], exclude: ["Fixtures"]),
        .testTarget(name: "ErnieDataTests", dependencies: ["ErnieData"], exclude: ["Fixtures"]),
        .testTarget(name: "ErnieModelsTests", dependencies: ["ErnieBasics", "ErnieModels", "ErnieEngine"], exclude: ["Fixtures"]),
        .testTarget(name: "ErnieExportTests", dependencies: ["ErnieBasics", "ErnieExport", "ErnieModels", "ErnieEngine", "ErnieTraining"]),
        .testTarget(name: "ErnieServingTests", dependencies: ["ErnieBasics", "ErnieServing", "ErnieModels", "ErnieTraining", "ErnieText"]),
        .testTarget(name: "ErnieTrainingTests", dependencies: ["ErnieBasics", "ErnieTraining", "ErnieModels", "ErnieEngine", "ErnieData"], exclude: ["Fixtures"]),
    ]
)
