import DualProp
import XCTest

/// The learning rules on a small VGG16 at 1, 5 and 16 kernel threads (issue 15: teams larger
/// than the work of the narrow, 2x2 layers; 16 is oversubscribed on a 2-core CI machine).
final class ThreadCountTests: XCTestCase {
    /// Width ¼ (16…128 channels: direct and im2col convolutions), batch 13 (≥ 12, the direct
    /// leaf's batch tile, so the batch-tile paths run). At each thread count two steps must give
    /// bitwise-identical gradients (static splits), and every block's gradient must match the
    /// 1-thread one within 1e-4 relative L2 error: only the order of float sums changes with the
    /// split (GEMM/convolution reductions of ≤ 9·128 or 13·32·32 terms, typical relative error
    /// ≈ √L·2⁻²⁴ ≈ 1e-5); DP⊤'s nudges are smooth except at ReLU kinks, which differences
    /// this small rarely cross (one crossing moves one unit's δ by β-scaled amounts, far below
    /// 1e-4 of a block's gradient norm here).
    func testRulesAgreeAcrossThreadCounts() throws {
        let saved = Runtime.threads
        defer { Runtime.threads = saved }
        let net = Sequential.vgg16(classes: 10, widthMultiplier: 0.25, seed: 4)
        let x = Tensor(shape: [13, 32, 32, 3]) { i in Float(sin(Double(i) * 0.011)) }
        let y: [Int32] = (0..<13).map { Int32($0 % 10) }
        let rules: [any LearningRule] = [Backpropagation(), AdjointDualPropagation(alpha: 0.5, beta: 0.1)]
        for rule in rules {
            Runtime.threads = 1
            let reference = try rule.step(net, input: x, labels: y).gradients
            for threads in [5, 16] {
                Runtime.threads = threads
                let first = try rule.step(net, input: x, labels: y).gradients
                let second = try rule.step(net, input: x, labels: y).gradients
                for k in first.weights.indices {
                    XCTAssertEqual(first.weights[k].scalars, second.weights[k].scalars, "\(rule.name) block \(k) at \(threads) threads: not deterministic")
                    XCTAssertEqual(first.biases[k].scalars, second.biases[k].scalars, "\(rule.name) block \(k) bias at \(threads) threads: not deterministic")
                }
                for (k, e) in first.relativeErrors(to: reference).enumerated() {
                    XCTAssertLessThan(e, 1e-4, "\(rule.name) block \(k) at \(threads) threads vs 1 thread")
                }
            }
        }
    }
}
