import Foundation
import XCTest
import DualPropData

/// Issue 17: crafted and damaged files end in a `DataError` that names the file and the problem,
/// never in a trap, and nothing is allocated for a declared size before it has been checked.
/// Every case that trapped or exhausted memory before the fix is here.
final class HostileInputTests: XCTestCase {
    /// Asserts that `outcome` is a refusal of kind `problem` whose message contains `mentions`.
    func assertRefused(_ outcome: ReaderProbes.Outcome, _ problem: DataError.Problem, _ mentions: String = "",
                       file: StaticString = #filePath, line: UInt = #line) {
        guard case .refused(let e) = outcome else { return XCTFail("expected a \(problem) refusal, got \(outcome)", file: file, line: line) }
        XCTAssertEqual(e.problem, problem, "\(e)", file: file, line: line)
        if !mentions.isEmpty { XCTAssertTrue(e.description.contains(mentions), "message should mention '\(mentions)': \(e)", file: file, line: line) }
    }

    // MARK: safetensors

    func testSafeTensorsDeclaredSizes() {
        let valid = #"{"w":{"dtype":"F32","shape":[2,2],"data_offsets":[0,16]}}"#
        XCTAssertEqual(ReaderProbes.safetensors(Crafted.safetensors(header: valid, data: [UInt8](repeating: 0, count: 16))), .accepted)
        // Header lengths ≥ 2^63 trapped in Int(_:).
        for n: UInt64 in [1 << 63, UInt64.max, UInt64.max - 7, 1 << 62] {
            assertRefused(ReaderProbes.safetensors(Crafted.safetensors(header: valid, data: [], declaredLength: n)), .wrongSize, "header length \(n)")
        }
        // Offsets and shapes near 2^62 … 2^64.
        for (shape, offsets) in [("[4611686018427387904]", "[0,16]"), ("[4294967296,4294967296]", "[0,16]"),
                                 ("[2,2]", "[0,18446744073709551615]"), ("[2,2]", "[9223372036854775807,9223372036854775823]"),
                                 ("[2,2]", "[0,4611686018427387904]"), ("[2,2]", "[16,0]"), ("[2,2]", "[1e30,16]"),
                                 ("[4611686018427387904,4]", "[0,16]"), ("[2.5,2]", "[0,16]"), ("[2,2]", "[-16,0]")] {
            let header = #"{"w":{"dtype":"F32","shape":\#(shape),"data_offsets":\#(offsets)}}"#
            guard case .refused(let e) = ReaderProbes.safetensors(Crafted.safetensors(header: header, data: [UInt8](repeating: 0, count: 16))) else {
                XCTFail("shape \(shape) offsets \(offsets) was accepted"); continue
            }
            XCTAssertTrue(e.description.contains("tensor w"), "\(e)")
        }
        // Negative dimensions whose product is right hit a precondition in Tensor.
        let negative = #"{"w":{"dtype":"F32","shape":[-2,-2],"data_offsets":[0,16]}}"#
        assertRefused(ReaderProbes.safetensors(Crafted.safetensors(header: negative, data: [UInt8](repeating: 0, count: 16))),
                      .wrongShape, "non-negative")
        // A header larger than the format's limit is refused before it is parsed.
        let big = Crafted.safetensors(header: "{}", declaredLength: UInt64(SafeTensors.maximumHeaderBytes + 1))
        assertRefused(ReaderProbes.safetensors(big), .wrongSize)
    }

    // MARK: zip, npz, npy

    func testZip64DeclaredSizes() {
        let member = Crafted.Member(name: "a.npy", data: Crafted.npy(shape: "(3,)", data: [1, 2, 3]))
        XCTAssertEqual(ReaderProbes.zipOrNPY(Crafted.zip([member], zip64: Crafted.Zip64())), .refused(
            DataError(.missingMember, file: "fuzz.npz", "no member data.npy (members: a.npy)")))
        let huge: [UInt64] = [1 << 63, UInt64.max, 1 << 62, 1 << 40, 16 << 30, 1 << 40 + 5]
        for v in huge {
            for z in [Crafted.Zip64(entries: v), Crafted.Zip64(cdSize: v), Crafted.Zip64(cdOffset: v), Crafted.Zip64(recordOffset: v)] {
                assertRefused(ReaderProbes.zipOrNPY(Crafted.zip([member], zip64: z)), .corrupt)
            }
        }
        // zip64 extra-field sizes and offsets.
        for v in huge + [(1 << 32) * 4] {
            for k in 0..<3 {
                var m = member
                var extra = [m.uncompressedSize, m.compressedSize, 0]
                extra[k] = v
                m.zip64Extra = extra
                let outcome = ReaderProbes.zipOrNPY(Crafted.zip([m]))
                guard case .refused(let e) = outcome, e.problem == .corrupt else { XCTFail("extra \(extra): \(outcome)"); continue }
            }
        }
        // More entries than the directory can hold (2^16 − 1 in the plain end record).
        assertRefused(ReaderProbes.zipOrNPY(Crafted.zip([member], eocdEntries: 0xFFFF)), .corrupt, "entries")
    }

    /// A member declaring 4 GiB reached 4.2 GB RSS before the error: the declared size is now
    /// checked against DEFLATE's largest expansion, and the output grows with what is produced.
    func testZipMemberDeclaringMoreThanItHolds() {
        let data = Crafted.npy(shape: "(3,)", data: [1, 2, 3])
        for declared: UInt64 in [4 << 30, 1 << 40, UInt64.max] {
            var m = Crafted.Member(name: "data.npy", data: data, deflated: true)
            m.uncompressedSize = declared
            m.zip64Extra = [declared, m.compressedSize]
            assertRefused(ReaderProbes.zipOrNPY(Crafted.zip([m])), .corrupt, "1032:1")
        }
        // Within the ratio, but the stream ends early (it is padded with bytes after its end).
        var m = Crafted.Member(name: "data.npy", data: data, deflated: true)
        m.stored += [UInt8](repeating: 0, count: 1 << 20)
        m.compressedSize = UInt64(m.stored.count)
        m.uncompressedSize = 1 << 30
        m.zip64Extra = [m.uncompressedSize, m.compressedSize]
        assertRefused(ReaderProbes.zipOrNPY(Crafted.zip([m])), .corrupt, "inflated to \(data.count) bytes")
        // A stored member whose data runs past the archive.
        var s = Crafted.Member(name: "data.npy", data: data)
        s.compressedSize = 1 << 62; s.uncompressedSize = 1 << 62
        s.zip64Extra = [s.uncompressedSize, s.compressedSize]
        assertRefused(ReaderProbes.zipOrNPY(Crafted.zip([s])), .corrupt, "run past the end")
        var o = Crafted.Member(name: "data.npy", data: data)
        o.zip64Extra = [o.uncompressedSize, o.compressedSize, 1 << 63]
        assertRefused(ReaderProbes.zipOrNPY(Crafted.zip([o])), .corrupt, "local header offset")
    }

    func testNPYShapeOverflow() {
        assertRefused(ReaderProbes.npy(Crafted.npy(shape: "(4294967296, 4294967296, 4294967296)", data: [])), .wrongShape, "overflows")
        assertRefused(ReaderProbes.npy(Crafted.npy(descr: "<i8", shape: "(2305843009213693952,)", data: [])), .wrongSize)
        assertRefused(ReaderProbes.npy(Crafted.npy(shape: "(9223372036854775808,)", data: [])), .badHeader)
        // (0, 2^62, 4) has no elements but its trailing product overflows: the npz check must not trap.
        let data = Crafted.npy(shape: "(0, 4611686018427387904, 4)", data: [])
        let labels = Crafted.npy(descr: "<i8", shape: "(0,)", data: [])
        let npz = Crafted.zip([Crafted.Member(name: "data.npy", data: data), Crafted.Member(name: "labels.npy", data: labels)])
        assertRefused(ReaderProbes.zipOrNPY(npz), .wrongShape, "expected (N, 3072)")
        XCTAssertEqual(ReaderProbes.zipOrNPY(Crafted.npz(images: 3, deflated: true)), .accepted)
    }

    // MARK: MNIST idx and gzip

    func write(_ bytes: [UInt8], _ name: String) throws -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("hostile-\(getpid())-\(UInt32.random(in: 0...UInt32.max))")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent(name).path
        XCTAssertTrue(FileManager.default.createFile(atPath: path, contents: Data(bytes)))
        return path
    }

    func testIDXDimensionsOverflow() throws {
        let m = UInt32.max
        for (n, r, c) in [(m, m, m), (m, m, 2), (1 << 31, 1 << 31, 4), (65_536, 65_536, 65_536)] {
            let plain = Crafted.idxImages(count: n, rows: r, columns: c, data: [1, 2, 3])
            let path = try write(plain, "x-images-idx3-ubyte")
            XCTAssertThrowsError(try IDX.readImages(path: path)) { e in
                XCTAssertTrue("\(e)".contains(path), "\(e)")
            }
            let gz = try write(Crafted.gzip(plain), "x-images-idx3-ubyte.gz")
            XCTAssertThrowsError(try IDX.readImages(path: gz)) { e in XCTAssertTrue("\(e)".contains(gz), "\(e)") }
        }
    }

    /// A gzip'd idx file that inflates far beyond its header was inflated completely (3.2 GB RSS
    /// for 3 GiB): now inflation stops one byte after the size the header gives.
    func testGzipInflatesNoFurtherThanTheHeaderSays() throws {
        let header = Crafted.idxImages(count: 2, rows: 28, columns: 28, data: [])
        let bomb = Crafted.gzip(header + [UInt8](repeating: 7, count: 64 << 20))  // 64 MiB of output, ~64 KiB compressed
        let path = try write(bomb, "train-images-idx3-ubyte.gz")
        assertDataError(.wrongSize, fileSuffix: "train-images-idx3-ubyte.gz", mentions: "more than the 1584 bytes") {
            try IDX.readImages(path: path)
        }
        // A header claiming more than the compressed file can hold is refused before inflating.
        let claim = try write(Crafted.gzip(Crafted.idxImages(count: 60_000_000, rows: 28, columns: 28, data: [0])), "c-images-idx3-ubyte.gz")
        assertDataError(.wrongSize, fileSuffix: "c-images-idx3-ubyte.gz", mentions: "more than the") { try IDX.readImages(path: claim) }
        // Labels too; and a truncated gzip stream.
        let labels = try write(Crafted.gzip(Crafted.idxLabels([1, 2, 3], declared: 2)), "l-labels-idx1-ubyte.gz")
        assertDataError(.wrongSize, fileSuffix: "l-labels-idx1-ubyte.gz", mentions: "more than") { try IDX.readLabels(path: labels) }
        let full = Crafted.gzip(Crafted.idxLabels([1, 2, 3]))
        let cut = try write(Array(full.prefix(full.count - 10)), "t-labels-idx1-ubyte.gz")
        XCTAssertThrowsError(try IDX.readLabels(path: cut))
        XCTAssertEqual(try IDX.readLabels(path: try write(full, "ok-labels-idx1-ubyte.gz")), [1, 2, 3])
    }

    // MARK: CIFAR

    func testCIFARRecords() {
        XCTAssertEqual(ReaderProbes.cifar([UInt8](repeating: 1, count: 3073)), .accepted)
        assertRefused(ReaderProbes.cifar([]), .wrongSize)
        assertRefused(ReaderProbes.cifar([UInt8](repeating: 200, count: 3074 * 3073)), .labelOutOfRange, "200")
    }
}
