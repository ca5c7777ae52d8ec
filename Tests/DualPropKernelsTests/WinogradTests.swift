import DualPropKernels
import XCTest

/// Tolerance of Winograd F(2×2, 3×3) and F(4×4, 3×3) against the float64 oracle, from the
/// transform's error growth.
///
/// Computed in float32, each stage rounds (first-order analysis, Higham §3.1; γₙ = n·u/(1 − n·u),
/// u = 2⁻²⁴). F(2×2):
///   V̂ = fl(Bᵀ d B)   — ≤ 2 additions per path:             |δV| ≤ γ₂ |Bᵀ||d||B|
///   Û = fl(G g Gᵀ)   — ≤ 2 additions per stage, ×½ exact: |δU| ≤ γ₄ |G||g||Gᵀ|
///   M̂ = Σ_c Û·V̂     — 1 product + c_in − 1 additions:      γ_{c_in}
///   Ŷ = fl(Aᵀ M A) + b — ≤ 2 + 3 additions per path:       γ₅
/// so |Ŷ − Y| ≤ γ_{c_in + 12} · Ŵ with Ŵ = |Aᵀ| (Σ_c |G||g||Gᵀ| ⊙ |Bᵀ||d||B|) |A| + |b|, the same
/// algorithm on absolute values (evaluated below in float64). F(4×4) (points 0, ±1, ±2, ∞):
///   V̂: ≤ 2 roundings per 1-D pass (the ×5 terms fused, ×4 and ×2 exact) → γ₄;
///   Û: 2 additions, the product with the float constant ⅙ or 1⁄24 and that constant's own
///      rounding per pass → γ₈;  M̂: γ_{c_in};  Ŷ: ≤ 3 additions per pass + bias → γ₇;
/// so |Ŷ − Y| ≤ γ_{c_in + 19} · Ŵ with F(4×4)'s matrices in Ŵ. Ŵ is the transform's error
/// growth: with all |x| and |w| equal it is 7.1× the direct product sum Σ|x·w| of an output for
/// F(2×2), and 28× … 256× for F(4×4) (256× at the tile corner, where Aᵀ's factor 8 meets itself;
/// `testErrorGrowthOfTheTransforms`), against γ_{9·c_in}·Σ|x·w| for the direct sum — so
/// F(4×4)'s bound is about 36× looser than F(2×2)'s. The tests check each bound element by element.
struct WinogradBound {
    /// |Bᵀ|, |G|, |Aᵀ| of F(m×m, 3×3), m = 2 or 4.
    static func absoluteMatrices(tile m: Int) -> (bt: [[Double]], g: [[Double]], at: [[Double]]) {
        if m == 2 {
            return ([[1, 0, 1, 0], [0, 1, 1, 0], [0, 1, 1, 0], [0, 1, 0, 1]],
                    [[1, 0, 0], [0.5, 0.5, 0.5], [0.5, 0.5, 0.5], [0, 0, 1]],
                    [[1, 1, 1, 0], [0, 1, 1, 1]])
        }
        return ([[4, 0, 5, 0, 1, 0], [0, 4, 4, 1, 1, 0], [0, 4, 4, 1, 1, 0],
                 [0, 2, 1, 2, 1, 0], [0, 2, 1, 2, 1, 0], [0, 4, 0, 5, 0, 1]],
                [[1.0 / 4, 0, 0], [1.0 / 6, 1.0 / 6, 1.0 / 6], [1.0 / 6, 1.0 / 6, 1.0 / 6],
                 [1.0 / 24, 1.0 / 12, 1.0 / 6], [1.0 / 24, 1.0 / 12, 1.0 / 6], [0, 0, 1]],
                [[1, 1, 1, 1, 1, 0], [0, 1, 1, 2, 2, 0], [0, 1, 1, 4, 4, 0], [0, 1, 1, 8, 8, 1]])
    }

    /// Roundings besides the c_in-term sums (γ_{c_in + extra}).
    static func extraRoundings(tile m: Int) -> Int { m == 2 ? 12 : 19 }

    /// Ŵ for y = conv3x3(x, g) with stride 1, pad 1 through F(m×m, 3×3); `g(r, s, ci, co)` gives
    /// the filter.
    static func absoluteGrowth(tile m: Int = 2, n: Int, h: Int, w: Int, cIn: Int, cOut: Int, x: [Double],
                               g: (Int, Int, Int, Int) -> Double) -> [Double] {
        let (bt, gm, at) = absoluteMatrices(tile: m)
        let al = m + 2, np = al * al
        // |U| per (ci, co): np values
        var u = [Double](repeating: 0, count: cIn * cOut * np)
        for ci in 0..<cIn { for co in 0..<cOut {
            for i in 0..<al { for j in 0..<al {
                var s = 0.0
                for r in 0..<3 { for q in 0..<3 { s += gm[i][r] * abs(g(r, q, ci, co)) * gm[j][q] } }
                u[(ci * cOut + co) * np + i * al + j] = s
            } }
        } }
        var out = [Double](repeating: 0, count: n * h * w * cOut)
        for b in 0..<n { for ty in stride(from: 0, to: h, by: m) { for tx in stride(from: 0, to: w, by: m) {
            var mm = [Double](repeating: 0, count: cOut * np)
            for ci in 0..<cIn {
                var d = [[Double]](repeating: [Double](repeating: 0, count: al), count: al)
                for a in 0..<al { for c in 0..<al {
                    let ih = ty - 1 + a, iw = tx - 1 + c
                    if ih >= 0, ih < h, iw >= 0, iw < w { d[a][c] = abs(x[((b * h + ih) * w + iw) * cIn + ci]) }
                } }
                var v = [Double](repeating: 0, count: np)
                for i in 0..<al { for j in 0..<al {
                    var s = 0.0
                    for a in 0..<al { for c in 0..<al { s += bt[i][a] * d[a][c] * bt[j][c] } }
                    v[i * al + j] = s
                } }
                for co in 0..<cOut { for xi in 0..<np { mm[co * np + xi] += u[(ci * cOut + co) * np + xi] * v[xi] } }
            }
            for i in 0..<m { for j in 0..<m where ty + i < h && tx + j < w {
                for co in 0..<cOut {
                    var s = 0.0
                    for a in 0..<al { for c in 0..<al { s += at[i][a] * mm[co * np + a * al + c] * at[j][c] } }
                    out[((b * h + ty + i) * w + tx + j) * cOut + co] = s
                }
            } }
        } } }
        return out
    }

    /// Checks |got − ref| ≤ γ_{cIn+extra}·Ŵ for every element; the first failure or nil.
    static func check(_ got: [Float], _ ref: [Double], _ growth: [Double], cIn: Int, tile m: Int = 2) -> String? {
        guard got.count == ref.count else { return "count \(got.count) vs \(ref.count)" }
        let u = 0x1p-24, n = Double(cIn + extraRoundings(tile: m)), gamma = n * u / (1 - n * u)
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
        ConvCase(n: 4, h: 16, w: 16, c: 32, k: 96, r: 3, s: 3, stride: 1, pad: 1), // F(2×2): 3 tile blocks of ≤ 96, F(4×4) 2
        ConvCase(n: 1, h: 6, w: 10, c: 49, k: 40, r: 3, s: 3, stride: 1, pad: 1), // batch 1, partial 4×4 tiles
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
            for (algorithm, m) in [(ConvAlgorithm.winograd2x2, 2), (.winograd4x4, 4)] {
                let yGrowth = WinogradBound.absoluteGrowth(tile: m, n: cc.n, h: cc.h, w: cc.w, cIn: cc.c, cOut: cc.k,
                                                           x: x.doubles) {
                    wd[(($0 * 3 + $1) * cc.c + $2) * cc.k + $3]
                }
                // backward-data: the forward convolution of dy (k channels) with w[2−r][2−s][c][k]
                let dxGrowth = WinogradBound.absoluteGrowth(tile: m, n: cc.n, h: cc.h, w: cc.w, cIn: cc.k, cOut: cc.c,
                                                            x: dy.doubles) {
                    wd[(((2 - $0) * 3 + (2 - $1)) * cc.c + $3) * cc.k + $2]
                }
                try Runtime.withConvAlgorithm(algorithm) {
                    let saved = Runtime.threads
                    defer { Runtime.threads = saved }
                    try Runtime.forEachISA { isa in
                        var first: (y: [Float], dx: [Float])?
                        for t in Self.threadCounts {
                            Runtime.threads = t
                            let ctx = "\(cc) \(algorithm) isa \(isa) threads \(t)"
                            XCTAssertEqual(ConvKernels.algorithmName(input: cc.xShape, weights: cc.wShape),
                                           "winograd F(\(m)x\(m),3x3) \(isa)", ctx)
                            let y = try ConvKernels.forward(x, weights: w, geometry: cc.geometry).scalars
                            if let e = WinogradBound.check(y, yRef, yGrowth, cIn: cc.c, tile: m) { XCTFail("fwd \(ctx): \(e)") }
                            let dx = try ConvKernels.backwardData(dy, weights: w, inputShape: cc.xShape, geometry: cc.geometry).scalars
                            if let e = WinogradBound.check(dx, dxRef, dxGrowth, cIn: cc.k, tile: m) { XCTFail("bwd_data \(ctx): \(e)") }
                            // blocks depend on the thread count, results do not: bitwise the same
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
    }

    /// The growth factors Ŵ / Σ|x·w| the doc comment of WinogradBound states: all inputs and
    /// weights 1, interior tiles of a 12×12 image (Σ|x·w| = 9 there).
    func testErrorGrowthOfTheTransforms() {
        for (m, least, most) in [(2, 64.0 / 9, 64.0 / 9), (4, 256.0 / 9, 256.0)] {
            let side = 12, x = [Double](repeating: 1, count: side * side)
            let growth = WinogradBound.absoluteGrowth(tile: m, n: 1, h: side, w: side, cIn: 1, cOut: 1, x: x) { _, _, _, _ in 1 }
            // the tile starting at (m, m) is interior for both sizes
            let tile = (0..<m).flatMap { i in (0..<m).map { j in growth[(m + i) * side + m + j] / 9 } }
            XCTAssertEqual(tile.min()!, least, accuracy: 1e-9, "F(\(m)x\(m))")
            XCTAssertEqual(tile.max()!, most, accuracy: 1e-9, "F(\(m)x\(m))")
        }
    }

    /// Small integers: inputs, transformed inputs (integers), transformed filters (multiples of
    /// ¼) and every partial sum are exact in float32, so F(2×2) must equal the float64 oracle
    /// bit for bit, bias included. (Not F(4×4): its G has ⅙ and 1⁄24, which float32 rounds.)
    func testIntegerInputsAreExact() throws {
        var rng = TestRNG(seed: 12)
        for cc in [ConvCase(n: 3, h: 7, w: 6, c: 33, k: 17, r: 3, s: 3, stride: 1, pad: 1),
                   ConvCase(n: 2, h: 8, w: 8, c: 64, k: 64, r: 3, s: 3, stride: 1, pad: 1)] {
            let x = rng.intTensor(cc.xShape, 3), w = rng.intTensor(cc.wShape, 3), dy = rng.intTensor(cc.yShape, 3)
            let b = rng.intTensor([cc.k], 5)
            var yRef = cc.forward(x.doubles, w.doubles).value
            for i in 0..<yRef.count { yRef[i] += Double(b[flat: i % cc.k]) }
            let dxRef = cc.backwardData(dy.doubles, w.doubles).value
            try Runtime.withConvAlgorithm(.winograd2x2) {
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
    /// (F(4×4) on the 32×32…4×4 VGG16 layers; direct on 2×2 (F(2×2) without a direct leaf) and
    /// on conv1's 3 channels); `winograd` takes the rule's tile size (F(2×2) where auto runs
    /// direct); the two tile sizes can be forced.
    func testAlgorithmSelection() throws {
        let vgg2 = ([100, 32, 32, 64], [3, 3, 64, 64]), vgg6 = ([25, 8, 8, 256], [3, 3, 256, 256])
        let vgg9 = ([100, 4, 4, 512], [3, 3, 512, 512]), vgg11 = ([100, 2, 2, 512], [3, 3, 512, 512])
        Runtime.withConvAlgorithm(.direct) {
            XCTAssertEqual(Runtime.convAlgorithm, .direct)
            XCTAssertFalse(ConvKernels.algorithmName(input: vgg2.0, weights: vgg2.1).hasPrefix("winograd"))
        }
        Runtime.forEachISA { isa in
            let f4 = "winograd F(4x4,3x3) \(isa)", f2 = "winograd F(2x2,3x3) \(isa)"
            Runtime.withConvAlgorithm(.auto) {
                XCTAssertEqual(ConvKernels.algorithmName(input: vgg2.0, weights: vgg2.1), f4)
                XCTAssertEqual(ConvKernels.algorithmName(input: vgg6.0, weights: vgg6.1), f4)
                XCTAssertEqual(ConvKernels.algorithmName(input: vgg9.0, weights: vgg9.1), f4)
                // 2×2 images: direct, or F(2×2) where the alternative is im2col (ref)
                XCTAssertEqual(ConvKernels.algorithmName(input: vgg11.0, weights: vgg11.1).hasPrefix("winograd"), isa == .ref, "\(isa)")
                XCTAssertEqual(ConvKernels.algorithmName(input: vgg11.0, weights: vgg11.1) == f2, isa == .ref, "\(isa)")
                XCTAssertFalse(ConvKernels.algorithmName(input: [100, 32, 32, 3], weights: [3, 3, 3, 64]).hasPrefix("winograd"), "\(isa)")
                XCTAssertFalse(ConvKernels.algorithmName(input: vgg2.0, weights: vgg2.1,
                                                         geometry: .init(stride: 2, padding: 1)).hasPrefix("winograd"), "\(isa)")
                XCTAssertEqual(Runtime.implementationName(.winograd), f2)
            }
            Runtime.withConvAlgorithm(.winograd) {
                XCTAssertEqual(ConvKernels.algorithmName(input: vgg2.0, weights: vgg2.1), f4)
                XCTAssertEqual(ConvKernels.algorithmName(input: vgg11.0, weights: vgg11.1), f2)
            }
            Runtime.withConvAlgorithm(.winograd2x2) {
                XCTAssertEqual(ConvKernels.algorithmName(input: vgg2.0, weights: vgg2.1), f2)
            }
            Runtime.withConvAlgorithm(.winograd4x4) {
                XCTAssertEqual(ConvKernels.algorithmName(input: vgg11.0, weights: vgg11.1), f4)
                XCTAssertEqual(ConvKernels.algorithmName(input: [100, 32, 32, 3], weights: [3, 3, 3, 64]), f4)
            }
        }
        XCTAssertEqual(ConvAlgorithm(name: "Winograd"), .winograd)
        XCTAssertEqual(ConvAlgorithm(name: "winograd4x4"), .winograd4x4)
        XCTAssertEqual(ConvAlgorithm(name: "winograd2x2"), .winograd2x2)
        XCTAssertNil(ConvAlgorithm(name: "fft"))
    }
}
