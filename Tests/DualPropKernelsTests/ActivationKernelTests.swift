import DualPropKernels
import Foundation
import XCTest

/// Every (kernel, activation) against the float64 oracle (ActivationOracle.swift) on the sizes
/// 0, 1, 15, 16, 17, 1000, 4099 (empty, scalar, around one AVX-512 vector, several vectors with
/// tails) and on every ISA path this CPU has; tolerances in `ulpTolerance` with their reasons.
final class ActivationKernelTests: XCTestCase {
    static let sizes = [0, 1, 15, 16, 17, 1000, 4099]
    static let functions = ActivationFunction.allCases

    func randomTensor(_ n: Int, _ lo: Float, _ hi: Float, seed: UInt64) -> Tensor {
        var rng = SplitMix(state: seed)
        return Tensor(shape: [n], generator: { _ in rng.uniform(lo, hi) })
    }

    func testElementwiseFunctionsMatchOracle() throws {
        for isa in Runtime.availableISAs {
            try Runtime.setMaxISA(isa)
            for act in Activation.allFamilies() {
                let o = Oracle(act: act)
                for fn in Self.functions {
                    let domainFn = fn == .inverse || fn == .potential || fn == .inverseDerivative
                    let (lo, hi) = domainFn ? act.domain : (-12, 12)
                    let k = ulpTolerance(act, fn)
                    for n in Self.sizes {
                        let x = randomTensor(n, lo, hi, seed: UInt64(n * 31 + fn.rawValue))
                        let y = try act.apply(fn, x).scalars
                        for i in 0..<n {
                            let xi = x[flat: i], r = o.eval(fn, xi)
                            if !close(y[i], r, k: k, cond: o.conditioning(fn, xi)) {
                                XCTFail("\(isa) \(act) \(fn) n=\(n) x=\(xi): got \(y[i]), oracle \(r)")
                                break
                            }
                        }
                    }
                }
            }
        }
        try Runtime.setMaxISA(Runtime.detectedISA)
    }

    /// Edge values: zeros, ±tiny, ±large, ±∞, domain boundaries, NaN (NaN in → NaN out).
    func testEdgeValues() throws {
        let edges: [Float] = [0, -0.0, 1e-30, -1e-30, 1e-7, -1e-7, 0.5, -0.5, 1, -1, 0.999999, -0.999999,
                              1.5707964, -1.5707964, 1.5707953, -1.5707953, 2, -2, 20, -20, 88, -88, 100, -100,
                              1e10, -1e10, 1e30, -1e30, .infinity, -.infinity, .nan]
        let x = Tensor(shape: [edges.count], values: edges)
        for isa in Runtime.availableISAs {
            try Runtime.setMaxISA(isa)
            for act in Activation.allFamilies() {
                let o = Oracle(act: act)
                for fn in Self.functions {
                    let y = try act.apply(fn, x).scalars
                    for (i, xi) in edges.enumerated() {
                        let r = o.eval(fn, xi)
                        XCTAssert(close(y[i], r, k: ulpTolerance(act, fn), cond: o.conditioning(fn, xi)),
                                  "\(isa) \(act) \(fn) x=\(xi): got \(y[i]), oracle \(r)")
                    }
                }
            }
        }
        try Runtime.setMaxISA(Runtime.detectedISA)
    }

    /// Fenchel–Young: G(f(t)) + G*(t) = t·f(t) for the oracle's formulas (checks the softplus
    /// potential derived in ck_activation.h, which seed 004 prints in a complex-valued form).
    func testOracleFenchelYoungEquality() {
        for act in Activation.allFamilies() {
            let o = Oracle(act: act)
            for t: Float in [-3, -1, -0.2, 0.3, 1, 2.5] where !(act == .relu && t < 0) && !(act == .hardSigmoid && (t < 0 || t > 1)) {
                let s = o.f(t)
                let g = o.G(Float(s))
                guard g.isFinite else { continue }
                XCTAssertEqual(g + o.Gstar(t), Double(t) * s, accuracy: 1e-5 * (1 + abs(Double(t) * s)), "\(act) t=\(t)")
            }
        }
    }

    func testNudgeMatchesOracle() throws {
        for isa in Runtime.availableISAs {
            try Runtime.setMaxISA(isa)
            for act in Activation.allFamilies() {
                let o = Oracle(act: act), k = ulpTolerance(act, .f)
                for rule in [NudgeRule.dpT, .dp] {
                    for alpha: Float in [0.5, 0.3] {
                        for n in Self.sizes {
                            let a = randomTensor(n, -4, 4, seed: UInt64(n + 7))
                            let v = randomTensor(n, -2, 2, seed: UInt64(n + 99))
                            let s = try Nudge.hidden(act, rule: rule, alpha: alpha, preActivation: a, feedback: v)
                            let (cp, cm) = rule == .dpT ? (1 - alpha, alpha) : (alpha, 1 - alpha)
                            for i in 0..<n {
                                // The argument exactly as the kernel forms it: fl(a ± fl(c·v)).
                                let xp = a[flat: i] + cp * v[flat: i], xm = a[flat: i] - cm * v[flat: i]
                                let sp = s.plus[flat: i], sm = s.minus[flat: i]
                                guard close(sp, o.f(xp), k: k, cond: o.conditioning(.f, xp)),
                                      close(sm, o.f(xm), k: k, cond: o.conditioning(.f, xm)),
                                      s.mean[flat: i] == alpha * sp + (1 - alpha) * sm else {
                                    XCTFail("\(isa) \(act) \(rule) α=\(alpha) n=\(n) i=\(i): s⁺ \(sp) vs \(o.f(xp)), s⁻ \(sm) vs \(o.f(xm))")
                                    break
                                }
                            }
                        }
                    }
                }
            }
        }
        try Runtime.setMaxISA(Runtime.detectedISA)
    }

    func testDampedNudgeMatchesOracle() throws {
        let L: Float = 0.7, alpha: Float = 0.25
        for isa in Runtime.availableISAs {
            try Runtime.setMaxISA(isa)
            for act in Activation.allFamilies() {
                let o = Oracle(act: act), k = ulpTolerance(act, .f)
                for rule in [NudgeRule.dp, .dpT] {
                    for n in Self.sizes {
                        let a = randomTensor(n, -4, 4, seed: 3), v = randomTensor(n, -2, 2, seed: 4)
                        let old = NudgedStates(plus: randomTensor(n, -1, 1, seed: 5), minus: randomTensor(n, -1, 1, seed: 6),
                                               mean: Tensor(shape: [n]))
                        var s = old
                        try Nudge.hiddenDamped(act, rule: rule, alpha: alpha, damping: L, preActivation: a, feedback: v, states: &s)
                        let (cp, cm) = rule == .dpT ? (1 - alpha, alpha) : (alpha, 1 - alpha)
                        let inv = 1 / (1 + L)
                        for i in 0..<n {
                            let xp = (a[flat: i] + cp * v[flat: i] + L * old.plus[flat: i]) * inv
                            let xm = (a[flat: i] - cm * v[flat: i] + L * old.minus[flat: i]) * inv
                            guard close(s.plus[flat: i], o.f(xp), k: k, cond: o.conditioning(.f, xp)),
                                  close(s.minus[flat: i], o.f(xm), k: k, cond: o.conditioning(.f, xm)),
                                  s.mean[flat: i] == alpha * s.plus[flat: i] + (1 - alpha) * s.minus[flat: i] else {
                                XCTFail("\(isa) \(act) \(rule) damped n=\(n) i=\(i)")
                                break
                            }
                        }
                    }
                }
            }
        }
        try Runtime.setMaxISA(Runtime.detectedISA)
    }

    func testFenchelErrorMatchesOracle() throws {
        let tau: Float = 0.5
        for isa in Runtime.availableISAs {
            try Runtime.setMaxISA(isa)
            for act in Activation.allFamilies() {
                let o = Oracle(act: act), k = ulpTolerance(act, .f)
                for n in Self.sizes {
                    let a = randomTensor(n, -4, 4, seed: 11), g = randomTensor(n, -3, 3, seed: 12)
                    let e = try Nudge.fenchelError(act, tau: tau, preActivation: a, gradient: g).scalars
                    for i in 0..<n {
                        let ai = a[flat: i], x = ai - tau * g[flat: i]
                        let fa = o.f(ai), fx = o.f(x)
                        // Each f value carries the f tolerance; the difference is divided by τ.
                        let tol = (k * (Double(Float(fa).ulp) + Double(Float(fx).ulp) + o.conditioning(.f, ai)
                                   + o.conditioning(.f, x))) / Double(tau)
                        let r = (fa - fx) / Double(tau)
                        guard abs(Double(e[i]) - r) <= tol + Double(Float(r).ulp) else {
                            XCTFail("\(isa) \(act) fenchel n=\(n) a=\(ai) g=\(g[flat: i]): \(e[i]) vs \(r)")
                            break
                        }
                    }
                }
            }
        }
        try Runtime.setMaxISA(Runtime.detectedISA)
    }

    func testBregmanLayerMatchesOracle() throws {
        for isa in Runtime.availableISAs {
            try Runtime.setMaxISA(isa)
            for act in Activation.allFamilies() {
                let o = Oracle(act: act)
                let (lo, hi) = act.domain
                for n in Self.sizes {
                    let z = randomTensor(n, lo, hi, seed: 21), u = randomTensor(n, -0.5, 0.5, seed: 22)
                    let dout = randomTensor(n, -1, 1, seed: 23)
                    let out = try BregmanActivation.forward(act, input: z, update: u).scalars
                    let (dz, du) = try BregmanActivation.backward(act, input: z, update: u, outputGradient: dout)
                    for i in 0..<n {
                        let zi = z[flat: i], ui = u[flat: i], gi = Double(dout[flat: i])
                        let invz = o.inv(zi)
                        let w = Float(invz) + ui  // the kernel's w up to inv's own error, covered below
                        // Error of w: inv's tolerance plus its rounding; it moves f(w) by |f'(w)|·δw.
                        let dw = ulpTolerance(act, .inverse) * (Double(Float(invz).ulp) + o.conditioning(.inverse, zi))
                            + Double(w.ulp)
                        let rf = o.f(w)
                        let tolF = ulpTolerance(act, .f) * (Double(Float(rf).ulp) + o.conditioning(.f, w)) + abs(o.df(w)) * dw
                        guard abs(Double(out[i]) - rf) <= tolF + 1e-37 else {
                            XCTFail("\(isa) \(act) bregman fwd n=\(n) z=\(zi) u=\(ui): \(out[i]) vs \(rf)")
                            break
                        }
                        let rdu = o.df(w) * gi
                        let sens = max(abs(o.df(Float(Double(w) + dw)) - o.df(w)), abs(o.df(Float(Double(w) - dw)) - o.df(w)))
                        let tolDu = (ulpTolerance(act, .derivative) * (Double(Float(o.df(w)).ulp) + o.conditioning(.derivative, w)) + sens) * abs(gi)
                            + Double(Float(rdu).ulp)
                        let rdz = rdu * o.dinv(zi)
                        let tolDz = tolDu * abs(o.dinv(zi)) + abs(rdu) * ulpTolerance(act, .inverseDerivative)
                            * (Double(Float(o.dinv(zi)).ulp) + o.conditioning(.inverseDerivative, zi)) + 2 * Double(Float(rdz).ulp)
                        guard abs(Double(du[flat: i]) - rdu) <= tolDu + 1e-37,
                              abs(Double(dz[flat: i]) - rdz) <= tolDz + 1e-37 else {
                            XCTFail("\(isa) \(act) bregman bwd n=\(n) z=\(zi) u=\(ui): du \(du[flat: i]) vs \(rdu), dz \(dz[flat: i]) vs \(rdz)")
                            break
                        }
                    }
                }
            }
        }
        try Runtime.setMaxISA(Runtime.detectedISA)
    }

    func testEnergyDeltaMatchesOracle() throws {
        for isa in Runtime.availableISAs {
            try Runtime.setMaxISA(isa)
            for act in Activation.allFamilies() {
                let o = Oracle(act: act)
                for n in Self.sizes {
                    let a = randomTensor(n, -3, 3, seed: 31), v = randomTensor(n, -1, 1, seed: 32)
                    let s = try Nudge.hidden(act, rule: .dpT, alpha: 0.5, preActivation: a, feedback: v)
                    let got = try Nudge.energyDelta(act, states: s)
                    var ref = 0.0, tol = 0.0
                    for i in 0..<n {
                        let sp = s.plus[flat: i], sm = s.minus[flat: i], sb = s.mean[flat: i]
                        let gp = o.G(sp), gm = o.G(sm), grad = o.inv(sb), d = Double(sp - sm)
                        ref += gp - gm - grad * d
                        // Per term: G tolerances, ∇G tolerance times |d|, and the float rounding
                        // of the three-term sum (relative to its largest term).
                        let kG = ulpTolerance(act, .potential), kI = ulpTolerance(act, .inverse)
                        tol += kG * (Double(Float(gp).ulp) + Double(Float(gm).ulp) + o.conditioning(.potential, sp)
                                     + o.conditioning(.potential, sm))
                            + kI * (Double(Float(grad).ulp) + o.conditioning(.inverse, sb)) * abs(d)
                            + 4 * Double(Float.ulpOfOne) * (abs(gp) + abs(gm) + abs(grad * d))
                    }
                    XCTAssertEqual(got, ref, accuracy: tol + 1e-30, "\(isa) \(act) energy n=\(n)")
                }
            }
        }
        try Runtime.setMaxISA(Runtime.detectedISA)
    }
}
