import DualProp
import XCTest

/// BP (SPEC §2, and through the Bregman/Euclidean layers of §8) against central finite differences
/// of a float64 re-implementation of the forward pass and loss (Reference.swift), on tiny nets.
///
/// Tolerances. The finite differences are taken in float64 with h = 1e-6 on the float64 loss of the
/// very parameter values the float32 network holds: truncation error ≈ h²·|ℓ'''|/6 ≈ 1e-12 and
/// rounding ≈ ε₆₄·|ℓ|/h ≈ 1e-10, so the reference is exact to ~1e-9. The float32 BP gradient
/// carries the rounding of a few layers of float32 sums (≤ ~50 terms each, relative ≈ 1e-6 per
/// layer, plus the few-ULP transcendental kernels), so per block the relative error
/// ‖g_BP − g_FD‖/‖g_FD‖ must stay below 1e-5 (the worst value measured over these nets is 4e-7;
/// a layout or formula error gives O(1)), and every element must agree to 1e-5·max|g_FD| (an
/// element-wise check that no single entry hides under the norm).
final class BackpropGradientCheckTests: XCTestCase {
    static let h = 1e-6
    static let blockTolerance = 1e-5
    static let elementTolerance = 1e-5

    /// Compare library BP with finite differences on `net` for the batch `(x, y)`.
    func check(_ net: Sequential, _ x: Tensor, _ y: [Int32], _ what: String,
               file: StaticString = #filePath, line: UInt = #line) throws {
        let bp = try Backpropagation().step(net, input: x, labels: y)
        let ref = RefNet(net)
        let fd = ref.finiteDifferenceGradients(RefTensor(x), labels: y, h: Self.h)
        // The loss the rule reports is the forward-pass mean loss: float32 vs float64, 1e-5 relative.
        let refLoss = ref.loss(RefTensor(x), labels: y)
        XCTAssertEqual(bp.loss, refLoss, accuracy: 1e-5 * max(1, abs(refLoss)), "\(what): loss", file: file, line: line)
        let errors = relativeErrors(bp.gradients, fd)
        for (k, e) in errors.enumerated() {
            XCTAssertLessThan(e, Self.blockTolerance, "\(what): block \(k) relative error", file: file, line: line)
            let got = bp.gradients.weights[k].scalars + bp.gradients.biases[k].scalars
            let want = fd[k].w + fd[k].b
            let scale = want.map(abs).max()!
            XCTAssertGreaterThan(scale, 0, "\(what): block \(k) has an all-zero gradient (test net too degenerate)")
            for (i, (g, r)) in zip(got, want).enumerated() where abs(Double(g) - r) > Self.elementTolerance * scale {
                XCTFail("\(what): block \(k) element \(i): BP \(g) vs FD \(r)", file: file, line: line)
                break
            }
        }
    }

    static func batch(_ n: Int, features: Int, classes: Int, seed: UInt64, lo: Double = -1, hi: Double = 1)
        -> (Tensor, [Int32]) {
        (Tensor(shape: [n, features], values: testValues(n * features, seed: seed, lo: lo, hi: hi)),
         (0..<n).map { Int32(($0 * 7 + Int(seed)) % classes) })
    }

    /// MLPs with tanh and ReLU, both losses. Biases are made non-zero so their gradient matters
    /// and ReLU units sit away from their kink (probability of |a| < 1e-6 is negligible).
    func testMLP() throws {
        for act in [Activation.tanh, .relu, .sigmoid] {
            for loss in OutputLoss.allCases {
                var net = Sequential.mlp(widths: [5, 6, 4, 3], activation: act, loss: loss, seed: 11)
                net.withParameters { k, _, b in b = Tensor(shape: b.shape, values: testValues(b.count, seed: UInt64(k + 40), lo: -0.3, hi: 0.3)) }
                let (x, y) = Self.batch(4, features: 5, classes: 3, seed: 3)
                try check(net, x, y, "mlp \(act) \(loss)")
            }
        }
    }

    /// conv3x3 (same padding) + 2x2 max-pool + ReLU + linear on a 2x4x4x2 batch (SPEC §7 block
    /// order: pool between conv+bias and the activation), both losses; and a deeper variant with
    /// two conv blocks (the second without pooling) so that the conv transpose is exercised.
    func testTinyConvNet() throws {
        for loss in OutputLoss.allCases {
            var net = Sequential([
                .conv2d(Conv2d(inChannels: 2, outChannels: 3, seed: 7, name: "c0")),
                .maxPool2d(MaxPool2d()), .activation(.relu), .flatten(Flatten()),
                .linear(Linear(inFeatures: 12, outFeatures: 3, seed: 8, name: "fc")),
            ], loss: loss)
            net.withParameters { k, _, b in b = Tensor(shape: b.shape, values: testValues(b.count, seed: UInt64(k + 9), lo: -0.2, hi: 0.2)) }
            let x = Tensor(shape: [2, 4, 4, 2], values: testValues(64, seed: 5))
            try check(net, x, [1, 2], "conv+pool+relu+linear \(loss)")
        }
        var deeper = Sequential([
            .conv2d(Conv2d(inChannels: 2, outChannels: 3, seed: 21, name: "c0")), .activation(.tanh),
            .conv2d(Conv2d(inChannels: 3, outChannels: 2, seed: 22, name: "c1")), .maxPool2d(MaxPool2d()), .activation(.relu),
            .flatten(Flatten()), .linear(Linear(inFeatures: 8, outFeatures: 3, seed: 23, name: "fc")),
        ])
        deeper.withParameters { k, _, b in b = Tensor(shape: b.shape, values: testValues(b.count, seed: UInt64(k + 30), lo: -0.2, hi: 0.2)) }
        try check(deeper, Tensor(shape: [2, 4, 4, 2], values: testValues(64, seed: 6)), [0, 2], "conv-tanh-conv-pool-relu-linear")
    }

    /// The standard / Euclidean / Bregman MLPs of SPEC §8 with sigmoid (inputs in ]0.1, 0.9[) and
    /// tanh (inputs in ]−0.8, 0.8[), both losses: BP through ρ⁻¹ including its derivative.
    func testBregmanMLP() throws {
        for (act, lo, hi) in [(Activation.sigmoid, 0.1, 0.9), (.tanh, -0.8, 0.8)] {
            for skip in SkipConnection.allCases {
                for loss in OutputLoss.allCases {
                    var net = Sequential.bregmanMLP(width: 4, hiddenLayers: 2, classes: 3, activation: act, skip: skip,
                                                    loss: loss, seed: 13)
                    // Scale W down so hidden states stay well inside ρ's domain (f⁻¹ clamps 1e-6 from it).
                    net.withParameters { k, w, b in
                        w = Tensor(shape: w.shape, values: w.scalars.map { 0.5 * $0 })
                        b = Tensor(shape: b.shape, values: testValues(b.count, seed: UInt64(k + 50), lo: -0.2, hi: 0.2))
                    }
                    let (x, y) = Self.batch(3, features: 4, classes: 3, seed: 17, lo: lo, hi: hi)
                    try check(net, x, y, "bregmanMLP \(act) \(skip) \(loss)")
                }
            }
        }
    }
}
