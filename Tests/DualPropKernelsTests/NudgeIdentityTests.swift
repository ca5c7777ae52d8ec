import DualPropKernels
import Foundation
import XCTest

/// Identities the mathematics guarantees (SPEC §3, §4, §8), the output nudges (§4, §5), the
/// threaded and streaming paths, and argument errors.
final class NudgeIdentityTests: XCTestCase {
    func randomTensor(_ n: Int, _ lo: Float, _ hi: Float, seed: UInt64) -> Tensor {
        var rng = SplitMix(state: seed)
        return Tensor(shape: [n], generator: { _ in rng.uniform(lo, hi) })
    }

    /// DP⊤ with α ∈ {0, 1}: s̄ is the forward activation f(a), bitwise.
    func testDPTWithAlphaZeroOrOneGivesForwardActivation() throws {
        try Runtime.forEachISA { isa in
            for act in Activation.allFamilies() {
                let a = randomTensor(1000, -5, 5, seed: 1), v = randomTensor(1000, -3, 3, seed: 2)
                let fa = try act(a)
                for alpha: Float in [0, 1] {
                    let s = try Nudge.hidden(act, rule: .dpT, alpha: alpha, preActivation: a, feedback: v)
                    XCTAssertEqual(s.mean, fa, "\(isa) \(act) α=\(alpha)")
                }
            }
        }
    }

    /// The nudge that also writes δ equals the plain nudge followed by fl(s⁺ − s⁻), bitwise, on
    /// every ISA path, with and without s⁻ stored, on a length with a SIMD tail and (two families)
    /// on one long enough for the threaded streaming path (exact: the same float operations in the same order).
    func testNudgeWithDeltaEqualsNudgeThenSubtraction() throws {
        try Runtime.forEachISA { isa in
            for act in Activation.allFamilies() {
                // 2^20 + 37 elements take the threaded, streaming-store path (CK_ACT_STREAM_MIN).
                for n in act == .relu || act == .tanh ? [1037, (1 << 20) + 37] : [1037] {
                    let a = randomTensor(n, -4, 4, seed: 11), v = randomTensor(n, -2, 2, seed: 12)
                    for (rule, alpha) in [(NudgeRule.dpT, Float(0)), (.dpT, 0.5), (.dp, 1), (.dp, 0.25)] {
                        let s = try Nudge.hidden(act, rule: rule, alpha: alpha, preActivation: a, feedback: v)
                        let d = Tensor(shape: [n], generator: { s.plus[flat: $0] - s.minus[flat: $0] })
                        for keep in [false, true] {
                            let r = try Nudge.hiddenWithDelta(act, rule: rule, alpha: alpha, preActivation: a,
                                                              feedback: v, keepMinus: keep)
                            let what = "\(isa) \(act) \(rule) α=\(alpha) n=\(n) keepMinus=\(keep)"
                            XCTAssertTrue(r.plus.isBitwiseEqual(to: s.plus), what)
                            XCTAssertTrue(r.mean.isBitwiseEqual(to: s.mean), what)
                            XCTAssertTrue(r.delta.isBitwiseEqual(to: d), what)
                            XCTAssertEqual(r.minus.map { $0.isBitwiseEqual(to: s.minus) }, keep ? true : nil, what)
                        }
                    }
                }
            }
        }
    }

    /// Fenchel BP with τ = β equals DP⊤ with α = 0 and v = fl(−β·g): e = (s⁻ − s⁺)/β, bitwise.
    func testFenchelEqualsDPTAlphaZero() throws {
        let beta: Float = 0.37
        try Runtime.forEachISA { isa in
            for act in Activation.allFamilies() {
                let a = randomTensor(4099, -4, 4, seed: 3), g = randomTensor(4099, -2, 2, seed: 4)
                let v = Tensor(shape: [4099], generator: { -beta * g[flat: $0] })
                let e = try Nudge.fenchelError(act, tau: beta, preActivation: a, gradient: g)
                let s = try Nudge.hidden(act, rule: .dpT, alpha: 0, preActivation: a, feedback: v)
                let fromDP = Tensor(shape: [4099], generator: { (s.minus[flat: $0] - s.plus[flat: $0]) / beta })
                XCTAssertEqual(e, fromDP, "\(isa) \(act)")
            }
        }
    }

    /// (f(a) − f(a − τg))/τ → f'(a)·g as τ → 0 for smooth f: the error shrinks with τ and is
    /// small at τ = 1e-3 (O(τ·|f''|·g²) plus float cancellation ε·|f|/τ).
    func testFenchelErrorConvergesToDerivative() throws {
        try Runtime.forEachISA { isa in
            for act in Activation.allFamilies() where act.isSmooth {
                let a = randomTensor(1000, -3, 3, seed: 5), g = randomTensor(1000, -1, 1, seed: 6)
                let d = try act.apply(.derivative, a)
                func maxErr(_ tau: Float) throws -> Float {
                    let e = try Nudge.fenchelError(act, tau: tau, preActivation: a, gradient: g)
                    return (0..<1000).map { abs(e[flat: $0] - d[flat: $0] * g[flat: $0]) }.max()!
                }
                let coarse = try maxErr(0.1), fine = try maxErr(1e-3)
                // Where f has curvature, the error at τ = 0.1 is dominated by it and must shrink.
                if coarse > 1e-3 { XCTAssertLessThan(fine, coarse, "\(isa) \(act)") }
                XCTAssertLessThan(fine, 2e-3, "\(isa) \(act)")
            }
        }
    }

    /// Bregman layer with u = 0 is the identity on the (clamped) domain.
    func testBregmanWithZeroUpdateIsIdentity() throws {
        try Runtime.forEachISA { isa in
            for act in Activation.allFamilies() {
                let (lo, hi) = act.domain
                let z = randomTensor(4099, lo, hi, seed: 7)
                let out = try BregmanActivation.forward(act, input: z, update: Tensor(shape: [4099]))
                for i in 0..<4099 {
                    let zi = z[flat: i]
                    // f∘f⁻¹ rounds twice; f⁻¹ amplifies its ~4 ULP error by (f⁻¹)' and f shrinks it
                    // back by f', so the round trip stays within a few ULP of z (16 allowed).
                    XCTAssertEqual(out[flat: i], zi, accuracy: 16 * max(zi.ulp, Float.leastNormalMagnitude),
                                   "\(isa) \(act) z=\(zi)")
                }
            }
        }
    }

    /// 1 and 2 threads give bitwise equal results (element-wise kernels, chunks aligned), and the
    /// streaming path (n ≥ 2^20) matches the non-streaming one.
    func testThreadsAndStreamingAgree() throws {
        let saved = Runtime.threads
        defer { Runtime.threads = saved }
        let n = (1 << 20) + 37
        let a = randomTensor(n, -4, 4, seed: 8), v = randomTensor(n, -2, 2, seed: 9)
        try Runtime.forEachISA { isa in
            for act in [Activation.relu, .sigmoid, .softplus] {
                Runtime.threads = 1
                let one = try Nudge.hidden(act, rule: .dp, alpha: 0.5, preActivation: a, feedback: v)
                let e1 = try Nudge.fenchelError(act, tau: 0.5, preActivation: a, gradient: v)
                Runtime.threads = 2
                let two = try Nudge.hidden(act, rule: .dp, alpha: 0.5, preActivation: a, feedback: v)
                let e2 = try Nudge.fenchelError(act, tau: 0.5, preActivation: a, gradient: v)
                XCTAssertEqual(one.plus, two.plus, "\(isa) \(act)")
                XCTAssertEqual(one.mean, two.mean, "\(isa) \(act)")
                XCTAssertEqual(e1, e2, "\(isa) \(act)")
                // Small-n (non-streaming) evaluation of a slice must agree with the streamed result.
                let idx = [0, 1, 15, 4096, n / 2, n - 1]
                let sa = Tensor(shape: [idx.count], values: idx.map { a[flat: $0] })
                let sv = Tensor(shape: [idx.count], values: idx.map { v[flat: $0] })
                let small = try Nudge.hidden(act, rule: .dp, alpha: 0.5, preActivation: sa, feedback: sv)
                for (j, i) in idx.enumerated() {
                    XCTAssertEqual(small.minus[flat: j], two.minus[flat: i], "\(isa) \(act) i=\(i)")
                }
            }
        }
    }

    func testOutputCrossEntropyNudge() throws {
        let rows = 17, classes = 10, alpha: Float = 0.3, beta: Float = 0.5
        var rng = SplitMix(state: 10)
        let a = Tensor(shape: [rows, classes], generator: { _ in rng.uniform(-3, 3) })
        let p = Tensor(shape: [rows, classes], generator: { _ in rng.uniform(-3, 3) })
        let labels = (0..<rows).map { Int32($0 % classes) }
        for rule in [NudgeRule.dpT, .dp] {
            let frozen: Tensor? = rule == .dpT ? p : nil
            let r = try Nudge.outputCrossEntropy(rule: rule, alpha: alpha, beta: beta, frozenLogits: frozen,
                                                 logits: a, labels: labels)
            let logits = frozen ?? a
            for row in 0..<rows {
                let m = (0..<classes).map { Double(logits[row, $0]) }.max()!
                let z = (0..<classes).map { exp(Double(logits[row, $0]) - m) }.reduce(0, +)
                for j in 0..<classes {
                    let g = Double(beta) * (exp(Double(logits[row, j]) - m) / z - (j == Int(labels[row]) ? 1 : 0))
                    let (cp, cm) = rule == .dpT ? (Double(1 - alpha), Double(alpha)) : (Double(alpha), Double(1 - alpha))
                    // float softmax (expf, 1/sum) then three roundings: 1e-6 absolute on O(1) values.
                    XCTAssertEqual(Double(r.g[row, j]), g, accuracy: 1e-6)
                    XCTAssertEqual(Double(r.plus[row, j]), Double(a[row, j]) - cp * g, accuracy: 2e-6)
                    XCTAssertEqual(Double(r.minus[row, j]), Double(a[row, j]) + cm * g, accuracy: 2e-6)
                }
            }
            if rule == .dpT {  // α s⁺ + ᾱ s⁻ = a and δ = s⁺ − s⁻ = −g
                for i in 0..<(rows * classes) {
                    XCTAssertEqual(alpha * r.plus[flat: i] + (1 - alpha) * r.minus[flat: i], a[flat: i], accuracy: 1e-6)
                    XCTAssertEqual(r.plus[flat: i] - r.minus[flat: i], -r.g[flat: i], accuracy: 1e-6)
                }
            }
        }
        XCTAssertThrowsError(try Nudge.outputCrossEntropy(rule: .dp, alpha: 0.5, beta: 1, frozenLogits: nil, logits: a,
                                                          labels: labels.map { $0 + 10 }))
    }

    func testOutputLeastSquares() throws {
        let n = 1000, alpha: Float = 0.25, beta: Float = 0.5
        let a = randomTensor(n, -2, 2, seed: 11), y = randomTensor(n, 0, 1, seed: 12)
        let t = try Nudge.outputLeastSquares(rule: .dpT, alpha: alpha, beta: beta, output: a, target: y)
        let d = try Nudge.outputLeastSquares(rule: .dp, alpha: alpha, beta: beta, output: a, target: y)
        for i in 0..<n {
            let ai = Double(a[flat: i]), yi = Double(y[flat: i]), al = Double(alpha), b = Double(beta)
            let g = b * (ai - yi)
            XCTAssertEqual(Double(t.plus[flat: i]), ai - (1 - al) * g, accuracy: 1e-6)
            XCTAssertEqual(Double(t.minus[flat: i]), ai + al * g, accuracy: 1e-6)
            XCTAssertEqual(Double(d.plus[flat: i]), (ai + al * b * yi) / (1 + al * b), accuracy: 1e-6)
            XCTAssertEqual(Double(d.minus[flat: i]), (ai - (1 - al) * b * yi) / (1 - (1 - al) * b), accuracy: 1e-6)
        }
        // ᾱβ ≥ 1: the DP prox does not exist.
        XCTAssertThrowsError(try Nudge.outputLeastSquares(rule: .dp, alpha: 0, beta: 1, output: a, target: y))
    }

    func testBadArgumentsAreRejected() {
        let x = Tensor(shape: [4], repeating: 0.5)
        XCTAssertThrowsError(try Activation.leakyReLU(slope: 0).apply(.f, x))
        XCTAssertThrowsError(try Activation.leakyReLU(slope: .nan).apply(.f, x))
        XCTAssertThrowsError(try Nudge.fenchelError(.relu, tau: 0, preActivation: x, gradient: x))
        XCTAssertThrowsError(try Nudge.hidden(.relu, rule: .dp, alpha: .nan, preActivation: x, feedback: x))
        var s = NudgedStates(plus: x, minus: x, mean: x)
        XCTAssertThrowsError(try Nudge.hiddenDamped(.tanh, rule: .dp, alpha: 0, damping: -1, preActivation: x, feedback: x, states: &s))
    }

    func testSoftmaxFamily() throws {
        let x = Tensor(shape: [2, 3], values: [1, 2, 3, -1, .nan, 0])
        let s = try Softmax.rows(x)
        let z = exp(1.0) + exp(2.0) + exp(3.0)
        XCTAssertEqual(Double(s[0, 2]), exp(3.0) / z, accuracy: 1e-7)
        XCTAssertTrue(s[1, 0].isNaN)
        let gs = try Softmax.conjugate(x)
        XCTAssertEqual(Double(gs[0]), log(z), accuracy: 1e-6)
        let g = try Softmax.potential(Tensor(shape: [1, 2], values: [0.5, 0.5]))
        XCTAssertEqual(Double(g[0]), log(0.5), accuracy: 1e-7)
    }

    func testImplementationNameIsReported() {
        Runtime.forEachISA { isa in
            XCTAssertEqual(Runtime.implementationName(.activation), isa.description)
        }
    }
}
