import DualProp
import DualPropExperiments
import XCTest

final class ExperimentsTests: XCTestCase {
    func testSummaryAndAgreement() {
        let s = Summary([1, 2, 3, .nan])
        XCTAssertEqual(s.mean, 2); XCTAssertEqual(s.std, 1); XCTAssertEqual(s.failures, 1)
        XCTAssertEqual(Summary([.nan]).formatted(), "✗ (diverged)")
        XCTAssertTrue(PaperFigure(98, 0.1).agrees(with: 98.19))
        XCTAssertFalse(PaperFigure(98, 0.1).agrees(with: 98.21))
        XCTAssertTrue(PaperFigure(97.4).agrees(with: 96.5))
        XCTAssertFalse(PaperFigure(97.4).agrees(with: .nan))
    }

    func testPermutationIsSeededAndComplete() {
        let p = permutation(1000, seed: 7)
        XCTAssertEqual(p.sorted(), Array(0..<1000))
        XCTAssertEqual(p, permutation(1000, seed: 7))
        XCTAssertNotEqual(p, permutation(1000, seed: 8))
    }

    /// ‖W₂W₁W₀‖₂ against a float64 reference: for W₀ = diag-like scalings the product is known.
    /// Weights [in, out]: W₀ = 3·I(3), W₁ = [[1,0],[0,2],[0,0]], so x·W₀·W₁ has singular values 3, 6.
    func testProductSpectralNorm() throws {
        var net = Sequential.mlp(widths: [3, 3, 2], activation: .relu, loss: .leastSquares, seed: 1)
        net.withParameters { k, w, _ in
            w = k == 0 ? Tensor(shape: [3, 3], values: [3, 0, 0, 0, 3, 0, 0, 0, 3])
                       : Tensor(shape: [3, 2], values: [1, 0, 0, 2, 0, 0])
        }
        XCTAssertEqual(try productSpectralNorm(net), 6, accuracy: 1e-9)
    }

    /// Tables: markdown has a header separator, CSV quotes commas.
    func testTableRendering() {
        var t = ResultTable(title: "t", columns: ["a", "b"])
        t.add(["1,5", "x"])
        XCTAssertTrue(t.markdown.contains("|---|---|"))
        XCTAssertEqual(t.csv, "a,b\n\"1,5\",x\n")
    }

    /// The training loop learns a linearly separable synthetic problem (two blobs in 4-D).
    func testTrainingLoopLearnsSeparableData() throws {
        var inputs: [Float] = [], labels: [Int32] = []
        for i in 0..<400 {
            let y = Int32(i % 2)
            for f in 0..<4 { inputs.append((y == 1 ? 1 : -1) * Float(f % 2 == 0 ? 1 : 0.5) + Float((i * 7 + f * 13) % 11) / 22 - 0.25) }
            labels.append(y)
        }
        let split = MNISTSplit(inputs: inputs, labels: labels, features: 4)
        let net = Sequential.mlp(widths: [4, 8, 2], activation: .relu, loss: .softmaxCrossEntropy, seed: 2)
        let out = try train(net, rule: Backpropagation(), train: split, test: split,
                            options: TrainingOptions(epochs: 3, batchSize: 20, learningRate: 1e-2, optimizer: .adam, seed: 1))
        XCTAssertFalse(out.diverged)
        XCTAssertGreaterThan(out.testAccuracy, 95)
    }

    /// A missing data folder is reported with what to do.
    func testMissingDataDirectoryIsAClearError() {
        XCTAssertThrowsError(try MNISTData.locate("/nonexistent/mnist")) { e in
            XCTAssertTrue("\(e)".contains("train-images-idx3-ubyte"), "\(e)")
        }
    }

    /// Saved runs: a second identical run reuses every saved run (same table, no training), other
    /// settings or a damaged file retrain, and a diverged outcome (NaN figures) survives the round trip.
    func testRunStoreResumesAndRetrainsOnChange() throws {
        let folder = NSTemporaryDirectory() + "run-store-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: folder) }
        var inputs: [Float] = [], labels: [Int32] = []
        for i in 0..<120 {
            labels.append(Int32(i % 10))
            for f in 0..<784 { inputs.append(Float((i * 31 + f * 7) % 97) / 97) }
        }
        let split = MNISTSplit(inputs: inputs, labels: labels, features: 784)
        let lines = LineCollector()
        func run(epochs: Int, fresh: Bool = false) throws -> ExperimentResult {
            let settings = ExperimentSettings(seeds: 2, epochs: epochs, trainCount: split.count, quick: false,
                                              log: { lines.append($0) },
                                              runStore: try RunStore(directory: folder, ignoreSaved: fresh))
            return try DPAlphaExperiment.run(train: split, test: split, settings: settings, only: ["BP"])
        }
        let first = try run(epochs: 1)
        XCTAssertEqual(lines.take().filter { $0.contains("epoch 1/1") }.count, 2, "two runs trained")
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: folder).filter { $0.hasSuffix(".safetensors") }.count, 2)

        let second = try run(epochs: 1)
        let log2 = lines.take()
        XCTAssertEqual(log2.filter { $0.contains("reusing the run saved") }.count, 2, "\(log2)")
        XCTAssertFalse(log2.contains { $0.contains("epoch 1/1") }, "nothing retrained: \(log2)")
        XCTAssertEqual(first.table.markdown, second.table.markdown, "reused runs give the same table (L̂ from the saved weights)")

        _ = try run(epochs: 2)
        let log3 = lines.take()
        XCTAssertEqual(log3.filter { $0.contains("saved with other settings") }.count, 2, "\(log3)")

        _ = try run(epochs: 2, fresh: true)
        XCTAssertEqual(lines.take().filter { $0.contains("epoch 2/2") }.count, 2, "--fresh retrains")

        let store = try RunStore(directory: folder)
        let damaged = store.path(label: "BP", seed: 1)
        try Data([1, 2, 3]).write(to: URL(fileURLWithPath: damaged))
        _ = try run(epochs: 2)
        let log5 = lines.take()
        XCTAssertTrue(log5.contains { $0.contains("seed 1: training") && $0.contains("unusable") }, "\(log5)")
        XCTAssertTrue(log5.contains { $0.contains("seed 2: reusing") }, "\(log5)")

        let net = DPAlphaExperiment.model(seed: 3)
        let diverged = TrainingOutcome(network: net, runningTrainAccuracy: 12.5, testAccuracy: .nan,
                                       testAccuracyPerEpoch: [10, .infinity], diverged: true, seconds: 1.25)
        let path = store.path(label: "DP α=½", seed: 3)
        XCTAssertNotEqual(path, store.path(label: "DP α=1", seed: 3), "labels differing only in non-ASCII stay apart")
        try store.save(diverged, path: path, fingerprint: "f")
        XCTAssertNil(store.load(path: path, fingerprint: "g", into: net).outcome)
        let back = try XCTUnwrap(store.load(path: path, fingerprint: "f", into: DPAlphaExperiment.model(seed: 4)).outcome)
        XCTAssertTrue(back.testAccuracy.isNaN && back.diverged)
        XCTAssertEqual(back.testAccuracyPerEpoch[1], .infinity)
        XCTAssertEqual(back.runningTrainAccuracy, 12.5); XCTAssertEqual(back.seconds, 1.25)
        XCTAssertEqual(back.network.parameters.map(\.weight.scalars), net.parameters.map(\.weight.scalars), "weights bit for bit")
    }

    /// A folder path that is a file is a clear error naming it.
    func testRunStoreRejectsAFile() throws {
        let file = NSTemporaryDirectory() + "run-store-file-\(UUID().uuidString)"
        try Data().write(to: URL(fileURLWithPath: file))
        defer { try? FileManager.default.removeItem(atPath: file) }
        XCTAssertThrowsError(try RunStore(directory: file)) { e in XCTAssertTrue("\(e)".contains(file), "\(e)") }
    }
}

/// Thread-safe collection of log lines.
final class LineCollector: @unchecked Sendable {
    private var lines: [String] = []
    private let lock = NSLock()
    func append(_ s: String) { lock.lock(); lines.append(s); lock.unlock() }
    /// The lines so far, clearing them.
    func take() -> [String] { lock.lock(); defer { lines = []; lock.unlock() }; return lines }
}
