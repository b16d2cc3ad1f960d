// swift-tools-version: 6.0
// ernie: pretraining, fine-tuning and serving BERT-family models, Chinese first.
//
// Layers (downward only):
//   CShims (oneDNN, OpenMP) / CMPI  →  ErnieEngine  →  ErnieText, ErnieData  →  ErnieModels  →  ErnieTraining  →  ernie
import PackageDescription

/// Vector code is compiled for the building machine's CPU (AVX-512 / AMX here): Swift emits SSE only otherwise.
/// `ERNIE_TARGET_CPU=x86-64-v3 swift build` builds a portable binary instead.
let targetCPU = Context.environment["ERNIE_TARGET_CPU"] ?? "native"
let fastSwift: [SwiftSetting] = [.unsafeFlags(["-target-cpu", targetCPU, "-Ounchecked"], .when(configuration: .release))]
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
        .target(name: "ErnieEngine", dependencies: ["CShims"], swiftSettings: fastSwift),
        .target(name: "ErnieText", swiftSettings: fastSwift),
        .target(name: "ErnieData", dependencies: ["ErnieText"], swiftSettings: fastSwift),
        .target(name: "ErnieModels", dependencies: ["ErnieEngine", "ErnieText"], swiftSettings: fastSwift),
        .target(
            name: "ErnieTraining",
            dependencies: ["ErnieEngine", "ErnieModels", "ErnieData", "CMPI"],
            swiftSettings: fastSwift),
        .executableTarget(
            name: "ErnieCLI",
            dependencies: [
                "ErnieEngine", "ErnieText", "ErnieData", "ErnieModels", "ErnieTraining",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: fastSwift),
        .testTarget(name: "ErnieEngineTests", dependencies: ["ErnieEngine"]),
        .testTarget(name: "ErnieTextTests", dependencies: ["ErnieText"]),
        .testTarget(name: "ErnieDataTests", dependencies: ["ErnieData"]),
        .testTarget(name: "ErnieModelsTests", dependencies: ["ErnieModels"]),
        .testTarget(name: "ErnieTrainingTests", dependencies: ["ErnieTraining"]),
    ]
)
