import DualPropKernels
import XCTest

final class LossTests: XCTestCase {
    /// float64 softmax cross-entropy (log-sum-exp with max subtraction) and its gradient.
    func reference(_ z: [Double], _ labels: [Int32], classes: Int) -> (sum: Double, grad: [Double]) {
        var sum = 0.0, grad = [Double](repeating: 0, count: z.count)
        for i in 0..<labels.count {
            let row = Array(z[i * classes..<(i + 1) * classes])
            let m = row.max()!
            let lse = m + log(row.reduce(0) { $0 + exp($1 - m) })
            sum += lse - row[Int(labels[i])]
            for j in 0..<classes { grad[i * classes + j] = exp(row[j] - lse) - (j == Int(labels[i]) ? 1 : 0) }
        }
        return (sum, grad)
    }

    /// Relative 1e-6 on the loss (float logits, double accumulation) and 1e-6 absolute on the
    /// gradient (probabilities in [0,1] rounded to float: error ≤ 2⁻²⁴ plus exp's error).
    func testLossAndGradientMatchReference() throws {
        var rng = TestRNG(seed: 20)
        for (b, c) in [(1, 1), (3, 10), (7, 100), (3, 1000)] {
            let z = Tensor(shape: [b, c]) { _ in rng.uniform() * 20 }
            let labels = (0..<b).map { _ in Int32(rng.next() % UInt64(c)) }
            let ref = reference(z.doubles, labels, classes: c)
            try forEachConfiguration { isa, t in
                let r = try SoftmaxCrossEntropy.evaluate(logits: z, labels: labels, gradScale: 0.5)
                XCTAssertEqual(r.sum, ref.sum, accuracy: 1e-6 * max(1, abs(ref.sum)), "b\(b) c\(c) \(isa)")
                XCTAssertEqual(r.mean, ref.sum / Double(b), accuracy: 1e-6 * max(1, abs(ref.sum)))
                for (g, e) in zip(r.gradient.doubles, ref.grad) { XCTAssertEqual(g, 0.5 * e, accuracy: 1e-6) }
            }
        }
    }

    func testHugeLogitsStayFinite() throws {
        let z = Tensor(shape: [2, 3], values: [1000, -1000, 999, -1e30, 3e38, -3e38])
        let r = try SoftmaxCrossEntropy.evaluate(logits: z, labels: [2, 1])
        // row 0: lse = 1000 + log(1 + e⁻¹), loss = 1 + log(1 + e⁻¹); row 1: label holds the max: loss 0
        XCTAssertEqual(r.sum, 1 + log(1 + exp(-1.0)), accuracy: 1e-5)
        XCTAssertTrue(r.gradient.scalars.allSatisfy(\.isFinite))
    }

    /// Finite differences in float64 of the loss reference confirm the gradient formula the kernel uses.
    func testGradientMatchesFiniteDifferences() throws {
        var rng = TestRNG(seed: 21)
        let (b, c) = (3, 7)
        let z = Tensor(shape: [b, c]) { _ in rng.uniform() * 3 }
        let labels: [Int32] = [0, 6, 3]
        let g = try SoftmaxCrossEntropy.evaluate(logits: z, labels: labels).gradient.doubles
        let h = 1e-5
        for i in 0..<b * c {
            var p = z.doubles, m = z.doubles
            p[i] += h; m[i] -= h
            let fd = (reference(p, labels, classes: c).sum - reference(m, labels, classes: c).sum) / (2 * h)
            XCTAssertEqual(g[i], fd, accuracy: 1e-6, "element \(i)")
        }
    }

    func testTopKCountsWithTies() throws {
        let z = Tensor(shape: [4, 5], values: [
            5, 4, 3, 2, 1,   // label 0: top-1
            1, 2, 3, 4, 5,   // label 0: rank 5
            1, 1, 1, 1, 1,   // all tied: correct for every k
            0, 9, 8, 7, 6,   // label 2: rank 2
        ])
        let labels: [Int32] = [0, 0, 3, 2]
        XCTAssertEqual(try SoftmaxCrossEntropy.topKCorrect(logits: z, labels: labels, k: 1), 2)
        XCTAssertEqual(try SoftmaxCrossEntropy.topKCorrect(logits: z, labels: labels, k: 2), 3)
        XCTAssertEqual(try SoftmaxCrossEntropy.topKCorrect(logits: z, labels: labels, k: 5), 4)
        XCTAssertThrowsError(try SoftmaxCrossEntropy.evaluate(logits: z, labels: [0, 0, 5, 0]))
    }
}
