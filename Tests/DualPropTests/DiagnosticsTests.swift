import DualProp
import XCTest

/// The per-block gradient diagnostics (the paper's Fig. 2 cosine) against hand values.
final class DiagnosticsTests: XCTestCase {
    /// Block 0: a = (W 3, 0; b 4), b = (W 3, 4; b 0): ⟨a, b⟩ = 9, ‖a‖ = ‖b‖ = 5 → cosine 0.36,
    /// ‖a − b‖/‖b‖ = √32/5. Block 1: a = −b → cosine −1, relative error 2. Block 2: both zero →
    /// cosine 0 by convention, error 0. Tolerance 1e-12: the sums are taken in double.
    func testCosinesAndRelativeErrors() {
        func g(_ w: [[Float]], _ b: [Float]) -> Gradients {
            Gradients(weights: w.map { Tensor(shape: [$0.count], values: $0) }, biases: b.map { Tensor(shape: [1], values: [$0]) })
        }
        let a = g([[3, 0], [1, -2], [0, 0]], [4, 0.5, 0])
        let b = g([[3, 4], [-1, 2], [0, 0]], [0, -0.5, 0])
        let cos = a.cosines(with: b), err = a.relativeErrors(to: b)
        for (got, want) in zip(cos, [0.36, -1, 0]) { XCTAssertEqual(got, want, accuracy: 1e-12) }
        for (got, want) in zip(err, [Double(32).squareRoot() / 5, 2, 0]) { XCTAssertEqual(got, want, accuracy: 1e-12) }
    }
}
