import DualPropKernels
import XCTest

final class EltwiseTests: XCTestCase {
    /// Lengths: 1, below and above one vector, a tail, and above the parallel threshold.
    static let lengths = [1, 7, 16, 17, 100, 50_003]

    func testReluForwardBackwardExact() throws {
        var rng = TestRNG(seed: 30)
        for n in Self.lengths {
            var x = rng.tensor([n])
            if n > 3 { x[flat: 0] = 0; x[flat: 1] = -0.0; x[flat: 2] = .nan }
            let dy = rng.tensor([n])
            let yRef = x.scalars.map { $0 > 0 ? $0 : 0 }
            let dxRef = (0..<n).map { x[flat: $0] > 0 ? dy[flat: $0] : 0 }
            try forEachConfiguration { isa, t in
                XCTAssertEqual(try Eltwise.relu(x).scalars, yRef, "n\(n) \(isa) t\(t)")
                XCTAssertEqual(try Eltwise.reluBackward(x, dy).scalars, dxRef, "n\(n) \(isa) t\(t)")
            }
        }
    }

    func testBiasAddAndAxpy() throws {
        var rng = TestRNG(seed: 31)
        for (rows, cols) in [(1, 1), (3, 17), (100, 64), (1000, 33)] {
            let y0 = rng.tensor([rows, cols]), b = rng.tensor([cols]), x = rng.tensor([rows, cols])
            try forEachConfiguration { isa, _ in
                var y = y0
                try Eltwise.addBias(&y, b)
                // one float addition each: must equal Swift's float addition exactly
                XCTAssertEqual(y.scalars, (0..<rows * cols).map { y0[flat: $0] + b[flat: $0 % cols] }, "\(isa)")
                var z = y0
                try Eltwise.axpy(-0.5, x, &z)
                // FMA vs multiply-then-add differ by at most one rounding: 2⁻²³ relative to |a·x| + |y|
                for i in 0..<z.count {
                    let e = Double(y0[flat: i]) - 0.5 * Double(x[flat: i])
                    XCTAssertEqual(Double(z[flat: i]), e, accuracy: 3e-7 * (abs(Double(y0[flat: i])) + abs(Double(x[flat: i]))))
                }
            }
        }
    }

    /// Optimizer steps against float64 evaluation of PyTorch's formulas, three steps in a row;
    /// relative tolerance 1e-5 (a few float32 roundings per step, compounded over three steps).
    func testSGDAndAdamMatchFloat64() throws {
        var rng = TestRNG(seed: 32)
        for n in [1, 17, 50_003] {
            let w0 = rng.tensor([n]), grads = (0..<3).map { _ in rng.tensor([n]) }
            // float64 references
            var ws = w0.doubles, vs = [Double](repeating: 0, count: n)
            var wa = w0.doubles, ma = vs, va = vs
            let (lr, mom, wd) = (0.1, 0.9, 5e-4)
            let (b1, b2, eps) = (0.9, 0.999, 1e-8)
            for (t, g) in grads.enumerated() {
                for i in 0..<n {
                    let gi = Double(g[flat: i]) + wd * ws[i]
                    vs[i] = mom * vs[i] + gi
                    ws[i] -= lr * vs[i]
                    let ga = Double(g[flat: i]) + wd * wa[i]
                    ma[i] = b1 * ma[i] + (1 - b1) * ga
                    va[i] = b2 * va[i] + (1 - b2) * ga * ga
                    let mh = ma[i] / (1 - pow(b1, Double(t + 1))), vh = va[i] / (1 - pow(b2, Double(t + 1)))
                    wa[i] -= 0.01 * mh / (vh.squareRoot() + eps)
                }
            }
            try forEachConfiguration { isa, _ in
                var w = w0, v = Tensor(shape: [n]), wA = w0, m = Tensor(shape: [n]), vA = Tensor(shape: [n])
                for (t, g) in grads.enumerated() {
                    try Optim.sgdStep(weights: &w, gradient: g, velocity: &v, learningRate: 0.1, momentum: 0.9, weightDecay: 5e-4)
                    try Optim.adamStep(weights: &wA, gradient: g, m: &m, v: &vA, step: t + 1, learningRate: 0.01, weightDecay: 5e-4)
                }
                for i in 0..<n {
                    XCTAssertEqual(Double(w[flat: i]), ws[i], accuracy: 1e-5 * max(1, abs(ws[i])), "sgd \(isa) n\(n) i\(i)")
                    XCTAssertEqual(Double(wA[flat: i]), wa[i], accuracy: 1e-5 * max(1, abs(wa[i])), "adam \(isa) n\(n) i\(i)")
                }
            }
        }
    }
}
