// swift-tools-version:6.0
//
// DualProp: C kernels (GEMM, convolutions, pooling, fused activation-and-target kernels) with a
// safe Swift façade for training networks with back-propagation and inference-learning rules.
//
// No unsafeFlags anywhere: other packages must be able to depend on this one by version.
// SIMD code selects its ISA with per-function target attributes; threads come from the OpenMP
// runtime through its libgomp entry points (Debian's libomp-dev provides libomp5.so).
//
// Licensed under the Apache License, Version 2.0 (see LICENSE).
import PackageDescription

let package = Package(
    name: "DualProp",
    products: [
        .library(name: "CKernels", targets: ["CKernels"]),
        .library(name: "DualPropKernels", targets: ["DualPropKernels"]),
        .library(name: "DualProp", targets: ["DualProp"]),
        .library(name: "DualPropData", targets: ["DualPropData"]),
        .executable(name: "cifar-vgg", targets: ["cifar-vgg"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        // `swift package generate-documentation --target DualProp` (DocC); a command plugin only,
        // built into no product.
        .package(url: "https://github.com/swiftlang/swift-docc-plugin", from: "1.5.0"),
    ],
    targets: [
        // The C kernel library: sources in CKernels/, public headers (the ck_ API) in include/.
        .target(
            name: "CKernels",
            path: ".",
            sources: ["CKernels"],
            publicHeadersPath: "include",
            cSettings: [.headerSearchPath("CKernels"), .define("_GNU_SOURCE")],
            linkerSettings: [.linkedLibrary("omp5"), .linkedLibrary("m")]
        ),
        // The only Swift module that imports the C module: Tensor, runtime control, kernel calls.
        .target(name: "DualPropKernels", dependencies: ["CKernels"]),
        // Layers, models, learning rules and optimizers, over DualPropKernels (and DualPropData for RNG/safetensors).
        .target(name: "DualProp", dependencies: ["DualPropKernels", "DualPropData"]),
        // Benchmark-only C probes (FMA peak, copy bandwidth); not a product.
        .target(name: "CBenchSupport", path: "Benchmarks/CBenchSupport", linkerSettings: [.linkedLibrary("omp5")]),
        // The kernel benchmark tool: `swift run -c release ck-bench <family>`.
        .executableTarget(
            name: "ck-bench",
            dependencies: ["DualPropKernels", "CKernels", "CBenchSupport",
                           .product(name: "ArgumentParser", package: "swift-argument-parser")],
            path: "Benchmarks/ck-bench"
        ),
        // Step-cost benchmark of the learning rules on VGG16: `swift run -c release dualprop-bench`.
        .executableTarget(
            name: "dualprop-bench",
            dependencies: ["DualProp", "DualPropData", .product(name: "ArgumentParser", package: "swift-argument-parser")],
            path: "Benchmarks/dualprop-bench"
        ),
        // The MNIST MLP experiments of the source papers (Høier & Zach 2024; Zach; Frecon et al.): library + `mnist-mlp` tool.
        .target(name: "DualPropExperiments", dependencies: ["DualProp", "DualPropData"]),
        .executableTarget(
            name: "mnist-mlp",
            dependencies: ["DualPropExperiments", "DualProp", .product(name: "ArgumentParser", package: "swift-argument-parser")]
        ),
        .testTarget(name: "DualPropExperimentsTests", dependencies: ["DualPropExperiments"]),
        .testTarget(name: "CKernelsTests", dependencies: ["CKernels"]),
        .testTarget(name: "DualPropKernelsTests", dependencies: ["DualPropKernels"]),
        .testTarget(name: "DualPropTests", dependencies: ["DualProp"]),
        // Dataset readers (CIFAR-10/100 binary, ImageNet32 npz, MNIST idx), augmentation, safetensors.
        .systemLibrary(name: "CZlib", path: "Sources/CZlib", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"])]),
        .target(name: "DualPropData", dependencies: ["CZlib"]),
        .testTarget(name: "DualPropDataTests", dependencies: ["DualPropData", "CZlib"], resources: [.copy("Fixtures")]),
        // The training driver: `swift run -c release cifar-vgg` (logic in DualPropTraining, testable).
        // MPI for data-parallel cifar-vgg runs, loaded with dlopen() only under an MPI launcher:
        // nothing links MPI, so every target builds and runs on a machine without it.
        .target(name: "CMPIShim", linkerSettings: [.linkedLibrary("dl")]),
        .target(name: "DualPropTraining", dependencies: ["DualProp", "DualPropData", "CMPIShim",
                                                        .product(name: "ArgumentParser", package: "swift-argument-parser")]),
        .executableTarget(name: "cifar-vgg", dependencies: ["DualPropTraining"]),
        .testTarget(name: "CifarVGGTests", dependencies: ["DualPropTraining", "cifar-vgg"]),
        // The fuzz executable, one target per file reader chosen by its first argument (README
        // "Fuzzing"): scripts/fuzz.sh builds it with libFuzzer (`-sanitize=fuzzer`, on the command
        // line); a plain build makes a replay tool.
        .executableTarget(name: "dualprop-fuzz", dependencies: ["DualPropTraining", "DualPropData"], path: "Fuzz/dualprop-fuzz"),
    ]
)
