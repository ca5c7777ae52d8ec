import DualProp
import DualPropExperiments
import XCTest

/// Issue 17 items 4 and 5: wrong-geometry data and diverged (NaN) networks end in an error or a
/// table row, never in a trap.
final class HostileExperimentTests: XCTestCase {
    /// A NaN weight (a diverged or damaged saved run) force-unwrapped a nil in `assess`.
    func testLiftedAssessOfNaNNetworkIsNaN() throws {
        var net = LiftedExperiment.model(seed: 1, activation: .relu)
        net.withParameters { k, w, _ in if k == 0 { w = Tensor(shape: w.shape, values: w.scalars.map { _ in .nan }) } }
        let split = MNISTSplit(inputs: (0..<(4 * 784)).map { Float($0 % 255) / 255 }, labels: [0, 1, 2, 3], features: 784)
        for sweeps in [nil, 3] as [Int?] {
            let r = try LiftedExperiment.assess(net, on: split, gamma: 0.125, sweeps: sweeps)
            XCTAssertTrue(r.accuracy.isNaN)
            XCTAssertEqual(Summary([r.accuracy]).formatted(), "✗ (diverged)")
        }
        let ok = try LiftedExperiment.assess(LiftedExperiment.model(seed: 1, activation: .relu), on: split, gamma: 0.125, sweeps: nil)
        XCTAssertTrue(ok.accuracy.isFinite)
    }

    /// A training split smaller than one batch trapped in a precondition.
    func testTooFewExamplesForABatchIsAnError() {
        let split = MNISTSplit(inputs: [Float](repeating: 0, count: 3 * 784), labels: [0, 1, 2], features: 784)
        let options = TrainingOptions(epochs: 1, batchSize: 50, learningRate: 0.1, optimizer: .sgd, seed: 1)
        XCTAssertThrowsError(try train(LiftedExperiment.model(seed: 1, activation: .relu), rule: Backpropagation(),
                                       train: split, test: split, options: options)) { e in
            XCTAssertTrue("\(e)".contains("less than one batch of 50"), "\(e)")
        }
    }
}
