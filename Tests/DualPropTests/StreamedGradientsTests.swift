import DualProp
import XCTest

/// `step(_:input:labels:ready:)` hands each block's gradients over as the rule finishes them
/// (data-parallel training starts their allreduce then). They must be bitwise the gradients
/// `step` returns, every block exactly once, top block first.
final class StreamedGradientsTests: XCTestCase {
    func testEveryRuleStreamsItsOwnGradientsTopFirst() throws {
        let net = Sequential.vgg16(classes: 10, widthMultiplier: 0.0625, seed: 2)
        let x = Tensor(shape: [3, 32, 32, 3]) { i in Float(sin(Double(i) * 0.013)) }
        let y: [Int32] = [1, 7, 4]
        let rules: [any LearningRule] = [
            Backpropagation(), FenchelBackpropagation(tau: 0.05),
            AdjointDualPropagation(alpha: 0.5, beta: 0.1), DualPropagation(alpha: 0.5, beta: 0.1),
            AdjointDualPropagation(alpha: 0, beta: 0.1, schedule: .forwardPasses(2)),
        ]
        for rule in rules {
            var order: [Int] = []
            var streamed: [Int: (Tensor, Tensor)] = [:]
            let r = try rule.step(net, input: x, labels: y) { k, w, b in order.append(k); streamed[k] = (w, b) }
            let plain = try rule.step(net, input: x, labels: y)
            XCTAssertEqual(order, Array((0..<net.depth).reversed()), "\(rule.name): order")
            for k in 0..<net.depth {
                XCTAssertTrue(streamed[k]!.0.isBitwiseEqual(to: r.gradients.weights[k]), "\(rule.name) block \(k) weight")
                XCTAssertTrue(streamed[k]!.1.isBitwiseEqual(to: r.gradients.biases[k]), "\(rule.name) block \(k) bias")
                XCTAssertTrue(plain.gradients.weights[k].isBitwiseEqual(to: r.gradients.weights[k]), "\(rule.name) block \(k): step differs")
            }
        }
    }
}
