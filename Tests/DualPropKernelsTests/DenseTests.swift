import DualPropKernels
import XCTest

final class DenseTests: XCTestCase {
    /// A dense layer is a 1x1 convolution over a 1x1 image: reuse the conv float64 reference and
    /// its rounding bound; finite differences of the float64 forward check the backward formulas.
    func testForwardBackwardMatchFloat64() throws {
        var rng = TestRNG(seed: 40)
        for (b, i, o) in [(1, 1, 1), (3, 17, 5), (50, 100, 10), (7, 512, 33)] {
            let cc = ConvCase(n: b, h: 1, w: 1, c: i, k: o, r: 1, s: 1, stride: 1, pad: 0)
            let x = rng.tensor([b, i]), w = rng.tensor([i, o]), bias = rng.tensor([o]), dy = rng.tensor([b, o])
            var yRef = cc.forward(x.doubles, w.doubles)
            for j in yRef.value.indices { yRef.value[j] += Double(bias[flat: j % o]); yRef.abs[j] += abs(Double(bias[flat: j % o])) }
            let dxRef = cc.backwardData(dy.doubles, w.doubles), dwRef = cc.backwardWeights(x.doubles, dy.doubles)
            var dbRef = [Double](repeating: 0, count: o), dbAbs = dbRef
            for j in 0..<b * o { dbRef[j % o] += Double(dy[flat: j]); dbAbs[j % o] += abs(Double(dy[flat: j])) }
            try forEachConfiguration { isa, t in
                let ctx = "b\(b) in\(i) out\(o) \(isa) t\(t)"
                let y = try Dense.forward(x, weights: w, bias: bias)
                if let e = boundCheck(y.scalars, yRef.value, yRef.abs, terms: cc.longestSum + 1) { XCTFail("fwd \(ctx): \(e)") }
                let dx = try Dense.backwardData(dy, weights: w)
                if let e = boundCheck(dx.scalars, dxRef.value, dxRef.abs, terms: cc.longestSum) { XCTFail("bwd_data \(ctx): \(e)") }
                let (dw, db) = try Dense.backwardWeights(x, dy)
                if let e = boundCheck(dw.scalars, dwRef.value, dwRef.abs, terms: cc.longestSum) { XCTFail("dw \(ctx): \(e)") }
                if let e = boundCheck(db.scalars, dbRef, dbAbs, terms: b) { XCTFail("db \(ctx): \(e)") }
            }
        }
    }
}
