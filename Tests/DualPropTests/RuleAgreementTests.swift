import DualProp
import XCTest

/// The identities and limits SPEC §3–§5 guarantee between the learning rules.
final class RuleAgreementTests: XCTestCase {
    static func batch(_ n: Int, features: Int, classes: Int, seed: Int = 1) -> (Tensor, [Int32]) {
        let x = Tensor(shape: [n, features]) { i in Float(sin(Double(i * 7 + seed) * 0.37)) }
        let y = (0..<n).map { Int32(($0 * 5 + seed) % classes) }
        return (x, y)
    }

    /// DP⊤ with α = 0 is Fenchel BP with τ = β (SPEC §3 convention). Float tolerance: both run
    /// the same kernels on the same numbers except `s⁻ = f(a − 0·v)` vs `f(a)` — bitwise equal
    /// up to the order of the weight-gradient sums, so 1e-5 relative.
    func testAdjointAlphaZeroIsFenchel() throws {
        let net = Sequential.mlp(widths: [12, 9, 7, 4], activation: .tanh, seed: 3)
        let (x, y) = Self.batch(6, features: 12, classes: 4)
        for beta: Float in [0.05, 0.5, 2] {
            let dpt = try AdjointDualPropagation(alpha: 0, beta: beta).step(net, input: x, labels: y)
            let fbp = try FenchelBackpropagation(tau: beta).step(net, input: x, labels: y)
            for e in dpt.gradients.relativeErrors(to: fbp.gradients) { XCTAssertLessThan(e, 1e-5, "beta \(beta)") }
        }
    }

    /// Every rule approaches BP as β (τ) → 0: the relative error falls at least linearly in β
    /// (from β = 1 to 0.1 by ≥ 5×). Below β ≈ 0.01 float32 cancellation in `s⁺ − s⁻` (relative
    /// error ≈ ε·|s|/|δ| ≈ 1e-4 here) is the floor, hence the 1e-3 allowance and the cosine check.
    func testRulesConvergeToBackprop() throws {
        let net = Sequential.mlp(widths: [10, 8, 8, 3], activation: .sigmoid, seed: 5)
        let (x, y) = Self.batch(5, features: 10, classes: 3)
        let bp = try Backpropagation().step(net, input: x, labels: y).gradients
        let rules: [(Float) -> any LearningRule] = [
            { FenchelBackpropagation(tau: $0) },
            { AdjointDualPropagation(alpha: 0, beta: $0) },
            { AdjointDualPropagation(alpha: 0.5, beta: $0) },
            { AdjointDualPropagation(alpha: 1, beta: $0) },
            { DualPropagation(alpha: 0.5, beta: $0) },
        ]
        for make in rules {
            let coarse = try make(1).step(net, input: x, labels: y).gradients.relativeErrors(to: bp).max()!
            let fineError = try make(0.1).step(net, input: x, labels: y).gradients.relativeErrors(to: bp).max()!
            XCTAssertLessThan(fineError, 0.2 * coarse + 1e-3, "\(make(1).name): \(coarse) → \(fineError)")
            let fine = try make(0.01).step(net, input: x, labels: y).gradients
            for c in fine.cosines(with: bp) { XCTAssertGreaterThan(c, 0.9999, make(1).name) }
        }
    }
}
