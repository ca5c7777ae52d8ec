import Foundation
import DualPropKernels

/// An independent float64 oracle of the activation families (SPEC §1, seed 004 Table 1), written
/// from the formulas with Foundation's libm; it shares no code with the C kernels. Arguments are
/// Floats (the kernels' inputs) and results Doubles (the exact value to compare against).
struct Oracle {
    let act: Activation

    static let piOver2 = Double.pi / 2
    // The documented f⁻¹ domain clamp (ck_activation.h: 1e-6 inside open domains), as floats.
    static let sigLo: Float = 1e-6, sigHi: Float = 0.999999
    static let pm1: Float = 0.999999
    static let atanHi: Float = 1.57079532679

    func clamp(_ s: Float) -> Double {
        func c(_ x: Float, _ lo: Float, _ hi: Float) -> Float { x.isNaN ? x : min(max(x, lo), hi) }
        switch act {
        case .relu: return Double(c(s, 0, .infinity))
        case .hardSigmoid: return Double(c(s, 0, 1))
        case .sigmoid: return Double(c(s, Oracle.sigLo, Oracle.sigHi))
        case .tanh, .isru: return Double(c(s, -Oracle.pm1, Oracle.pm1))
        case .softplus: return Double(c(s, 1e-6, .infinity))
        case .arctan: return Double(c(s, -Oracle.atanHi, Oracle.atanHi))
        case .sin: return Double(c(s, -1, 1))
        default: return Double(s)
        }
    }

    /// Li₂(x) for x ≤ 1: power series on [0, ½], Landen's identity below 0, reflection above ½.
    static func li2(_ x: Double) -> Double {
        if x < 0 { let y = x / (x - 1); let l = log1p(-x); return -li2(y) - 0.5 * l * l }
        if x == 1 { return Double.pi * Double.pi / 6 }
        if x > 0.5 { return Double.pi * Double.pi / 6 - log(x) * log1p(-x) - li2(1 - x) }
        var sum = 0.0, p = x
        for k in 1...80 { sum += p / Double(k * k); p *= x }
        return sum
    }

    func f(_ xf: Float) -> Double {
        let x = Double(xf)
        switch act {
        case .identity: return x
        case .relu: return x.isNaN ? x : max(0, x)
        case .hardSigmoid: return x.isNaN ? x : min(max(x, 0), 1)
        case .leakyReLU(let c): return x >= 0 ? x : Double(c) * x
        case .sigmoid: return 1 / (1 + exp(-x))
        case .tanh: return Foundation.tanh(x)
        case .isru: return x.isInfinite ? (x > 0 ? 1 : -1) : x / (1 + x * x).squareRoot()
        case .softplus: return x > 30 ? x + exp(-x) : log1p(exp(x))
        case .arctan: return atan(x)
        case .sin: return x.isNaN ? x : Foundation.sin(min(max(x, -Oracle.piOver2), Oracle.piOver2))
        case .arcsinh: return asinh(x)
        }
    }

    /// Left derivative.
    func df(_ xf: Float) -> Double {
        let x = Double(xf)
        if x.isNaN { return x }
        switch act {
        case .identity: return 1
        case .relu: return x > 0 ? 1 : 0
        case .hardSigmoid: return x > 0 && x <= 1 ? 1 : 0
        case .leakyReLU(let c): return x > 0 ? 1 : Double(c)
        case .sigmoid: let s = 1 / (1 + exp(-x)); return s * (1 / (1 + exp(x)))
        case .softplus: return 1 / (1 + exp(-x))
        case .tanh: let c = cosh(x); return 1 / (c * c)
        case .isru: return pow(1 + x * x, -1.5)
        case .arctan: return 1 / (1 + x * x)
        case .sin: return abs(x) < Oracle.piOver2 ? cos(x) : 0
        case .arcsinh: return 1 / hypot(1, x)
        }
    }

    func inv(_ sf: Float) -> Double {
        let s = clamp(sf)
        switch act {
        case .identity, .relu, .hardSigmoid: return s
        case .leakyReLU(let c): return s >= 0 ? s : s / Double(c)
        case .sigmoid: return log(s / (1 - s))
        case .tanh: return atanh(s)
        case .isru: return s / (1 - s * s).squareRoot()
        case .softplus: return s > 30 ? s + log1p(-exp(-s)) : log(expm1(s))
        case .arctan: return tan(s)
        case .sin: return asin(s)
        case .arcsinh: return sinh(s)
        }
    }

    func dinv(_ sf: Float) -> Double {
        if sf.isNaN { return .nan }
        let s = clamp(sf)
        switch act {
        case .identity, .relu, .hardSigmoid: return 1
        case .leakyReLU(let c): return s >= 0 ? 1 : 1 / Double(c)
        case .sigmoid: return 1 / (s * (1 - s))
        case .tanh: return 1 / (1 - s * s)
        case .isru: return pow(1 - s * s, -1.5)
        case .softplus: return 1 / (1 - exp(-s))
        case .arctan: let c = cos(s); return 1 / (c * c)
        case .sin: return 1 / (1 - s * s).squareRoot()
        case .arcsinh: return cosh(s)
        }
    }

    func G(_ sf: Float) -> Double {
        let s = Double(sf)
        if s.isNaN { return s }
        let inf = Double.infinity
        func xlogx(_ u: Double) -> Double { u == 0 ? 0 : u * log(u) }
        switch act {
        case .identity: return 0.5 * s * s
        case .relu: return s >= 0 ? 0.5 * s * s : inf
        case .hardSigmoid: return s >= 0 && s <= 1 ? 0.5 * s * s : inf
        case .leakyReLU(let c): return s >= 0 ? 0.5 * s * s : 0.5 * s * s / Double(c)
        case .sigmoid: return s >= 0 && s <= 1 ? xlogx(s) + (s == 1 ? 0 : (1 - s) * log1p(-s)) : inf
        case .tanh:
            if abs(s) > 1 { return inf }
            if abs(s) == 1 { return log(2) }
            return s * atanh(s) + 0.5 * log1p(-s * s)
        case .isru: return abs(s) <= 1 ? -(1 - s * s).squareRoot() : inf
        case .softplus:
            if s < 0 { return inf }
            if s == 0 { return 0 }
            if s < 0.5 {  // reflection Li₂(x) = π²/6 − log x·log(1−x) − Li₂(1−x), x = e^{−s}: no cancellation
                let y = -expm1(-s)
                return 0.5 * s * s + s * log(y) - Oracle.li2(y)
            }
            return 0.5 * s * s + Oracle.li2(exp(-s)) - Double.pi * Double.pi / 6
        case .arctan:
            guard abs(s) < Oracle.piOver2 else { return inf }
            let h = Foundation.sin(s / 2)
            return -log1p(-2 * h * h)
        case .sin: return abs(s) <= 1 ? (1 - s * s).squareRoot() + s * asin(s) : inf
        case .arcsinh: return cosh(s)
        }
    }

    func Gstar(_ tf: Float) -> Double {
        let t = Double(tf)
        if t.isNaN { return t }
        switch act {
        case .identity: return 0.5 * t * t
        case .relu: return t > 0 ? 0.5 * t * t : 0
        case .hardSigmoid: return t < 0 ? 0 : (t <= 1 ? 0.5 * t * t : t - 0.5)
        case .leakyReLU(let c): return t >= 0 ? 0.5 * t * t : 0.5 * Double(c) * t * t
        case .sigmoid: return t > 30 ? t + exp(-t) : log1p(exp(t))
        case .tanh:
            let a = abs(t)
            if a < 1 { let e = expm1(a); return log1p(e * e / (2 * (1 + e))) }
            return a - log(2) + log1p(exp(-2 * a))
        case .isru: return hypot(1, t)
        case .softplus:
            if t <= 0 { return -Oracle.li2(-exp(t)) }
            return Double.pi * Double.pi / 6 + 0.5 * t * t + Oracle.li2(-exp(-t))
        case .arctan:
            if t.isInfinite { return .infinity }
            return t * atan(t) - (abs(t) > 1e150 ? log(abs(t)) : 0.5 * log1p(t * t))
        case .sin: return abs(t) <= Oracle.piOver2 ? -cos(t) : abs(t) - Oracle.piOver2
        case .arcsinh: return t.isInfinite ? .infinity : t * asinh(t) - hypot(1, t)
        }
    }

    func eval(_ fn: ActivationFunction, _ x: Float) -> Double {
        switch fn {
        case .f: return f(x)
        case .derivative: return df(x)
        case .inverse: return inv(x)
        case .potential: return G(x)
        case .conjugate: return Gstar(x)
        case .inverseDerivative: return dinv(x)
        }
    }

    /// Half the change of fn between x and its float neighbours: the error any float
    /// implementation inherits from rounding its argument (one-sided where a side is not finite).
    func conditioning(_ fn: ActivationFunction, _ x: Float) -> Double {
        guard x.isFinite else { return 0 }
        let y0 = eval(fn, x)
        guard y0.isFinite else { return 0 }
        var c = 0.0
        for n in [x.nextUp, x.nextDown] where n.isFinite {
            let y = eval(fn, n)
            if y.isFinite { c = max(c, abs(y - y0) / 2) }
        }
        return c
    }
}

/// Tolerances per (family, function): k ULPs of the result plus k times the conditioning term,
/// plus 1e-37 absolute for results whose intermediates fall in the denormal range (flushed to
/// zero by the kernels' FTZ/DAZ). The k values are the measured maxima rounded up:
/// - identity, relu, hard-sigmoid: exact selections and one rounding, k = 0.5 (correctly rounded);
/// - leaky-relu: f, f⁻¹ one rounding (0.5); G, G* two or three roundings (2);
/// - transcendental f, f', f⁻¹, (f⁻¹)': a vector exp/log/atan/sin/asin (≤ 2 ULP) composed with a
///   few roundings: 4 ULP (isru f' = r³ compounds r's error thrice: 10);
/// - transcendental G, G*: sums of two such terms, relative to the result: 8 ULP; where the sum
///   cancels (zeros of G, G*) the conditioning term, k·|G'|·½ulp(x), dominates.
/// The REF path (libm in double) is held to the same bounds.
func ulpTolerance(_ act: Activation, _ fn: ActivationFunction) -> Double {
    switch act {
    case .identity, .relu, .hardSigmoid: return 0.5
    case .leakyReLU: return (fn == .potential || fn == .conjugate) ? 2 : 0.5
    case .isru where fn == .derivative: return 10
    default: return (fn == .potential || fn == .conjugate) ? 8 : 4
    }
}

/// Whether y (a kernel result) matches the oracle value r within k ULPs plus k·cond.
func close(_ y: Float, _ r: Double, k: Double, cond: Double = 0) -> Bool {
    if r.isNaN { return y.isNaN }
    if r.isInfinite { return Double(y) == r || (abs(Double(y)) > 3e38 && (Double(y) > 0) == (r > 0)) }
    if y.isNaN || y.isInfinite { return abs(r) > 3.4e38 && y.isInfinite && (Double(y) > 0) == (r > 0) }
    let rf = Float(r)
    let ulp = rf.isFinite ? Double(rf.ulp) : Double(Float.greatestFiniteMagnitude.ulp)
    return abs(Double(y) - r) <= k * ulp + k * cond + 1e-37
}

/// Deterministic pseudo-random floats (SplitMix64), so failures reproduce.
struct SplitMix {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    mutating func uniform(_ lo: Float, _ hi: Float) -> Float {
        lo + (hi - lo) * Float(Double(next() >> 11) / Double(1 << 53))
    }
}

extension Activation {
    /// A range of arguments inside the domain of f⁻¹ and G (open end points excluded).
    var domain: (Float, Float) {
        switch self {
        case .sigmoid, .hardSigmoid: return (0.0001, 0.9999)
        case .tanh, .isru, .sin: return (-0.9999, 0.9999)
        case .softplus: return (0.0001, 8)
        case .relu: return (0, 8)
        case .arctan: return (-1.57, 1.57)
        default: return (-6, 6)
        }
    }
}
