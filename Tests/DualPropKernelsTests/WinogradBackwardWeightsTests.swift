import DualPropKernels
import XCTest

/// Tolerance of the Winograd F(2×2, 3×3) backward-weights pass against the float64 oracle, from
/// the transforms' error growth (the forward's analysis in WinogradTests.swift, same notation).
///
/// The pass computes dW = Gᵀ [Σ_t (A dy_t Aᵀ) ⊙ (Bᵀ d_t B)] G over the T = N·⌈H/2⌉·⌈W/2⌉ tiles.
/// In float32 (first order, γₙ = n·u/(1 − n·u), u = 2⁻²⁴):
///   V̂ = fl(Bᵀ d B)      — ≤ 2 additions per path:                  γ₂
///   Û = fl(A dy Aᵀ)     — ≤ 2 additions per path (negation exact):  γ₂
///   M̂ = Σ_t Û ⊙ V̂     — 1 product + T − 1 additions, in any
///                          bracketing (blocks of tiles, then blocks):  γ_T
///   dŴ = fl(Gᵀ M G)     — ≤ 2 additions per stage, ×½ exact:       γ₄
/// so |dŴ − dW| ≤ γ_{T+9} · Ŵ with Ŵ = |Gᵀ| (Σ_t |A||dy_t||Aᵀ| ⊙ |Bᵀ||d_t||B|) |G|: the same
/// algorithm on absolute values, evaluated below in float64. We check γ_{T+12} (three spare
/// roundings: the β·dw term of the C API adds two). Ŵ is the transforms' error growth: up to
/// ‖Gᵀ‖∞²·‖A‖∞²·‖Bᵀ‖∞² = 2²·2²·2² = 64× the direct sum Σ|x·dy| of a weight, against γ_{N·H·W}
/// for the direct sum — Winograd's bound is a few times looser, and it is checked per element.
extension WinogradBound {
    /// Ŵ of dW for x (n, h, w, c) and dy (n, h, w, k), stride 1, pad 1; laid out (3, 3, c, k).
    static func weightGrowth(n: Int, h: Int, w: Int, c: Int, k: Int, x: [Double], dy: [Double]) -> [Double] {
        let bt: [[Double]] = [[1, 0, 1, 0], [0, 1, 1, 0], [0, 1, 1, 0], [0, 1, 0, 1]] // |Bᵀ|
        let a: [[Double]] = [[1, 0], [1, 1], [1, 1], [0, 1]] // |A|
        let gt: [[Double]] = [[1, 0.5, 0.5, 0], [0, 0.5, 0.5, 0], [0, 0.5, 0.5, 1]] // |Gᵀ|
        var m = [Double](repeating: 0, count: 16 * c * k) // (ξ, c, k)
        for b in 0..<n { for ty in stride(from: 0, to: h, by: 2) { for tx in stride(from: 0, to: w, by: 2) {
            var v = [Double](repeating: 0, count: 16 * c), u = [Double](repeating: 0, count: 16 * k)
            for ci in 0..<c {
                var d = [[Double]](repeating: [0, 0, 0, 0], count: 4)
                for r in 0..<4 { for s in 0..<4 {
                    let ih = ty - 1 + r, iw = tx - 1 + s
                    if ih >= 0, ih < h, iw >= 0, iw < w { d[r][s] = abs(x[((b * h + ih) * w + iw) * c + ci]) }
                } }
                for i in 0..<4 { for j in 0..<4 {
                    var sum = 0.0
                    for r in 0..<4 { for s in 0..<4 { sum += bt[i][r] * d[r][s] * bt[j][s] } }
                    v[(i * 4 + j) * c + ci] = sum
                } }
            }
            for ki in 0..<k {
                var g = [[Double]](repeating: [0, 0], count: 2)
                for r in 0..<2 { for s in 0..<2 where ty + r < h && tx + s < w {
                    g[r][s] = abs(dy[((b * h + ty + r) * w + tx + s) * k + ki])
                } }
                for i in 0..<4 { for j in 0..<4 {
                    var sum = 0.0
                    for r in 0..<2 { for s in 0..<2 { sum += a[i][r] * g[r][s] * a[j][s] } }
                    u[(i * 4 + j) * k + ki] = sum
                } }
            }
            for xi in 0..<16 { for ci in 0..<c where v[xi * c + ci] != 0 {
                let vv = v[xi * c + ci]
                for ki in 0..<k { m[(xi * c + ci) * k + ki] += vv * u[xi * k + ki] }
            } }
        } } }
        var out = [Double](repeating: 0, count: 9 * c * k)
        for ci in 0..<c { for ki in 0..<k { for r in 0..<3 { for s in 0..<3 {
            var sum = 0.0
            for i in 0..<4 { for j in 0..<4 { sum += gt[r][i] * m[((i * 4 + j) * c + ci) * k + ki] * gt[s][j] } }
            out[((r * 3 + s) * c + ci) * k + ki] = sum
        } } } }
        return out
    }

    /// Checks |got − ref| ≤ γ_terms·Ŵ for every element; the first failure or nil.
    static func check(_ got: [Float], _ ref: [Double], _ growth: [Double], gammaTerms: Int) -> String? {
        guard got.count == ref.count else { return "count \(got.count) vs \(ref.count)" }
        let u = 0x1p-24, n = Double(gammaTerms), gamma = n * u / (1 - n * u)
        for i in 0..<got.count {
            let err = abs(Double(got[i]) - ref[i])
            if !(err <= gamma * growth[i] + 1e-30) {
                return "element \(i): got \(got[i]), expected \(ref[i]) (error \(err), bound \(gamma * growth[i]))"
            }
        }
        return nil
    }
}

final class WinogradBackwardWeightsTests: XCTestCase {
    /// The forward's shapes (odd sides, batch 1, 1x1 and 1-row images, channel counts off every
    /// vector and micro-tile width) and two with several tile blocks: few input channels and
    /// many output channels (M small), and M large.
    static let cases: [ConvCase] = WinogradTests.cases + [
        ConvCase(n: 2, h: 16, w: 16, c: 8, k: 600, r: 3, s: 3, stride: 1, pad: 1), // 128 tiles in blocks of 32
    ] + longBlockCases

    /// M = 16·C·K > 128 Ki floats (the other block size): 432 tiles in blocks of 64. Its float64
    /// oracle takes ~10⁸ steps: run by the release test pass of CI only, not the debug one.
    #if DEBUG
    static let longBlockCases: [ConvCase] = []
    #else
    static let longBlockCases = [ConvCase(n: 3, h: 23, w: 24, c: 36, k: 230, r: 3, s: 3, stride: 1, pad: 1)]
    #endif

    func testBackwardWeightsMatchFloat64WithinTransformBound() throws {
        var rng = TestRNG(seed: 21)
        for cc in Self.cases {
            let x = rng.tensor(cc.xShape), dy = rng.tensor(cc.yShape)
            let ref = cc.backwardWeights(x.doubles, dy.doubles).value
            let growth = WinogradBound.weightGrowth(n: cc.n, h: cc.h, w: cc.w, c: cc.c, k: cc.k, x: x.doubles, dy: dy.doubles)
            let tiles = cc.n * ((cc.h + 1) / 2) * ((cc.w + 1) / 2)
            try Runtime.withConvAlgorithm(.winograd) {
                let saved = Runtime.threads
                defer { Runtime.threads = saved }
                try Runtime.forEachISA { isa in
                    var first: [Float]?
                    for t in WinogradTests.threadCounts {
                        Runtime.threads = t
                        let ctx = "\(cc) isa \(isa) threads \(t)"
                        let dw = try ConvKernels.backwardWeights(x, dy, kernelSize: (3, 3), geometry: cc.geometry).scalars
                        if let e = WinogradBound.check(dw, ref, growth, gammaTerms: tiles + 12) { XCTFail("bwd_weights \(ctx): \(e)") }
                        // every sum runs in the same order at any thread count: bitwise the same
                        if let f = first { XCTAssertEqual(dw, f, "bwd_weights not deterministic across threads: \(ctx)") } else { first = dw }
                    }
                }
            }
        }
    }

    /// Small integers: the transformed inputs and output gradients are integers, their products
    /// and sums stay below 2²⁴, and Gᵀ M G only halves them twice, so the pass is exact.
    func testIntegerInputsAreExact() throws {
        var rng = TestRNG(seed: 22)
        for cc in [ConvCase(n: 3, h: 7, w: 6, c: 33, k: 17, r: 3, s: 3, stride: 1, pad: 1),
                   ConvCase(n: 2, h: 8, w: 8, c: 64, k: 64, r: 3, s: 3, stride: 1, pad: 1)] {
            let x = rng.intTensor(cc.xShape, 3), dy = rng.intTensor(cc.yShape, 3)
            let ref = cc.backwardWeights(x.doubles, dy.doubles).value
            try Runtime.withConvAlgorithm(.winograd) {
                try forEachConfiguration { isa, t in
                    XCTAssertEqual(try ConvKernels.backwardWeights(x, dy, kernelSize: (3, 3), geometry: cc.geometry).doubles, ref,
                                   "\(cc) isa \(isa) threads \(t)")
                }
            }
        }
    }
}
