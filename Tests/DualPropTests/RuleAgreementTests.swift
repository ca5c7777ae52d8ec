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

/// The schedules on a reduced-width VGG16 (13 conv + pooling + 3 linear, L = 16 blocks).
final class VGGScheduleTests: XCTestCase {
    /// With K ≥ L forward-only passes the signal reaches every layer: each block's DP⊤ gradient
    /// is close to BP's (β = 0.01: cosine > 0.97; measured 0.981–1.0 per block, the same as one
    /// sweep gives — ReLU units that flip under the nudge and float32 cancellation limit it).
    /// With K < L the lowest blocks have not been reached yet and get exactly zero gradients.
    func testForwardPassesReachEveryLayer() throws {
        let net = Sequential.vgg16(classes: 10, widthMultiplier: 1.0 / 16, seed: 2)
        let x = Tensor(shape: [2, 32, 32, 3]) { i in Float(sin(Double(i) * 0.013)) }
        let y: [Int32] = [3, 7]
        let bp = try Backpropagation().step(net, input: x, labels: y).gradients
        let full = try AdjointDualPropagation(alpha: 0.5, beta: 0.01, schedule: .forwardPasses(16))
            .step(net, input: x, labels: y).gradients
        let sweep = try AdjointDualPropagation(alpha: 0.5, beta: 0.01).step(net, input: x, labels: y).gradients
        print("cosine to BP per block, K=16 passes:", full.cosines(with: bp).map { ($0 * 1e4).rounded() / 1e4 })
        print("cosine to BP per block, one sweep:  ", sweep.cosines(with: bp).map { ($0 * 1e4).rounded() / 1e4 })
        for (k, c) in full.cosines(with: bp).enumerated() { XCTAssertGreaterThan(c, 0.97, "block \(k)") }
        let short = try AdjointDualPropagation(alpha: 0.5, beta: 0.01, schedule: .forwardPasses(4))
            .step(net, input: x, labels: y).gradients
        XCTAssertTrue(short.weights[0].scalars.allSatisfy { $0 == 0 }, "block 0 reached after 4 passes")
        XCTAssertGreaterThan(short.cosines(with: bp)[15], 0.99)
    }
}
