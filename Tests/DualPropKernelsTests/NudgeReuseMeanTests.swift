import DualPropKernels
import XCTest

/// `Nudge.hiddenWithDelta(…, previousMean:)` (`ck_nudge_delta_reuse_mean`): bitwise the plain
/// fused nudge on every ISA path and thread count; it hands the held s̄ back exactly when every
/// element of the new s̄ equals it bit for bit, and writes s̄ in full otherwise.
final class NudgeReuseMeanTests: XCTestCase {
    func randomTensor(_ n: Int, _ lo: Float, _ hi: Float, seed: UInt64) -> Tensor {
        var rng = SplitMix(state: seed)
        return Tensor(shape: [n], generator: { _ in rng.uniform(lo, hi) })
    }

    /// Checks one call against `hiddenWithDelta` without a previous mean (the reference, itself
    /// tested against the float64 oracle elsewhere) and returns whether s̄ was reused.
    func check(_ act: Activation, _ rule: NudgeRule, _ alpha: Float, _ a: Tensor, _ v: Tensor, _ old: Tensor,
               _ what: String) throws -> Bool {
        let ref = try Nudge.hiddenWithDelta(act, rule: rule, alpha: alpha, preActivation: a, feedback: v, keepMinus: true)
        for keep in [false, true] {
            let r = try Nudge.hiddenWithDelta(act, rule: rule, alpha: alpha, preActivation: a, feedback: v,
                                              previousMean: old, keepMinus: keep)
            let w = "\(what) keepMinus=\(keep)"
            XCTAssertTrue(r.plus.isBitwiseEqual(to: ref.plus), w)
            XCTAssertTrue(r.delta.isBitwiseEqual(to: ref.delta), w)
            XCTAssertTrue(r.mean.isBitwiseEqual(to: ref.mean), w)
            XCTAssertEqual(r.minus.map { $0.isBitwiseEqual(to: ref.minus!) }, keep ? true : nil, w)
            XCTAssertEqual(r.meanUnchanged, ref.mean.isBitwiseEqual(to: old), w)
        }
        return ref.mean.isBitwiseEqual(to: old)
    }

    /// DP⊤ α ∈ {0, 1} against the forward state f(a): reused; α = ½ and DP: written. Every family, every ISA,
    /// 1–3 threads, a length with a SIMD tail and (ReLU) one on the threaded streaming path.
    func testEqualsPlainNudgeAndReusesForwardState() throws {
        let saved = Runtime.threads
        defer { Runtime.threads = saved }
        try Runtime.forEachISA { isa in
            for act in Activation.allFamilies() {
                for n in act == .relu ? [1037, (1 << 20) + 37] : [1037] {
                    let a = randomTensor(n, -4, 4, seed: 21), v = randomTensor(n, -2, 2, seed: 22)
                    let fa = try act(a)
                    for threads in [1, 2, 3] {
                        Runtime.threads = threads
                        for (rule, alpha) in [(NudgeRule.dpT, Float(0)), (.dpT, 1), (.dp, 0), (.dp, 1), (.dpT, 0.5)] {
                            let what = "\(isa) \(act) \(rule) α=\(alpha) n=\(n) threads=\(threads)"
                            let reused = try check(act, rule, alpha, a, v, fa, what)
                            // DP⊤ keeps s̄ = f(a) at α ∈ {0, 1}; DP moves it (s̄ = f(a ± v) there).
                            if rule == .dpT && alpha != 0.5 && act == .relu { XCTAssertTrue(reused, what) }
                            if rule == .dp || alpha == 0.5 { XCTAssertFalse(reused, what) }
                        }
                    }
                }
            }
        }
    }

    /// One differing element anywhere (first, middle, a SIMD tail lane, last) is found: a
    /// non-finite feedback (0·∞ = NaN), a flipped bit in the held s̄, a −0 that becomes +0.
    func testAnySingleDifferenceIsFound() throws {
        let saved = Runtime.threads
        defer { Runtime.threads = saved }
        let n = 100_037  // threaded (≥ 2^15) with a tail
        try Runtime.forEachISA { isa in
            for threads in [1, 2] {
                Runtime.threads = threads
                for at in [0, 17, n / 2, n - 3, n - 1] {
                    let a = randomTensor(n, -4, 4, seed: 31), v0 = randomTensor(n, -2, 2, seed: 32)
                    let fa = try Activation.relu(a)
                    var v = v0
                    v[flat: at] = .infinity
                    XCTAssertFalse(try check(.relu, .dpT, 0, a, v, fa, "\(isa) v=∞ at \(at) threads=\(threads)"))
                    var old = fa
                    old[flat: at] = Float(bitPattern: old[flat: at].bitPattern ^ 1)
                    XCTAssertFalse(try check(.relu, .dpT, 0, a, v0, old, "\(isa) bit flip at \(at) threads=\(threads)"))
                    // identity: s̄ = 0·s⁺ + s⁻ turns a −0 into +0, which the comparison sees.
                    var az = a
                    az[flat: at] = -0.0
                    XCTAssertFalse(try check(.identity, .dpT, 0, az, v0, az, "\(isa) −0 at \(at) threads=\(threads)"))
                }
            }
        }
    }

    /// `meanAndDelta` (s⁺ not written) returns `hiddenWithDelta`'s s̄ and δ bitwise, with and
    /// without a previous mean, on every ISA and at 1–3 threads (threaded streaming path for ReLU).
    func testMeanAndDeltaEqualsFullNudge() throws {
        let saved = Runtime.threads
        defer { Runtime.threads = saved }
        try Runtime.forEachISA { isa in
            for act in Activation.allFamilies() {
                for n in act == .relu ? [1037, (1 << 20) + 37] : [1037] {
                    let a = randomTensor(n, -4, 4, seed: 41), v = randomTensor(n, -2, 2, seed: 42)
                    let fa = try act(a)
                    for threads in [1, 2, 3] {
                        Runtime.threads = threads
                        for (rule, alpha) in [(NudgeRule.dpT, Float(0)), (.dpT, 1), (.dpT, 0.5), (.dp, 0.5), (.dp, 0)] {
                            let what = "\(isa) \(act) \(rule) α=\(alpha) n=\(n) threads=\(threads)"
                            let ref = try Nudge.hiddenWithDelta(act, rule: rule, alpha: alpha, preActivation: a, feedback: v)
                            for old in [nil, fa] {
                                let r = try Nudge.meanAndDelta(act, rule: rule, alpha: alpha, preActivation: a,
                                                               feedback: v, previousMean: old)
                                XCTAssertTrue(r.mean.isBitwiseEqual(to: ref.mean), what)
                                XCTAssertTrue(r.delta.isBitwiseEqual(to: ref.delta), what)
                                XCTAssertEqual(r.meanUnchanged, old.map { ref.mean.isBitwiseEqual(to: $0) } ?? false, what)
                            }
                        }
                    }
                }
            }
        }
    }

    func testEmptyAndMismatchedShapes() throws {
        let e = Tensor(shape: [0])
        let r = try Nudge.hiddenWithDelta(.relu, rule: .dpT, alpha: 0, preActivation: e, feedback: e, previousMean: e)
        XCTAssertTrue(r.meanUnchanged)
        XCTAssertEqual(r.plus.count, 0)
    }
}
