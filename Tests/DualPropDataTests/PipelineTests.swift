import XCTest
import DualPropData

final class PipelineTests: XCTestCase {
    /// A small 3-channel dataset with distinct pixels (the CIFAR-10 fixture's test batch).
    private func dataset() throws -> ImageDataset { try CIFAR10.loadTest(directory: Fixtures.path("cifar10")) }

    /// Independent reference: normalise in Double, pad into a (C, H+2p, W+2p) array of zeros,
    /// crop at (dy, dx), mirror, and return (H, W, C).
    private func reference(_ d: ImageDataset, _ i: Int, _ norm: ChannelNormalization, pad: Int, _ ch: CropChoice) -> [Double] {
        let C = d.channels, H = d.height, W = d.width, PH = H + 2 * pad, PW = W + 2 * pad
        var padded = [Double](repeating: 0, count: C * PH * PW)
        let img = Array(d.image(at: i))
        for c in 0..<C { for y in 0..<H { for x in 0..<W {
            padded[(c * PH + y + pad) * PW + x + pad] = (Double(img[(c * H + y) * W + x]) / 255 - Double(norm.mean[c])) / Double(norm.std[c])
        } } }
        var out = [Double](repeating: 0, count: H * W * C)
        for y in 0..<H { for x in 0..<W { for c in 0..<C {
            let cx = ch.flip ? W - 1 - x : x
            out[(y * W + x) * C + c] = padded[(c * PH + y + ch.dy) * PW + cx + ch.dx]
        } } }
        return out
    }

    func testAugmentedBatchMatchesReference() throws {
        let d = try dataset()
        let norm = ChannelNormalization.cifar10
        let nhwc = BatchAssembler(normalization: norm, augmentation: .cropAndFlip, layout: .nhwc, seed: 42)
        let nchw = BatchAssembler(normalization: norm, augmentation: .cropAndFlip, layout: .nchw, seed: 42)
        let indices = [5, 0, 11, 3, 7]
        let a = nhwc.assemble(from: d, indices: indices, epoch: 3)
        let b = nchw.assemble(from: d, indices: indices, epoch: 3)
        XCTAssertEqual(a.shape, [5, 32, 32, 3])
        XCTAssertEqual(b.shape, [5, 3, 32, 32])
        XCTAssertEqual(a.labels, indices.map { d.labels[$0] })
        for (k, i) in indices.enumerated() {
            let ch = nhwc.choice(epoch: 3, index: i)
            let ref = reference(d, i, norm, pad: 4, ch)
            // The table entry is the same Double expression rounded once to Float, so the
            // assembler must equal Float(reference) exactly; NCHW is the same numbers transposed.
            for y in 0..<32 { for x in 0..<32 { for c in 0..<3 {
                let r = Float(ref[(y * 32 + x) * 3 + c])
                XCTAssertEqual(a.values[k * 3072 + (y * 32 + x) * 3 + c], r, "example \(i) (\(ch)) y\(y) x\(x) c\(c)")
                XCTAssertEqual(b.values[k * 3072 + (c * 32 + y) * 32 + x], r)
            } } }
        }
    }

    func testEvaluationBatchIsPlainNormalisation() throws {
        let d = try dataset()
        let asm = BatchAssembler(normalization: .cifar10)
        let batch = asm.assemble(from: d, indices: [2], epoch: 0)
        let ref = reference(d, 2, .cifar10, pad: 0, CropChoice(dx: 0, dy: 0, flip: false))
        XCTAssertEqual(batch.values, ref.map(Float.init))
        // The same assembler yields the same values on any epoch.
        XCTAssertEqual(asm.assemble(from: d, indices: [2], epoch: 9).values, batch.values)
    }

    func testAugmentationStreamIsKeyedAndBalanced() {
        let asm = BatchAssembler(normalization: .cifar10, augmentation: .cropAndFlip, seed: 7)
        // Keyed by (seed, epoch, index): recomputing gives the same choice (resume-safe).
        XCTAssertEqual(asm.choice(epoch: 4, index: 123), BatchAssembler(normalization: .cifar100, augmentation: .cropAndFlip, seed: 7).choice(epoch: 4, index: 123))
        var flips = 0, dxCounts = [Int](repeating: 0, count: 9), dyCounts = [Int](repeating: 0, count: 9)
        var sameAsNextEpoch = 0
        let n = 18_000
        for i in 0..<n {
            let c = asm.choice(epoch: 1, index: i)
            flips += c.flip ? 1 : 0
            dxCounts[c.dx] += 1
            dyCounts[c.dy] += 1
            if c == asm.choice(epoch: 2, index: i) { sameAsNextEpoch += 1 }
        }
        // Binomial(18000, ½): σ ≈ 67; 5σ bounds.
        XCTAssertEqual(Double(flips), Double(n) / 2, accuracy: 340)
        // Each of 9 offsets: mean 2000, σ ≈ 42; 5σ bounds.
        for k in 0..<9 { XCTAssertEqual(Double(dxCounts[k]), 2000, accuracy: 210); XCTAssertEqual(Double(dyCounts[k]), 2000, accuracy: 210) }
        // Independent epochs agree with probability 1/162: about 111 of 18000.
        XCTAssertLessThan(sameAsNextEpoch, 250)
    }

    func testPermutationsAndSplits() {
        let p = DataOrder.permutation(count: 1000, seed: 5, epoch: 2)
        XCTAssertEqual(p.sorted(), Array(0..<1000))
        XCTAssertEqual(p, DataOrder.permutation(count: 1000, seed: 5, epoch: 2))
        XCTAssertNotEqual(p, DataOrder.permutation(count: 1000, seed: 5, epoch: 3))
        XCTAssertNotEqual(p, DataOrder.permutation(count: 1000, seed: 6, epoch: 2))
        // Pinned values: the stream must never change across versions (recorded runs resume on it).
        XCTAssertEqual(Array(DataOrder.permutation(count: 10, seed: 1, epoch: 0)), pinnedPermutation)
        XCTAssertEqual(DataSplit(total: 20, validationFraction: 0.1, seed: 1).validation, [0, 8])
        let asm = BatchAssembler(normalization: .cifar10, augmentation: .cropAndFlip, seed: 1)
        XCTAssertEqual((0..<4).map { asm.choice(epoch: 2, index: $0) },
                       [CropChoice(dx: 0, dy: 7, flip: true), CropChoice(dx: 4, dy: 7, flip: true),
                        CropChoice(dx: 1, dy: 8, flip: true), CropChoice(dx: 5, dy: 7, flip: true)])
        let idx = [10, 20, 30, 40, 50]
        XCTAssertEqual(DataOrder.shuffled(idx, seed: 3, epoch: 1), DataOrder.permutation(count: 5, seed: 3, epoch: 1).map { idx[$0] })
        let batches = DataOrder.batches(Array(0..<10), batchSize: 4, dropLast: false)
        XCTAssertEqual(batches.map(Array.init), [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9]])
        XCTAssertEqual(DataOrder.batches(Array(0..<10), batchSize: 4, dropLast: true).count, 2)

        let split = DataSplit(total: 50_000, validationFraction: 0.1, seed: 11)
        XCTAssertEqual(split.validation.count, 5_000)
        XCTAssertEqual(split.train.count, 45_000)
        XCTAssertEqual((split.train + split.validation).sorted(), Array(0..<50_000))
        XCTAssertEqual(split.validation, split.validation.sorted())
        XCTAssertEqual(split, DataSplit(total: 50_000, validationFraction: 0.1, seed: 11))
        XCTAssertNotEqual(split.validation, DataSplit(total: 50_000, validationFraction: 0.1, seed: 12).validation)
        XCTAssertEqual(DataSplit(total: 1_281_167, validationFraction: 0.05, seed: 1).validation.count, 64_058)
        // Codable round trip (what a run directory stores).
        let json = try! JSONEncoder().encode(split)
        XCTAssertEqual(try! JSONDecoder().decode(DataSplit.self, from: json), split)
    }

    /// Recorded once from this implementation; a change here breaks resumption of recorded runs.
    private let pinnedPermutation = [4, 0, 1, 2, 8, 3, 9, 5, 6, 7]

    func testNormalisationTableAndEstimate() throws {
        let t = ChannelNormalization.cifar10.lookupTable()
        XCTAssertEqual(t.count, 768)
        XCTAssertEqual(t[0], Float((0 - 0.4914) / 0.2023), accuracy: 1e-6)
        XCTAssertEqual(t[2 * 256 + 255], Float((1 - 0.4465) / 0.2010), accuracy: 1e-6)
        // Estimated statistics of the fixture, checked against a direct Double computation.
        let d = try dataset()
        let e = ChannelNormalization.estimate(from: d)
        for c in 0..<3 {
            var s = 0.0, s2 = 0.0
            for i in 0..<d.count { for k in 0..<1024 { let v = Double(d.images[i * 3072 + c * 1024 + k]) / 255; s += v; s2 += v * v } }
            let n = Double(d.count * 1024), m = s / n
            XCTAssertEqual(Double(e.mean[c]), m, accuracy: 1e-6)
            XCTAssertEqual(Double(e.std[c]), (s2 / n - m * m).squareRoot(), accuracy: 1e-5)
        }
    }

    func testDataLocationSearchesTheEnvironmentThenTheCacheFolder() {
        let env = ProcessInfo.processInfo.environment
        let searched = DataLocation.searchedDirectories
        XCTAssertEqual(searched.last, DataLocation.cacheDirectory)
        XCTAssertTrue(DataLocation.cacheDirectory.hasSuffix("dualprop"), DataLocation.cacheDirectory)
        if let d = env[DataLocation.environmentVariable], !d.isEmpty { XCTAssertEqual(searched.first, d) }
        // The product never looks beside the checkout: the variable (if set) and the cache folder only.
        XCTAssertLessThanOrEqual(searched.count, 2)
        // A folder found is one that exists; a dataset folder is a subfolder of it.
        let extra = Fixtures.directory
        if let p = DataLocation.dataDirectory(alsoTrying: [extra]) {
            var isDir: ObjCBool = false
            XCTAssertTrue(FileManager.default.fileExists(atPath: p, isDirectory: &isDir) && isDir.boolValue)
        }
        XCTAssertNil(DataLocation.dataset("no-such-dataset-folder", alsoTrying: [extra]))
        XCTAssertTrue(DataLocation.searchDescription(for: "mnist").contains("$DUALPROP_DATA_DIR/mnist"))
    }
}
