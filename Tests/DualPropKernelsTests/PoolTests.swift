import DualPropKernels
import XCTest

final class PoolTests: XCTestCase {
    /// float64 reference: maxima, switches (first maximum wins) and routed gradient.
    func reference(_ x: Tensor) -> (y: [Float], sw: [UInt8]) {
        let (n, h, w, c) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
        var y: [Float] = [], sw: [UInt8] = []
        for n0 in 0..<n { for p in 0..<h / 2 { for q in 0..<w / 2 { for c0 in 0..<c {
            var best = -Double.infinity, arg = -1
            for k in 0..<4 {
                let v = Double(x[n0, 2 * p + k / 2, 2 * q + k % 2, c0])
                if arg < 0 || v > best { best = v; arg = k }
            }
            y.append(Float(best)); sw.append(UInt8(arg))
        } } } }
        return (y, sw)
    }

    func routed(_ dy: Tensor, _ sw: [UInt8], _ shape: [Int]) -> [Float] {
        var dx = Tensor(shape: shape)
        let (n, h, w, c) = (shape[0], shape[1], shape[2], shape[3])
        var i = 0
        for n0 in 0..<n { for p in 0..<h / 2 { for q in 0..<w / 2 { for c0 in 0..<c {
            let k = Int(sw[i])
            dx[n0, 2 * p + k / 2, 2 * q + k % 2, c0] = dy[flat: i]
            i += 1
        } } } }
        return dx.scalars
    }

    /// Shapes: odd spatial sizes (the last row/column dropped), spatial 1 (empty output),
    /// channel counts around the 8/16-lane vector widths.
    static let shapes: [[Int]] = [[1, 2, 2, 1], [3, 5, 7, 3], [1, 1, 4, 5], [3, 4, 4, 17], [1, 8, 6, 33], [3, 32, 32, 16]]

    func testForwardAndBackwardMatchReferenceExactly() throws {
        var rng = TestRNG(seed: 10)
        for s in Self.shapes {
            // integer values in [-2, 2]: many ties, so the tie rule is exercised everywhere
            let x = rng.intTensor(s, 2), other = rng.intTensor(s, 2)
            let ref = reference(x), refOther = reference(other)
            let dy = rng.tensor(PoolKernels.outputShape(s))
            try forEachConfiguration { isa, t in
                let ctx = "\(s) isa \(isa) threads \(t)"
                let (y, sw) = try PoolKernels.forward(x)
                XCTAssertEqual(y.scalars, ref.y, ctx)
                XCTAssertEqual(sw.positions, ref.sw, ctx)
                XCTAssertEqual(try PoolKernels.backward(dy, switches: sw, inputShape: s).scalars, routed(dy, ref.sw, s), ctx)
                XCTAssertEqual(try PoolKernels.backward(dy, switchesOf: other).scalars, routed(dy, refOther.sw, s), ctx)
            }
        }
    }

    func testTiesPickTheFirstMaximum() throws {
        // one window per channel: channel k has its maxima at the positions listed
        let windows: [[Float]] = [[1, 1, 1, 1], [0, 2, 2, 0], [0, 0, 3, 3], [5, 0, 0, 5], [-1, -1, -2, -1],
                                  [0, -0.0, 0, 0], [1, 2, 3, 4], [4, 3, 2, 1]]
        let expected: [UInt8] = [0, 1, 2, 0, 0, 0, 3, 0]
        for c in [8, 24] { // 24 channels: a full 16-lane vector plus a tail on AVX-512
            var x = Tensor(shape: [1, 2, 2, c])
            for ch in 0..<c { for k in 0..<4 { x[0, k / 2, k % 2, ch] = windows[ch % 8][k] } }
            try forEachConfiguration { isa, _ in
                let sw = try PoolKernels.forward(x).switches.positions
                XCTAssertEqual(sw, (0..<c).map { expected[$0 % 8] }, "isa \(isa) c \(c)")
            }
        }
    }

    /// Finite differences in float64 of Σ dy·maxpool(x) at a point without ties (distinct values
    /// ≥ 0.01 apart, step 1e-4): the derivative is exactly the routed dy.
    func testBackwardMatchesFiniteDifferences() throws {
        let s = [2, 4, 6, 3]
        let count = s.reduce(1, *)
        var rng = TestRNG(seed: 11)
        var perm = Array(0..<count)
        for i in stride(from: count - 1, to: 0, by: -1) { perm.swapAt(i, Int(rng.next() % UInt64(i + 1))) }
        let x = Tensor(shape: s) { Float(perm[$0]) * 0.01 }
        let dy = rng.tensor(PoolKernels.outputShape(s))
        func loss(_ xd: [Double]) -> Double {
            let y = reference(Tensor(shape: s, values: xd.map(Float.init))).y
            return y.indices.reduce(0) { $0 + Double(y[$1]) * Double(dy[flat: $1]) }
        }
        let h = 1e-4
        let fd: [Double] = x.doubles.indices.map { i in
            var p = x.doubles, m = x.doubles
            p[i] += h; m[i] -= h
            return (loss(p) - loss(m)) / (2 * h)
        }
        try forEachConfiguration { isa, _ in
            let (_, sw) = try PoolKernels.forward(x)
            let dx = try PoolKernels.backward(dy, switches: sw, inputShape: s).doubles
            for i in dx.indices { XCTAssertEqual(dx[i], fd[i], accuracy: 1e-3, "isa \(isa) element \(i)") }
        }
    }
}
