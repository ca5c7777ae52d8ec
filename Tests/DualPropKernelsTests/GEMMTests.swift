import DualPropKernels
import XCTest

final class MatmulTests: XCTestCase {
    /// matmul on small tensors against a float64 product; |err| ≤ (k + 4)·u·Σ|a||b| as in the
    /// C-level GEMM tests (the bound of a length-k float32 dot product plus the final scaling).
    func testMatmulMatchesFloat64ProductForAllTransposes() throws {
        let m = 5, n = 7, k = 9
        let a = Tensor(shape: [m, k]) { Float(($0 * 7) % 11) / 11 - 0.5 }
        let b = Tensor(shape: [k, n]) { Float(($0 * 5) % 13) / 13 - 0.5 }
        let at = Tensor(shape: [k, m]) { idx in a[idx % m, idx / m] }
        let bt = Tensor(shape: [n, k]) { idx in b[idx % k, idx / k] }
        for (ta, tb) in [(false, false), (true, false), (false, true), (true, true)] {
            let c = try matmul(ta ? at : a, tb ? bt : b, transposeA: ta, transposeB: tb)
            XCTAssertEqual(c.shape, [m, n])
            for i in 0..<m {
                for j in 0..<n {
                    var dot = 0.0, mag = 0.0
                    for p in 0..<k {
                        dot += Double(a[i, p]) * Double(b[p, j])
                        mag += abs(Double(a[i, p]) * Double(b[p, j]))
                    }
                    XCTAssertEqual(Double(c[i, j]), dot, accuracy: Double(k + 4) * 0x1p-24 * mag + 1e-30,
                                   "transposeA=\(ta) transposeB=\(tb) [\(i),\(j)]")
                }
            }
        }
    }

    func testMatmulAccumulatesWithAlphaAndBeta() throws {
        let a = Tensor(shape: [2, 2], values: [1, 2, 3, 4])
        let b = Tensor(shape: [2, 2], values: [5, 6, 7, 8])
        var c = Tensor(shape: [2, 2], values: [1, 1, 1, 1])
        try matmul(a, b, alpha: 2, beta: -0.5, into: &c)
        XCTAssertEqual(c.scalars, [37.5, 43.5, 85.5, 99.5]) // 2·[[19,22],[43,50]] − 0.5
    }

    func testMatmulWithEmptyInnerDimensionGivesZeros() throws {
        let c = try matmul(Tensor(shape: [3, 0]), Tensor(shape: [0, 4]))
        XCTAssertEqual(c, Tensor(shape: [3, 4]))
    }
}
