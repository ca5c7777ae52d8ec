import DualProp
import DualPropData
import Foundation
import XCTest

/// The user-facing model API: `model(x)` for inference and `save(to:)` / `load(from:)` of the
/// weights as safetensors, including every kind of bad file `load` must reject by name.
final class SequentialAPITests: XCTestCase {
    /// conv 3x3 (2→3) + pool + ReLU + flatten + linear (48→4) on 8x8x2 inputs: the linear layer's
    /// PyTorch weight needs the CHW permutation, so the recorded input shape matters.
    func network(seed: UInt64) -> Sequential {
        var net = Sequential([
            .conv2d(Conv2d(inChannels: 2, outChannels: 3, seed: seed, name: "c0")),
            .maxPool2d(MaxPool2d()), .activation(.relu), .flatten(Flatten()),
            .linear(Linear(inFeatures: 48, outFeatures: 4, seed: seed + 1, name: "fc")),
        ])
        var rng = SplitMix64(seed: seed + 2)
        net.withParameters { _, _, b in b = Tensor(shape: b.shape) { _ in rng.normal() * 0.1 } }
        return net
    }

    func input(_ n: Int = 3) -> Tensor {
        var rng = SplitMix64(seed: 99)
        return Tensor(shape: [n, 8, 8, 2]) { _ in rng.normal() }
    }

    var directory: String!

    override func setUpWithError() throws {
        directory = NSTemporaryDirectory() + "dualprop-sequential-api-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(atPath: directory)
    }

    func testCallAsFunctionIsTheForwardPass() throws {
        let net = network(seed: 5), x = input()
        let y = try net(x)
        XCTAssertEqual(y.shape, [3, 4])
        XCTAssertTrue(y.isBitwiseEqual(to: try net.forward(x)), "model(x) must be bit-identical to forward(x)")
        let classes = try net.predictedClasses(x)
        let v = y.scalars
        for (row, c) in classes.enumerated() {
            let logits = Array(v[row * 4..<(row + 1) * 4])
            XCTAssertEqual(c, logits.firstIndex(of: logits.max()!)!, "row \(row)")
        }
    }

    func testSaveLoadRoundTripIsBitExact() throws {
        let path = directory + "/model.safetensors"
        let trained = network(seed: 5)
        try trained.save(to: path, inputShape: [8, 8, 2], metadata: ["note": "test"])
        var restored = network(seed: 50)
        XCTAssertFalse(try restored(input()).isBitwiseEqual(to: try trained(input())))
        try restored.load(from: path)  // input shape taken from the file
        for (a, b) in zip(trained.parameters, restored.parameters) {
            XCTAssertEqual(a.name, b.name)
            XCTAssertTrue(a.weight.isBitwiseEqual(to: b.weight), a.name)
            XCTAssertTrue(a.bias.isBitwiseEqual(to: b.bias), a.name)
        }
        XCTAssertTrue(try restored(input()).isBitwiseEqual(to: try trained(input())))
        // The file holds PyTorch names, layouts and our metadata.
        let (tensors, metadata) = try SafeTensors.read(from: path)
        XCTAssertEqual(tensors.map(\.name).sorted(), ["c0.bias", "c0.weight", "fc.bias", "fc.weight"])
        XCTAssertEqual(tensors.first { $0.name == "c0.weight" }?.shape, [3, 2, 3, 3])  // OIHW
        XCTAssertEqual(tensors.first { $0.name == "fc.weight" }?.shape, [4, 48])      // [out, in]
        XCTAssertEqual(metadata["input_shape"], "8,8,2")
        XCTAssertEqual(metadata["note"], "test")
    }

    /// `load` must fail with the file and the tensor in the message, and leave the model as it was.
    func assertLoadFails(_ path: String, mentions words: [String], inputShape: [Int]? = nil,
                         file: StaticString = #filePath, line: UInt = #line) {
        var net = network(seed: 7)
        let before = net.parameters
        XCTAssertThrowsError(try net.load(from: path, inputShape: inputShape), file: file, line: line) { error in
            let text = "\(error)"
            XCTAssertTrue(error is DataError, "not a DataError: \(text)", file: file, line: line)
            XCTAssertTrue(text.hasPrefix(path), "message must start with the file: \(text)", file: file, line: line)
            for w in words { XCTAssertTrue(text.contains(w), "message lacks \"\(w)\": \(text)", file: file, line: line) }
        }
        for (a, b) in zip(before, net.parameters) {
            XCTAssertTrue(a.weight.isBitwiseEqual(to: b.weight) && a.bias.isBitwiseEqual(to: b.bias),
                          "a failed load changed \(a.name)", file: file, line: line)
        }
    }

    func tensors(of net: Sequential) throws -> [NamedTensor] {
        try net.pytorchParameters(inputShape: [8, 8, 2]).map { NamedTensor(name: $0.name, shape: $0.tensor.shape, values: $0.tensor.scalars) }
    }

    func testLoadRejectsBadFilesNamingFileAndTensor() throws {
        let good = try tensors(of: network(seed: 5))

        let missing = directory + "/missing-tensor.safetensors"
        try SafeTensors.write(good.filter { $0.name != "fc.bias" }, to: missing)
        assertLoadFails(missing, mentions: ["fc.bias", "missing"])

        let extra = directory + "/extra-tensor.safetensors"
        try SafeTensors.write(good + [NamedTensor(name: "fc2.weight", shape: [1], values: [0])], to: extra)
        assertLoadFails(extra, mentions: ["fc2.weight", "not a parameter"])

        let shape = directory + "/wrong-shape.safetensors"
        try SafeTensors.write(good.map { $0.name == "c0.weight" ? NamedTensor(name: $0.name, shape: [3, 2, 9], values: $0.values) : $0 },
                              to: shape)
        assertLoadFails(shape, mentions: ["c0.weight", "[3, 2, 9]", "[3, 2, 3, 3]"])

        // dtype: a valid F16 file with one tensor.
        let header = #"{"c0.bias":{"dtype":"F16","shape":[3],"data_offsets":[0,6]}}"#
        var bytes = withUnsafeBytes(of: UInt64(header.utf8.count).littleEndian) { Array($0) }
        bytes += Array(header.utf8) + [UInt8](repeating: 0, count: 6)
        let dtype = directory + "/f16.safetensors"
        try Data(bytes).write(to: URL(fileURLWithPath: dtype))
        assertLoadFails(dtype, mentions: ["c0.bias", "F16"])

        let truncated = directory + "/truncated.safetensors"
        let whole = try Data(contentsOf: URL(fileURLWithPath: missing))
        try whole.prefix(whole.count - 10).write(to: URL(fileURLWithPath: truncated))
        assertLoadFails(truncated, mentions: ["truncated"])

        assertLoadFails(directory + "/no-such-file.safetensors", mentions: [])

        let saved = directory + "/saved.safetensors"
        try network(seed: 5).save(to: saved, inputShape: [8, 8, 2])
        assertLoadFails(saved, mentions: ["[8, 8, 2]", "[4, 4, 2]"], inputShape: [4, 4, 2])
    }
}
