import Foundation
import XCTest
import DualPropData

final class SafeTensorsTests: XCTestCase {
    private var dir: String!

    override func setUpWithError() throws {
        dir = NSTemporaryDirectory() + "dp-safetensors-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(atPath: dir) }

    private let tensors = [
        NamedTensor(name: "layer2.weight", shape: [2, 3], values: [1, -2, 3.5, 3.25, -0, 1e-30]),
        NamedTensor(name: "layer1.bias", shape: [3], values: [0.25, 0.5, 0.75]),
        NamedTensor(name: "scalar", shape: [], values: [42]),
        NamedTensor(name: "empty", shape: [0, 4], values: []),
    ]

    func testRoundTripAndLayout() throws {
        let path = dir + "/model.safetensors"
        try SafeTensors.write(tensors, metadata: ["format": "pt", "epoch": "12", "note": "quote \" and \\ and ü"], to: path)
        // Atomic write leaves no temporary file behind.
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir), ["model.safetensors"])
        let (read, meta) = try SafeTensors.read(from: path)
        XCTAssertEqual(meta, ["format": "pt", "epoch": "12", "note": "quote \" and \\ and ü"])
        XCTAssertEqual(read.map(\.name), ["empty", "layer1.bias", "layer2.weight", "scalar"])  // sorted by name
        for t in tensors {
            let r = read.first { $0.name == t.name }!
            XCTAssertEqual(r.shape, t.shape)
            XCTAssertEqual(r.values.map(\.bitPattern), t.values.map(\.bitPattern), t.name)  // bit-exact
        }
        let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        let n = Int(bytes[0..<8].enumerated().reduce(UInt64(0)) { $0 | UInt64($1.element) << (8 * UInt64($1.offset)) })
        XCTAssertEqual(n % 8, 0, "header padded to a multiple of 8")
        let header = String(decoding: bytes[8..<(8 + n)], as: UTF8.self)
        XCTAssertTrue(header.hasPrefix("{\"__metadata__\":"), header)
        XCTAssertEqual(bytes.count, 8 + n + 4 * (6 + 3 + 1))
        // Overwriting replaces the file.
        try SafeTensors.write([tensors[1]], to: path)
        XCTAssertEqual(try SafeTensors.read(from: path).tensors.map(\.name), ["layer1.bias"])
    }

    func testErrors() throws {
        let path = dir + "/t.safetensors"
        try SafeTensors.write(tensors, to: path)
        var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        let cut = dir + "/cut.safetensors"
        try Data(bytes.dropLast(4)).write(to: URL(fileURLWithPath: cut))
        assertDataError(.wrongSize, fileSuffix: "cut.safetensors", mentions: "truncated") { try SafeTensors.read(from: cut) }
        let text = String(decoding: bytes, as: UTF8.self)
        XCTAssertTrue(text.contains("\"F32\""))
        // Change one dtype to F16 (same length keeps the offsets valid).
        if let r = bytes.firstRange(of: Array("\"F32\"".utf8)) { bytes.replaceSubrange(r, with: Array("\"F16\"".utf8)) }
        let f16 = dir + "/f16.safetensors"
        try Data(bytes).write(to: URL(fileURLWithPath: f16))
        assertDataError(.wrongDType, fileSuffix: "f16.safetensors", mentions: "F16") { try SafeTensors.read(from: f16) }
        assertDataError(.missingFile, fileSuffix: "absent.safetensors") { try SafeTensors.read(from: dir + "/absent.safetensors") }
        assertDataError(.writeFailed, fileSuffix: "no-dir/x.safetensors") { try SafeTensors.write(tensors, to: dir + "/no-dir/x.safetensors") }
    }

    /// The reference implementation (Python `safetensors`) loads our file, when it is installed.
    func testPythonSafetensorsReadsOurFile() throws {
        let path = dir + "/py.safetensors"
        try SafeTensors.write(tensors, metadata: ["source": "DualPropData"], to: path)
        let script = """
        import sys
        try:
            from safetensors.numpy import load_file
            from safetensors import safe_open
            import numpy as np
        except Exception as e:
            print("SKIP", e); sys.exit(3)
        t = load_file(sys.argv[1])
        assert t["layer2.weight"].dtype == np.float32 and t["layer2.weight"].shape == (2, 3)
        assert np.array_equal(t["layer2.weight"], np.array([1, -2, 3.5, 3.25, 0, 1e-30], dtype=np.float32).reshape(2, 3))
        assert t["scalar"].shape == () and t["scalar"] == 42 and t["empty"].shape == (0, 4)
        assert list(t["layer1.bias"]) == [0.25, 0.5, 0.75]
        with safe_open(sys.argv[1], framework="numpy") as f:
            assert f.metadata() == {"source": "DualPropData"}, f.metadata()
        print("OK")
        """
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["python3", "-c", script, path]
        let pipe = Pipe()
        p.standardOutput = pipe
        p.standardError = pipe
        do { try p.run() } catch { throw XCTSkip("python3 not runnable: \(error)") }
        p.waitUntilExit()
        let out = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        if p.terminationStatus == 3 { throw XCTSkip("python safetensors/numpy not installed (pip install safetensors numpy): \(out)") }
        XCTAssertEqual(p.terminationStatus, 0, out)
        XCTAssertTrue(out.contains("OK"), out)
    }
}
