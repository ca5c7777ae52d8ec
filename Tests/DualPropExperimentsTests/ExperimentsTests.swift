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
}
