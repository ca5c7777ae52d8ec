import DualPropKernels
import XCTest

/// `PoolKernels.switchesAfterInputChange` (`ck_conv3x3_pool_switches_update`) against the switches
/// of a float64 convolution of the new input, computed by naive loops (`ConvCase.forward`).
final class PoolSwitchUpdateTests: XCTestCase {
    /// Odd sizes (the last row/column is not pooled), 1-pixel-wide maps, channel counts around the
    /// vector widths.
    static let cases: [ConvCase] = [
        ConvCase(n: 2, h: 4, w: 4, c: 3, k: 5, r: 3, s: 3, stride: 1, pad: 1),
        ConvCase(n: 3, h: 5, w: 7, c: 17, k: 16, r: 3, s: 3, stride: 1, pad: 1),
        ConvCase(n: 1, h: 2, w: 9, c: 1, k: 33, r: 3, s: 3, stride: 1, pad: 1),
        ConvCase(n: 2, h: 8, w: 6, c: 8, k: 3, r: 3, s: 3, stride: 1, pad: 1),
    ]

    struct Setup {
        var cs: ConvCase
        var weights, bias, xOld, xNew, zOld: Tensor
        var oldSwitches: PoolSwitches
    }

    /// Random (or integer-valued) weights and input; the new input moves `moved` of its elements
    /// by up to `size`. `zOld` comes from the library's float convolution, as in training.
    func setup(_ cs: ConvCase, seed: UInt64, moved: Double, size: Float, integers: Bool = false) throws -> Setup {
        var rng = TestRNG(seed: seed)
        let weights = integers ? rng.intTensor(cs.wShape, 2) : rng.tensor(cs.wShape)
        let bias = integers ? rng.intTensor([cs.k], 2) : rng.tensor([cs.k])
        let xOld = integers ? rng.intTensor(cs.xShape, 2) : rng.tensor(cs.xShape)
        var xNew = xOld
        for i in 0..<xNew.count where Double(rng.next() % 1000) / 1000 < moved {
            xNew[flat: i] += integers ? rng.int(1) : size * rng.uniform()
        }
        let zOld = try ConvKernels.forward(xOld, weights: weights, bias: bias, geometry: cs.geometry)
        return Setup(cs: cs, weights: weights, bias: bias, xOld: xOld, xNew: xNew, zOld: zOld,
                     oldSwitches: try PoolKernels.forward(zOld).switches)
    }

    /// Switches of the float64 convolution of the new input, and for each window channel whether
    /// its top two values are within `slack` of a tie (there a float computation may go either way).
    func oracle(_ s: Setup, slack: Double) -> (switches: [UInt8], nearTie: [Bool]) {
        let cs = s.cs
        var (y, a) = cs.forward(s.xNew.scalars.map(Double.init), s.weights.scalars.map(Double.init))
        for i in y.indices { y[i] += Double(s.bias[flat: i % cs.k]); a[i] += abs(Double(s.bias[flat: i % cs.k])) }
        var sw: [UInt8] = [], near: [Bool] = []
        for n in 0..<cs.n { for p in 0..<cs.h / 2 { for q in 0..<cs.w / 2 { for k in 0..<cs.k {
            let idx = (0..<4).map { e in ((n * cs.h + 2 * p + e / 2) * cs.w + 2 * q + e % 2) * cs.k + k }
            var best = 0
            for e in 1..<4 where y[idx[e]] > y[idx[best]] { best = e }
            sw.append(UInt8(best))
            near.append((0..<4).contains { e in e != best && y[idx[best]] - y[idx[e]] <= slack * (a[idx[best]] + a[idx[e]]) })
        } } } }
        return (sw, near)
    }

    /// Real-valued data, small to large moves: every switch equals the float64 oracle's, except
    /// near ties. Slack 1e-5 of Σ|terms|: above the float32 rounding of a ≤ 9·17-term sum with FMA
    /// (≈ 153·2⁻²⁴ ≈ 9e-6 worst case), so only windows the float pass could genuinely get either
    /// way are excused — and the test checks that those are rare.
    func testMatchesFloat64OracleForSmallAndLargeChanges() throws {
        for (i, cs) in Self.cases.enumerated() {
            for (moved, size) in [(0.02, Float(1e-3)), (0.3, 0.05), (1.0, 1.0)] {
                let s = try setup(cs, seed: 100 + UInt64(i), moved: moved, size: size)
                let r = try PoolKernels.switchesAfterInputChange(weights: s.weights, bias: s.bias, newInput: s.xNew,
                                                               oldInput: s.xOld, oldOutput: s.zOld, oldSwitches: s.oldSwitches)
                let got = try XCTUnwrap(r.switches, "\(cs): no limit was set, so switches must come back")
                let o = oracle(s, slack: 1e-5)
                var excused = 0
                for t in o.switches.indices where got.positions[t] != o.switches[t] {
                    XCTAssertTrue(o.nearTie[t], "\(cs) moved \(moved)×\(size): window channel \(t) has switch \(got.positions[t]), float64 oracle \(o.switches[t])")
                    excused += 1
                }
                XCTAssertLessThanOrEqual(excused, 1, "\(cs): \(excused) near ties")
                XCTAssertGreaterThanOrEqual(r.undecided, 0)
                XCTAssertLessThanOrEqual(r.undecided, got.positions.count)
            }
        }
    }

    /// Integer data: every convolution value is exact in float, ties are common, and the tie rule
    /// (first maximum wins) must agree with the oracle everywhere, recomputed windows included.
    func testIntegerDataWithTiesMatchesExactly() throws {
        for (i, cs) in Self.cases.enumerated() {
            let s = try setup(cs, seed: 200 + UInt64(i), moved: 0.2, size: 1, integers: true)
            let r = try PoolKernels.switchesAfterInputChange(weights: s.weights, bias: s.bias, newInput: s.xNew,
                                                           oldInput: s.xOld, oldOutput: s.zOld, oldSwitches: s.oldSwitches)
            XCTAssertEqual(try XCTUnwrap(r.switches).positions, oracle(s, slack: 0).switches, "\(cs)")
            XCTAssertGreaterThan(r.undecided, 0, "\(cs): integer moves of 1 should leave some windows undecided")
        }
    }

    /// No change: nothing is undecided and the switches come back as given; over the limit: nil.
    func testUnchangedInputAndRecomputeLimit() throws {
        let cs = Self.cases[1]
        let same = try setup(cs, seed: 300, moved: 0, size: 0)
        let r0 = try PoolKernels.switchesAfterInputChange(weights: same.weights, bias: same.bias, newInput: same.xNew,
                                                        oldInput: same.xOld, oldOutput: same.zOld,
                                                        oldSwitches: same.oldSwitches, maxRecompute: 0)
        XCTAssertEqual(r0.undecided, 0)
        XCTAssertEqual(r0.switches, same.oldSwitches)
        let big = try setup(cs, seed: 301, moved: 1, size: 1)
        let r1 = try PoolKernels.switchesAfterInputChange(weights: big.weights, bias: big.bias, newInput: big.xNew,
                                                        oldInput: big.xOld, oldOutput: big.zOld,
                                                        oldSwitches: big.oldSwitches, maxRecompute: 0)
        XCTAssertGreaterThan(r1.undecided, 0)
        XCTAssertNil(r1.switches, "more undecided pairs than the limit: the caller recomputes the convolution")
    }

    /// The threads split rows of windows; each writes its own switches, so the result is the same
    /// at every thread count.
    func testThreadCountDoesNotChangeTheResult() throws {
        let s = try setup(Self.cases[1], seed: 400, moved: 0.5, size: 0.1)
        let saved = Runtime.threads
        defer { Runtime.threads = saved }
        var results: [PoolSwitches?] = []
        for t in [1, 2, 3] {
            Runtime.threads = t
            results.append(try PoolKernels.switchesAfterInputChange(weights: s.weights, bias: s.bias, newInput: s.xNew,
                                                                  oldInput: s.xOld, oldOutput: s.zOld,
                                                                  oldSwitches: s.oldSwitches).switches)
        }
        XCTAssertEqual(results[0], results[1]); XCTAssertEqual(results[0], results[2])
    }

    /// A switch outside 0…3 is rejected with the C status, not silently used.
    func testRejectsInvalidSwitch() throws {
        let s = try setup(Self.cases[0], seed: 500, moved: 0.1, size: 0.1)
        var bad = s.oldSwitches.positions
        bad[0] = 7
        XCTAssertThrowsError(try PoolKernels.switchesAfterInputChange(
            weights: s.weights, bias: s.bias, newInput: s.xNew, oldInput: s.xOld, oldOutput: s.zOld,
            oldSwitches: PoolSwitches(shape: s.oldSwitches.shape, positions: bad)))
    }
}
