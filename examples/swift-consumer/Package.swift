// swift-tools-version:5.9
//
// A downstream package that depends on DualProp BY VERSION, as any other project would.
// scripts/check-swift-consumer.sh copies this package to a temporary directory and rewrites
// the URL below to a file:// git repository of the current commit tagged 0.1.0.
import PackageDescription

let package = Package(
    name: "GEMMConsumer",
    dependencies: [
        .package(url: "https://github.com/OWNER/DualProp.git", from: "0.1.0"), // DUALPROP_URL
    ],
    targets: [
        .executableTarget(
            name: "GEMMConsumer",
            dependencies: [
                .product(name: "DualPropKernels", package: "DualProp"),
            ]
        ),
    ]
)
