import CKernels
import XCTest

/// A matrix stored in a padded buffer: `ld` exceeds the minimum by `pad`, and a tail of
/// `tail` elements follows the last stored row/column; padding and tail hold a sentinel.
private struct StoredMatrix {
    static let sentinel = Float(bitPattern: 0x7FC0_BEEF) // a NaN payload nothing computes
    let rows: Int, cols: Int, rowMajor: Bool, ld: Int
    var data: [Float]

    init(rows: Int, cols: Int, rowMajor: Bool, pad: Int, tail: Int = 19, fill: (Int, Int) -> Float) {
        self.rows = rows; self.cols = cols; self.rowMajor = rowMajor
        ld = max(rowMajor ? cols : rows, 1) + pad
        data = [Float](repeating: StoredMatrix.sentinel, count: ld * (rowMajor ? rows : cols) + tail)
        for r in 0..<rows { for c in 0..<cols { data[offset(r, c)] = fill(r, c) } }
    }

    func offset(_ r: Int, _ c: Int) -> Int { rowMajor ? r * ld + c : r + c * ld }
    subscript(r: Int, c: Int) -> Float { data[offset(r, c)] }

    /// Whether an index is padding or tail (not an element of the matrix).
    func isPadding(_ i: Int) -> Bool {
        let outer = i / ld, inner = i % ld
        return outer >= (rowMajor ? rows : cols) || inner >= (rowMajor ? cols : rows)
    }
}

/// Deterministic values in [-1, 1) (a 64-bit LCG), so failures reproduce.
private struct LCG {
    var state: UInt64
    mutating func next() -> Float {
        state = state &* 6364136223846793005 &+ 1442695040888963407
        return Float(Int64(bitPattern: state >> 40) - (1 << 23)) / Float(1 << 23)
    }
}

private struct GEMMCase: CustomStringConvertible {
    var rowMajor: Bool, transA: Bool, transB: Bool
    var m: Int, n: Int, k: Int
    var alpha: Float, beta: Float
    var padA = 0, padB = 0, padC = 0
    var description: String {
        "\(rowMajor ? "row" : "col")-major \(transA ? "T" : "N")\(transB ? "T" : "N") m=\(m) n=\(n) k=\(k) "
            + "alpha=\(alpha) beta=\(beta) pads=(\(padA),\(padB),\(padC))"
    }
}

final class GEMMTests: XCTestCase {
    static let sizes = [0, 1, 2, 3, 5, 7, 16, 17, 31, 33, 63, 65, 127, 257]
    static let scalars: [Float] = [0, 1, -0.5]

    /// Every ISA this CPU has, with 1 and 2 threads; restores the defaults afterwards.
    private func forEachConfiguration(_ body: (String) throws -> Void) rethrows {
        let detected = ck_isa_detected()
        defer { ck_set_max_isa(detected); ck_set_num_threads(0) }
        for isa in 0...detected.rawValue {
            XCTAssertEqual(ck_set_max_isa(ck_isa(isa)), CK_OK)
            for threads: Int32 in [1, 2] {
                ck_set_num_threads(threads)
                try body("\(String(cString: ck_impl_name(CK_OP_SGEMM))) threads=\(threads)")
            }
        }
    }

    /// Build the operands of `tc`, run ck_sgemm under every configuration and check each
    /// result against a float64 oracle, the padding and tail of C against the sentinel.
    private func check(_ tc: GEMMCase, seed: UInt64) {
        var rng = LCG(state: seed)
        let a = StoredMatrix(rows: tc.transA ? tc.k : tc.m, cols: tc.transA ? tc.m : tc.k,
                             rowMajor: tc.rowMajor, pad: tc.padA) { _, _ in rng.next() }
        let b = StoredMatrix(rows: tc.transB ? tc.n : tc.k, cols: tc.transB ? tc.k : tc.n,
                             rowMajor: tc.rowMajor, pad: tc.padB) { _, _ in rng.next() }
        // beta == 0: C starts as NaN, which must not leak into the result.
        let c0 = StoredMatrix(rows: tc.m, cols: tc.n, rowMajor: tc.rowMajor, pad: tc.padC) { _, _ in
            tc.beta == 0 ? .nan : rng.next()
        }
        func opA(_ i: Int, _ p: Int) -> Double { Double(tc.transA ? a[p, i] : a[i, p]) }
        func opB(_ p: Int, _ j: Int) -> Double { Double(tc.transB ? b[j, p] : b[p, j]) }

        // Oracle in float64, and the error bound. A float32 dot product of length K with
        // recursive (or any fixed-order, FMA or not) summation has |error| ≤ γ_K·Σ|a||b| with
        // γ_K ≈ K·u, u = 2⁻²⁴ (Higham, Accuracy and Stability, §3.1); scaling by alpha and
        // adding beta·c adds at most three more roundings. So |ours − exact| ≤
        // (K + 4)·u·(|alpha|·Σ|a||b| + |beta·c|) is a rigorous bound (plus a few ulps of the
        // float64 oracle, negligible). A wrong index or a missed k-block breaks it by far.
        var expected = [Double](repeating: 0, count: tc.m * tc.n)
        var bound = [Double](repeating: 0, count: tc.m * tc.n)
        let u = Double(Float.ulpOfOne) / 2
        for i in 0..<tc.m {
            for j in 0..<tc.n {
                var dot = 0.0, mag = 0.0
                for p in 0..<tc.k {
                    let x = opA(i, p), y = opB(p, j)
                    dot += x * y
                    mag += abs(x * y)
                }
                let prior = tc.beta == 0 ? 0 : Double(tc.beta) * Double(c0[i, j])
                expected[i * tc.n + j] = Double(tc.alpha) * dot + prior
                bound[i * tc.n + j] = Double(tc.k + 4) * u * (abs(Double(tc.alpha)) * mag + abs(prior)) + 1e-30
            }
        }

        forEachConfiguration { config in
            var c = c0
            let status = a.data.withUnsafeBufferPointer { ap in
                b.data.withUnsafeBufferPointer { bp in
                    c.data.withUnsafeMutableBufferPointer { cp in
                        ck_sgemm(tc.rowMajor ? CK_ROW_MAJOR : CK_COL_MAJOR,
                                 tc.transA ? CK_TRANS : CK_NO_TRANS, tc.transB ? CK_TRANS : CK_NO_TRANS,
                                 Int64(tc.m), Int64(tc.n), Int64(tc.k), tc.alpha,
                                 ap.baseAddress, Int64(a.ld), bp.baseAddress, Int64(b.ld),
                                 tc.beta, cp.baseAddress, Int64(c.ld))
                    }
                }
            }
            XCTAssertEqual(status, CK_OK, "\(tc) \(config)")
            var failures = 0
            for i in 0..<tc.m {
                for j in 0..<tc.n where failures < 3 {
                    let got = Double(c[i, j]), want = expected[i * tc.n + j]
                    if !(abs(got - want) <= bound[i * tc.n + j]) {
                        failures += 1
                        XCTFail("\(tc) \(config): C[\(i),\(j)] = \(got), expected \(want) ± \(bound[i * tc.n + j])")
                    }
                }
            }
            for idx in c.data.indices where c.isPadding(idx) && failures < 3 {
                if c.data[idx].bitPattern != StoredMatrix.sentinel.bitPattern {
                    failures += 1
                    XCTFail("\(tc) \(config): padding/tail element \(idx) of C was written")
                }
            }
        }
    }

    /// A covering design over the sizes: for size indices i, j the case
    /// (m, n, k) = (S[i], S[j], S[(i + j) mod 14]) — an orthogonal array of strength 2, so every
    /// pair of values of every two dimensions occurs (196 cases instead of 14³). Layout,
    /// transposes, alpha/beta and padding rotate with the case index so all of them meet
    /// many shapes.
    func testCoveringDesignOfSizes() {
        let s = Self.sizes, q = Self.scalars
        for i in s.indices {
            for j in s.indices {
                let v = i * s.count + j
                let tc = GEMMCase(rowMajor: v % 2 == 0, transA: (v / 2) % 2 == 1, transB: (v / 4) % 2 == 1,
                                  m: s[i], n: s[j], k: s[(i + j) % s.count],
                                  alpha: q[(v / 3) % 3 == 0 ? 1 : (v / 3) % 3], beta: q[v % 3],
                                  padA: v % 5, padB: (v / 5) % 3, padC: v % 4)
                check(tc, seed: UInt64(v + 1))
            }
        }
    }

    /// All layouts, transpose pairs and alpha/beta combinations on two odd shapes (edge tiles
    /// in every dimension) with padded leading dimensions.
    func testLayoutsTransposesAndScalars() {
        var seed: UInt64 = 1000
        for (m, n, k) in [(33, 65, 17), (70, 101, 300)] {
            for rowMajor in [true, false] {
                for transA in [false, true] {
                    for transB in [false, true] {
                        for alpha in Self.scalars {
                            for beta in Self.scalars {
                                seed += 1
                                check(GEMMCase(rowMajor: rowMajor, transA: transA, transB: transB, m: m, n: n, k: k,
                                               alpha: alpha, beta: beta, padA: 3, padB: 5, padC: 7), seed: seed)
                            }
                        }
                    }
                }
            }
        }
    }

    /// The im2col GEMMs of VGG16's convolutions (M = Cout, K = 9·Cin at full size), with N
    /// reduced to 256 columns to keep the test fast.
    func testVGG16ConvolutionShapes() {
        let shapes = [(64, 27), (64, 576), (128, 576), (128, 1152), (256, 1152), (256, 2304), (512, 2304), (512, 4608)]
        for (idx, (m, k)) in shapes.enumerated() {
            check(GEMMCase(rowMajor: true, transA: false, transB: false, m: m, n: 256, k: k, alpha: 1, beta: 0),
                  seed: UInt64(2000 + idx))
        }
    }

    /// The driver's two threaded schedules at every ISA's blocking: row bands sharing one packed
    /// B block (M ≥ threads·mc; mc is 256 for avx512), column bands with just-in-time B panels
    /// and prefetch hints (small M); K past kc (512) so k-blocks accumulate; both transposes of
    /// B (contiguous and strided panels) and odd edges.
    func testThreadedSchedulesOnLargeShapes() {
        var seed: UInt64 = 3000
        for (m, n, k) in [(517, 75, 1030), (40, 1001, 1100)] {
            for (transA, transB) in [(false, false), (true, true)] {
                check(GEMMCase(rowMajor: true, transA: transA, transB: transB, m: m, n: n, k: k,
                               alpha: 1, beta: seed % 2 == 0 ? 0 : -0.5, padA: 3, padB: 1, padC: 2),
                      seed: seed)
                seed += 1
            }
        }
    }

    /// alpha == 0 or k == 0: A and B must not be read (NaN there must not show), C ← beta·C.
    func testZeroAlphaOrEmptyKDoesNotReadOperands() {
        let m = 9, n = 11
        forEachConfiguration { config in
            for (alpha, k) in [(Float(0), 4), (Float(1), 0)] {
                for beta in Self.scalars {
                    let a = [Float](repeating: .nan, count: m * 4), b = [Float](repeating: .nan, count: 4 * n)
                    var c = (0..<(m * n)).map { beta == 0 ? Float.nan : Float($0) }
                    let status = ck_sgemm(CK_ROW_MAJOR, CK_NO_TRANS, CK_NO_TRANS, Int64(m), Int64(n), Int64(k),
                                          alpha, a, 4, b, Int64(n), beta, &c, Int64(n))
                    XCTAssertEqual(status, CK_OK)
                    for idx in 0..<(m * n) {
                        XCTAssertEqual(c[idx], beta * Float(idx), "alpha=\(alpha) k=\(k) beta=\(beta) \(config)")
                    }
                }
            }
        }
    }

    /// Same inputs, same ISA and thread count: bitwise-equal results on every run.
    func testRepeatedRunsAreBitwiseIdentical() {
        let m = 300, n = 500, k = 700
        var rng = LCG(state: 42)
        let a = (0..<(m * k)).map { _ in rng.next() }, b = (0..<(k * n)).map { _ in rng.next() }
        forEachConfiguration { config in
            var first: [Float] = []
            for run in 0..<4 {
                var c = [Float](repeating: 0, count: m * n)
                XCTAssertEqual(ck_sgemm(CK_ROW_MAJOR, CK_NO_TRANS, CK_NO_TRANS, Int64(m), Int64(n), Int64(k),
                                        1, a, Int64(k), b, Int64(n), 0, &c, Int64(n)), CK_OK)
                if run == 0 { first = c } else {
                    XCTAssertTrue(c.map(\.bitPattern) == first.map(\.bitPattern), "run \(run) differs, \(config)")
                }
            }
        }
    }

    func testInvalidArgumentsAreRejected() {
        var c = [Float](repeating: 0, count: 16)
        let a = [Float](repeating: 1, count: 16)
        XCTAssertEqual(ck_sgemm(CK_ROW_MAJOR, CK_NO_TRANS, CK_NO_TRANS, -1, 2, 2, 1, a, 2, a, 2, 0, &c, 2),
                       CK_ERR_BAD_DIMENSION)
        XCTAssertEqual(ck_sgemm(CK_ROW_MAJOR, CK_NO_TRANS, CK_NO_TRANS, 2, 2, 3, 1, a, 2, a, 2, 0, &c, 2),
                       CK_ERR_BAD_LEADING_DIMENSION) // lda = 2 < k = 3
        XCTAssertEqual(ck_sgemm(CK_COL_MAJOR, CK_NO_TRANS, CK_NO_TRANS, 3, 2, 2, 1, a, 3, a, 2, 0, &c, 2),
                       CK_ERR_BAD_LEADING_DIMENSION) // ldc = 2 < m = 3
        XCTAssertEqual(ck_sgemm(ck_layout(7), CK_NO_TRANS, CK_NO_TRANS, 2, 2, 2, 1, a, 2, a, 2, 0, &c, 2),
                       CK_ERR_BAD_ARGUMENT)
        XCTAssertEqual(ck_sgemm(CK_ROW_MAJOR, CK_NO_TRANS, CK_NO_TRANS, 2, 2, 2, 1, nil, 2, a, 2, 0, &c, 2),
                       CK_ERR_NULL_POINTER)
        XCTAssertEqual(ck_sgemm(CK_ROW_MAJOR, CK_NO_TRANS, CK_NO_TRANS, 2, 2, 2, 1, a, 2, a, 2, 0, nil, 2),
                       CK_ERR_NULL_POINTER)
    }

    func testImplementationNameNamesTheMicroKernel() {
        let name = String(cString: ck_impl_name(CK_OP_SGEMM))
        XCTAssertTrue(name.hasPrefix(String(cString: ck_isa_name(ck_isa_active()))), name)
    }
}
