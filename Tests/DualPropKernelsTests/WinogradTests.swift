import DualPropKernels
import XCTest

/// Tolerance of Winograd F(2×2, 3×3) against the float64 oracle, from the transform's error growth.
///
/// Computed in float32, each stage rounds (first-order analysis, Higham §3.1; γₙ = n·u/(1 − n·u),
/// u = 2⁻²⁴):
///   V̂ = fl(Bᵀ d B)   — ≤ 2 additions per path:             |δV| ≤ γ₂ |Bᵀ||d||B|
///   Û = fl(G g Gᵀ)   — ≤ 2 additions per stage, ×½ exact: |δU| ≤ γ₄ |G||g||Gᵀ|
///   M̂ = Σ_c Û·V̂     — 1 product + c_in − 1 additions:      γ_{c_in}
///   Ŷ = fl(Aᵀ M A) + b — ≤ 2 + 3 additions per path:       γ₅
/// so |Ŷ − Y| ≤ γ_{c_in + 12} · Ŵ with Ŵ = |Aᵀ| (Σ_c |G||g||Gᵀ| ⊙ |Bᵀ||d||B|) |A| + |b|, the same
/// algorithm on absolute values (evaluated below in float64). Ŵ is the transform's error growth:
/// for F(2×2, 3×3) it is up to (‖Aᵀ‖∞‖B‖∞‖G‖∞)² ≈ 3²·2²·1.5² = 81× the direct product sum
/// Σ|x·w| of an output, against γ_{9·c_in} for the direct sum — so Winograd's bound is a few
/// times looser than direct convolution's, and the tests check it element by element.
struct WinogradBound {
    /// Ŵ for y = conv3x3(x, g) with stride 1, pad 1; `g(r, s, ci, co)` gives the filter.
    static func absoluteGrowth(n: Int, h: Int, w: Int, cIn: Int, cOut: Int, x: [Double],
                               g: (Int, Int, Int, Int) -> Double) -> [Double] {
        let bt: [[Double]] = [[1, 0, 1, 0], [0, 1, 1, 0], [0, 1, 1, 0], [0, 1, 0, 1]] // |Bᵀ|
        let gm: [[Double]] = [[1, 0, 0], [0.5, 0.5, 0.5], [0.5, 0.5, 0.5], [0, 0, 1]] // |G|
        let at: [[Double]] = [[1, 1, 1, 0], [0, 1, 1, 1]] // |Aᵀ|
        // |U| per (ci, co): 16 values
        var u = [Double](repeating: 0, count: cIn * cOut * 16)
        for ci in 0..<cIn { for co in 0..<cOut {
            for i in 0..<4 { for j in 0..<4 {
                var s = 0.0
                for r in 0..<3 { for q in 0..<3 { s += gm[i][r] * abs(g(r, q, ci, co)) * gm[j][q] } }
                u[(ci * cOut + co) * 16 + i * 4 + j] = s
            } }
        } }
        var out = [Double](repeating: 0, count: n * h * w * cOut)
        for b in 0..<n { for ty in stride(from: 0, to: h, by: 2) { for tx in stride(from: 0, to: w, by: 2) {
            var m = [Double](repeating: 0, count: cOut * 16)
            for ci in 0..<cIn {
                var d = [[Double]](repeating: [Double](repeating: 0, count: 4), count: 4)
                for a in 0..<4 { for c in 0..<4 {
                    let ih = ty - 1 + a, iw = tx - 1 + c
                    if ih >= 0, ih < h, iw >= 0, iw < w { d[a][c] = abs(x[((b * h + ih) * w + iw) * cIn + ci]) }
                } }
                var v = [Double](repeating: 0, count: 16)
                for i in 0..<4 { for j in 0..<4 {
                    var s = 0.0
                    for a in 0..<4 { for c in 0..<4 { s += bt[i][a] * d[a][c] * bt[j][c] } }
                    v[i * 4 + j] = s
                } }
                for co in 0..<cOut { for xi in 0..<16 { m[co * 16 + xi] += u[(ci * cOut + co) * 16 + xi] * v[xi] } }
            }
            for i in 0..<2 { for j in 0..<2 where ty + i < h && tx + j < w {
                for co in 0..<cOut {
                    var s = 0.0
                    for a in 0..<4 { for c in 0..<4 { s += at[i][a] * m[co * 16 + a * 4 + c] * at[j][c] } }
                    out[((b * h + ty + i) * w + tx + j) * cOut + co] = s
                }
            } }
        } } }
        return out
    }

    /// Checks |got − ref| ≤ γ_{cIn+12}·Ŵ for every element; the first failure or nil.
    static func check(_ got: [Float], _ ref: [Double], _ growth: [Double], cIn: Int) -> String? {
        guard got.count == ref.count else { return "count \(got.count) vs \(ref.count)" }
        let u = 0x1p-24, n = Double(cIn + 12), gamma = n * u / (1 - n * u)
        for i in 0..<got.count {
            let err = abs(Double(got[i]) - ref[i])
            if !(err <= gamma * growth[i] + 1e-30) {
                return "element \(i): got \(got[i]), expected \(ref[i]) (error \(err), bound \(gamma * growth[i]))"
            }
        }
        return nil
    }
}

final class WinogradTests: XCTestCase {
    /// Odd and even sides (partial edge tiles), 1x1 and 1-row images, channel counts that are not
    /// multiples of any vector or micro-tile width, and a case with several tile blocks.
    static let cases: [ConvCase] = [
        ConvCase(n: 1, h: 1, w: 1, c: 3, k: 5, r: 3, s: 3, stride: 1, pad: 1),
        ConvCase(n: 3, h: 5, w: 7, c: 17, k: 33, r: 3, s: 3, stride: 1, pad: 1),
        ConvCase(n: 2, h: 8, w: 8, c: 64, k: 50, r: 3, s: 3, stride: 1, pad: 1),
        ConvCase(n: 13, h: 2, w: 3, c: 5, k: 17, r: 3, s: 3, stride: 1, pad: 1),
        ConvCase(n: 1, h: 1, w: 9, c: 32, k: 7, r: 3, s: 3, stride: 1, pad: 1),
        ConvCase(n: 4, h: 16, w: 16, c: 32, k: 96, r: 3, s: 3, stride: 1, pad: 1), // 3 tile blocks of ≤ 96
    ]

    /// Thread counts for the Winograd tests: 1, 2, a count that does not divide the tile blocks,
    /// and far more threads than blocks (most threads find no work).
    static let threadCounts = [1, 2, 3, 64]

    func testForwardAndBackwardDataMatchFloat64WithinTransformBound() throws {
        var rng = TestRNG(seed: 11)
        for cc in Self.cases {
            let x = rng.tensor(cc.xShape), w = rng.tensor(cc.wShape), dy = rng.tensor(cc.yShape)
            let wd = w.doubles
            let yRef = cc.forward(x.doubles, wd).value, dxRef = cc.backwardData(dy.doubles, wd).value
            let yGrowth = WinogradBound.absoluteGrowth(n: cc.n, h: cc.h, w: cc.w, cIn: cc.c, cOut: cc.k, x: x.doubles) {
                wd[(($0 * 3 + $1) * cc.c + $2) * cc.k + $3]
            }
            // backward-data: the forward convolution of dy (k channels) with w[2−r][2−s][c][k]
            let dxGrowth = WinogradBound.absoluteGrowth(n: cc.n, h: cc.h, w: cc.w, cIn: cc.k, cOut: cc.c, x: dy.doubles) {
                wd[(((2 - $0) * 3 + (2 - $1)) * cc.c + $3) * cc.k + $2]
            }
            try Runtime.withConvAlgorithm(.winograd) {
                let saved = Runtime.threads
                defer { Runtime.threads = saved }
                try Runtime.forEachISA { isa in
                    var first: (y: [Float], dx: [Float])?
                    for t in Self.threadCounts {
                        Runtime.threads = t
                        let ctx = "\(cc) isa \(isa) threads \(t)"
                        XCTAssertTrue(ConvKernels.algorithmName(input: cc.xShape, weights: cc.wShape).hasPrefix("winograd"), ctx)
                        let y = try ConvKernels.forward(x, weights: w, geometry: cc.geometry).scalars
                        if let e = WinogradBound.check(y, yRef, yGrowth, cIn: cc.c) { XCTFail("fwd \(ctx): \(e)") }
                        let dx = try ConvKernels.backwardData(dy, weights: w, inputShape: cc.xShape, geometry: cc.geometry).scalars
                        if let e = WinogradBound.check(dx, dxRef, dxGrowth, cIn: cc.k) { XCTFail("bwd_data \(ctx): \(e)") }
                        // tile blocks do not depend on the thread count: bitwise the same results
                        if let f = first {
                            XCTAssertEqual(y, f.y, "fwd not deterministic across threads: \(ctx)")
                            XCTAssertEqual(dx, f.dx, "bwd_data not deterministic across threads: \(ctx)")
                        } else {
                            first = (y, dx)
                        }
                    }
                }
            }
        }
    }

    /// Small integers: inputs, transformed inputs (integers), transformed filters (multiples of
    /// ¼) and every partial sum are exact in float32, so Winograd must equal the float64 oracle
    /// bit for bit, bias included.
    func testIntegerInputsAreExact() throws {
        var rng = TestRNG(seed: 12)
        for cc in [ConvCase(n: 3, h: 7, w: 6, c: 33, k: 17, r: 3, s: 3, stride: 1, pad: 1),
                   ConvCase(n: 2, h: 8, w: 8, c: 64, k: 64, r: 3, s: 3, stride: 1, pad: 1)] {
            let x = rng.intTensor(cc.xShape, 3), w = rng.intTensor(cc.wShape, 3), dy = rng.intTensor(cc.yShape, 3)
            let b = rng.intTensor([cc.k], 5)
            var yRef = cc.forward(x.doubles, w.doubles).value
            for i in 0..<yRef.count { yRef[i] += Double(b[flat: i % cc.k]) }
            let dxRef = cc.backwardData(dy.doubles, w.doubles).value
            try Runtime.withConvAlgorithm(.winograd) {
                try forEachConfiguration { isa, t in
                    let ctx = "\(cc) isa \(isa) threads \(t)"
                    XCTAssertEqual(try ConvKernels.forward(x, weights: w, bias: b, geometry: cc.geometry).doubles, yRef, ctx)
                    XCTAssertEqual(try ConvKernels.backwardData(dy, weights: w, inputShape: cc.xShape, geometry: cc.geometry).doubles,
                                   dxRef, ctx)
                }
            }
        }
    }

    /// The algorithm switch: forced direct never runs Winograd; auto follows the measured rule
    /// (Winograd on the 32×32…8×8 VGG16 layers, direct or im2col on 2×2 and on conv1's 3 channels).
    func testAlgorithmSelection() throws {
        Runtime.withConvAlgorithm(.direct) {
            XCTAssertEqual(Runtime.convAlgorithm, .direct)
            XCTAssertFalse(ConvKernels.algorithmName(input: [100, 32, 32, 64], weights: [3, 3, 64, 64]).hasPrefix("winograd"))
        }
        Runtime.withConvAlgorithm(.auto) {
            Runtime.forEachISA { isa in
                XCTAssertTrue(ConvKernels.algorithmName(input: [100, 32, 32, 64], weights: [3, 3, 64, 64]).hasPrefix("winograd"), "\(isa)")
                XCTAssertTrue(ConvKernels.algorithmName(input: [25, 8, 8, 256], weights: [3, 3, 256, 256]).hasPrefix("winograd"), "\(isa)")
                XCTAssertFalse(ConvKernels.algorithmName(input: [100, 2, 2, 512], weights: [3, 3, 512, 512]).hasPrefix("winograd"), "\(isa)")
                XCTAssertFalse(ConvKernels.algorithmName(input: [100, 32, 32, 3], weights: [3, 3, 3, 64]).hasPrefix("winograd"), "\(isa)")
                XCTAssertFalse(ConvKernels.algorithmName(input: [100, 32, 32, 64], weights: [3, 3, 64, 64],
                                                    geometry: .init(stride: 2, padding: 1)).hasPrefix("winograd"), "\(isa)")
                XCTAssertEqual(Runtime.implementationName(.winograd), "winograd F(2x2,3x3) \(isa)")
            }
        }
        XCTAssertEqual(ConvAlgorithm(name: "Winograd"), .winograd)
        XCTAssertNil(ConvAlgorithm(name: "fft"))
    }
}
