import DualPropKernels

/// Independent float64 references (naive loops) for the conv-family tests, and test helpers.

/// A small deterministic generator (SplitMix64) so every run sees the same data.
struct TestRNG {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    /// Uniform in [-1, 1).
    mutating func uniform() -> Float { Float(Double(next() >> 11) / Double(1 << 53) * 2 - 1) }
    /// Integer in [-m, m].
    mutating func int(_ m: Int) -> Float { Float(Int(next() % UInt64(2 * m + 1)) - m) }
    mutating func tensor(_ shape: [Int]) -> Tensor { Tensor(shape: shape) { _ in self.uniform() } }
    mutating func intTensor(_ shape: [Int], _ m: Int) -> Tensor { Tensor(shape: shape) { _ in self.int(m) } }
}

/// Geometry of one reference convolution.
struct ConvCase: CustomStringConvertible {
    var n, h, w, c, k, r, s, stride, pad: Int
    var p: Int { (h + 2 * pad - r) / stride + 1 }
    var q: Int { (w + 2 * pad - s) / stride + 1 }
    var xShape: [Int] { [n, h, w, c] }
    var wShape: [Int] { [r, s, c, k] }
    var yShape: [Int] { [n, p, q, k] }
    var geometry: ConvKernels.Geometry { .init(stride: stride, padding: pad) }
    var description: String { "N\(n) H\(h) W\(w) C\(c) K\(k) R\(r) S\(s) stride\(stride) pad\(pad)" }

    /// Visits every (n,p,q,k,r,s,c) term of the convolution with in-range input coordinates.
    func forEachTerm(_ body: (_ yi: Int, _ xi: Int, _ wi: Int) -> Void) {
        for n0 in 0..<n { for p0 in 0..<p { for q0 in 0..<q { for r0 in 0..<r { for s0 in 0..<s {
            let ih = p0 * stride - pad + r0, iw = q0 * stride - pad + s0
            if ih < 0 || ih >= h || iw < 0 || iw >= w { continue }
            for c0 in 0..<c { for k0 in 0..<k {
                body(((n0 * p + p0) * q + q0) * k + k0, ((n0 * h + ih) * w + iw) * c + c0, ((r0 * s + s0) * c + c0) * k + k0)
            } }
        } } } } }
    }

    /// y = conv(x, w) in float64, with Σ|terms| per output (for rounding-error bounds).
    func forward(_ x: [Double], _ wt: [Double]) -> (value: [Double], abs: [Double]) {
        var y = [Double](repeating: 0, count: n * p * q * k), a = y
        forEachTerm { yi, xi, wi in y[yi] += x[xi] * wt[wi]; a[yi] += abs(x[xi] * wt[wi]) }
        return (y, a)
    }
    func backwardData(_ dy: [Double], _ wt: [Double]) -> (value: [Double], abs: [Double]) {
        var dx = [Double](repeating: 0, count: n * h * w * c), a = dx
        forEachTerm { yi, xi, wi in dx[xi] += dy[yi] * wt[wi]; a[xi] += abs(dy[yi] * wt[wi]) }
        return (dx, a)
    }
    func backwardWeights(_ x: [Double], _ dy: [Double]) -> (value: [Double], abs: [Double]) {
        var dw = [Double](repeating: 0, count: r * s * c * k), a = dw
        forEachTerm { yi, xi, wi in dw[wi] += x[xi] * dy[yi]; a[wi] += abs(x[xi] * dy[yi]) }
        return (dw, a)
    }
    /// Longest sum any output element is made of (for the error bound).
    var longestSum: Int { max(r * s * c, n * p * q, r * s * k) }
}

extension Tensor {
    var doubles: [Double] { scalars.map(Double.init) }
}

/// Checks |got − ref| ≤ γ·Σ|terms| + tiny for every element, where γ = (terms + 2)·2⁻²⁴ is the
/// worst-case relative bound of float32 summation of `terms` products in any order (Higham,
/// "Accuracy and Stability of Numerical Algorithms", §3.1) — so the check holds for every
/// blocking, ISA and thread count while still catching any wrong index (an O(1) error).
/// Returns the first failure message or nil.
func boundCheck(_ got: [Float], _ ref: [Double], _ absSum: [Double], terms: Int) -> String? {
    guard got.count == ref.count else { return "count \(got.count) vs \(ref.count)" }
    let gamma = Double(terms + 2) * 0x1p-24
    for i in 0..<got.count {
        let err = abs(Double(got[i]) - ref[i])
        if !(err <= gamma * absSum[i] + 1e-30) {
            return "element \(i): got \(got[i]), expected \(ref[i]) (error \(err), bound \(gamma * absSum[i]))"
        }
    }
    return nil
}

/// Thread counts every kernel test sweeps.
let testThreadCounts = [1, 2]

/// Runs `body` on every ISA path and with 1 and 2 threads, restoring the settings.
func forEachConfiguration(_ body: (ISA, Int) throws -> Void) rethrows {
    let saved = Runtime.threads
    defer { Runtime.threads = saved }
    try Runtime.forEachISA { isa in
        for t in testThreadCounts {
            Runtime.threads = t
            try body(isa, t)
        }
    }
}
