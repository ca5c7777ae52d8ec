import DualPropKernels
import XCTest

final class ConvTests: XCTestCase {
    /// The shape sweep: batch 1 and 3, channels 1/3/5/17, spatial 1/2/5/7/32, kernels 1/3/5,
    /// strides 1/2, paddings 0/1/2 — every valid (kernel, stride, pad) combination on small
    /// images, channel counts rotated so each appears with each kernel, plus 32x32 cases.
    static var sweep: [ConvCase] {
        var cases: [ConvCase] = []
        let chans = [1, 3, 5, 17]
        var i = 0
        for r in [1, 3, 5] { for stride in [1, 2] { for pad in [0, 1, 2] where pad < r {
            for hw in [1, 2, 5, 7] where hw + 2 * pad >= r {
                let c = chans[i % 4], k = chans[(i + 1) % 4], n = i % 2 == 0 ? 1 : 3
                cases.append(ConvCase(n: n, h: hw, w: hw == 7 ? 5 : hw, c: c, k: k, r: r, s: r, stride: stride, pad: pad))
                i += 1
            }
        } } }
        cases.append(ConvCase(n: 3, h: 32, w: 32, c: 3, k: 17, r: 3, s: 3, stride: 1, pad: 1))
        cases.append(ConvCase(n: 1, h: 32, w: 32, c: 17, k: 5, r: 5, s: 5, stride: 2, pad: 2))
        cases.append(ConvCase(n: 1, h: 32, w: 32, c: 5, k: 17, r: 1, s: 1, stride: 1, pad: 0))
        cases.append(ConvCase(n: 3, h: 7, w: 5, c: 17, k: 3, r: 3, s: 5, stride: 2, pad: 1)) // R ≠ S
        // the direct 3x3 path (where the ISA has one: K and, for backward-data, C multiples of
        // 32, W ≥ 16): tiles of 11/11/10, 9/8/8 and 8/8 pixels, a single row, odd channel counts
        cases.append(ConvCase(n: 3, h: 5, w: 32, c: 5, k: 32, r: 3, s: 3, stride: 1, pad: 1))
        cases.append(ConvCase(n: 1, h: 1, w: 25, c: 32, k: 64, r: 3, s: 3, stride: 1, pad: 1))
        cases.append(ConvCase(n: 3, h: 7, w: 16, c: 64, k: 32, r: 3, s: 3, stride: 1, pad: 1))
        cases.append(ConvCase(n: 1, h: 2, w: 17, c: 17, k: 96, r: 3, s: 3, stride: 1, pad: 1))
        // batch tiles (batch ≥ 12 or W < 16): image groups 7+6 and 9+8+8, 1x1 / 1-row / 1-column
        // images (one valid tap row or column), backward-data through the flip (C a multiple of
        // 32); a wide image with a full batch (batch tiles; backward-weights by rows when C < 32)
        cases.append(ConvCase(n: 13, h: 2, w: 2, c: 5, k: 32, r: 3, s: 3, stride: 1, pad: 1))
        cases.append(ConvCase(n: 25, h: 3, w: 5, c: 32, k: 64, r: 3, s: 3, stride: 1, pad: 1))
        cases.append(ConvCase(n: 3, h: 1, w: 1, c: 17, k: 32, r: 3, s: 3, stride: 1, pad: 1))
        cases.append(ConvCase(n: 1, h: 1, w: 7, c: 32, k: 32, r: 3, s: 3, stride: 1, pad: 1))
        cases.append(ConvCase(n: 3, h: 5, w: 1, c: 3, k: 64, r: 3, s: 3, stride: 1, pad: 1))
        cases.append(ConvCase(n: 12, h: 2, w: 16, c: 32, k: 32, r: 3, s: 3, stride: 1, pad: 1))
        cases.append(ConvCase(n: 13, h: 3, w: 17, c: 3, k: 32, r: 3, s: 3, stride: 1, pad: 1))
        return cases
    }

    func testAllPassesMatchFloat64ReferenceOnEveryPath() throws {
        var rng = TestRNG(seed: 1)
        for cc in Self.sweep {
            let x = rng.tensor(cc.xShape), w = rng.tensor(cc.wShape), dy = rng.tensor(cc.yShape)
            let yRef = cc.forward(x.doubles, w.doubles)
            let dxRef = cc.backwardData(dy.doubles, w.doubles)
            let dwRef = cc.backwardWeights(x.doubles, dy.doubles)
            try forEachConfiguration { isa, t in
                let ctx = "\(cc) isa \(isa) threads \(t)"
                let y = try ConvKernels.forward(x, weights: w, geometry: cc.geometry)
                XCTAssertEqual(y.shape, cc.yShape, ctx)
                if let e = boundCheck(y.scalars, yRef.value, yRef.abs, terms: cc.longestSum) { XCTFail("fwd \(ctx): \(e)") }
                let dx = try ConvKernels.backwardData(dy, weights: w, inputShape: cc.xShape, geometry: cc.geometry)
                if let e = boundCheck(dx.scalars, dxRef.value, dxRef.abs, terms: cc.longestSum) { XCTFail("bwd_data \(ctx): \(e)") }
                let dw = try ConvKernels.backwardWeights(x, dy, kernelSize: (cc.r, cc.s), geometry: cc.geometry)
                if let e = boundCheck(dw.scalars, dwRef.value, dwRef.abs, terms: cc.longestSum) { XCTFail("bwd_weights \(ctx): \(e)") }
            }
        }
    }

    /// Small integers: every product and partial sum is an integer below 2²⁴, so float32 is exact
    /// in any summation order and the results must equal the float64 reference bit for bit.
    /// Forced direct: auto runs Winograd F(4×4) on some of these shapes, whose filter transform
    /// (⅙, 1⁄24) is not exact (F(2×2)'s exactness: WinogradTests).
    func testIntegerInputsAreExact() throws {
        try Runtime.withConvAlgorithm(.direct) { try integerInputsAreExact() }
    }

    private func integerInputsAreExact() throws {
        var rng = TestRNG(seed: 2)
        let cases = [ConvCase(n: 3, h: 7, w: 7, c: 5, k: 17, r: 3, s: 3, stride: 1, pad: 1),
                     ConvCase(n: 1, h: 5, w: 5, c: 17, k: 3, r: 5, s: 5, stride: 2, pad: 2),
                     ConvCase(n: 3, h: 4, w: 19, c: 32, k: 32, r: 3, s: 3, stride: 1, pad: 1), // direct, row tiles
                     ConvCase(n: 14, h: 4, w: 4, c: 32, k: 64, r: 3, s: 3, stride: 1, pad: 1)] // direct, batch tiles
        for cc in cases {
            let x = rng.intTensor(cc.xShape, 3), w = rng.intTensor(cc.wShape, 3), dy = rng.intTensor(cc.yShape, 3)
            let b = rng.intTensor([cc.k], 5)
            var yRef = cc.forward(x.doubles, w.doubles).value
            for i in 0..<yRef.count { yRef[i] += Double(b[flat: i % cc.k]) }
            try forEachConfiguration { isa, t in
                let ctx = "\(cc) isa \(isa) threads \(t)"
                XCTAssertEqual(try ConvKernels.forward(x, weights: w, bias: b, geometry: cc.geometry).doubles, yRef, ctx)
                XCTAssertEqual(try ConvKernels.backwardData(dy, weights: w, inputShape: cc.xShape, geometry: cc.geometry).doubles,
                               cc.backwardData(dy.doubles, w.doubles).value, ctx)
                XCTAssertEqual(try ConvKernels.backwardWeights(x, dy, kernelSize: (cc.r, cc.s), geometry: cc.geometry).doubles,
                               cc.backwardWeights(x.doubles, dy.doubles).value, ctx)
                var dbRef = [Double](repeating: 0, count: cc.k)
                for (i, v) in dy.doubles.enumerated() { dbRef[i % cc.k] += v }
                XCTAssertEqual(try ConvKernels.biasBackward(dy).doubles, dbRef, ctx)
            }
        }
    }

    /// Backward passes against central finite differences of the float64 forward reference:
    /// with L(x, w) = Σ dy·conv(x, w), ∂L/∂x = bwd_data(dy) and ∂L/∂w = bwd_weights(x, dy).
    /// L is linear in each argument, so the float64 central difference is exact up to ~1e-12;
    /// the float32 kernels then differ by their summation rounding, ≤ 1e-4 here (sums of ≤ 75
    /// terms of magnitude ≤ 1).
    func testBackwardMatchesFiniteDifferences() throws {
        var rng = TestRNG(seed: 3)
        let cc = ConvCase(n: 3, h: 5, w: 5, c: 3, k: 2, r: 3, s: 3, stride: 2, pad: 1)
        let x = rng.tensor(cc.xShape), w = rng.tensor(cc.wShape), dy = rng.tensor(cc.yShape), b = rng.tensor([cc.k])
        func loss(_ xd: [Double], _ wd: [Double], _ bd: [Double]) -> Double {
            let y = cc.forward(xd, wd).value
            return y.indices.reduce(0) { $0 + (y[$1] + bd[$1 % cc.k]) * Double(dy[flat: $1]) }
        }
        let h = 1e-3
        func fd(_ base: [Double], _ eval: ([Double]) -> Double) -> [Double] {
            base.indices.map { i in
                var p = base, m = base
                p[i] += h; m[i] -= h
                return (eval(p) - eval(m)) / (2 * h)
            }
        }
        let gx = fd(x.doubles) { loss($0, w.doubles, b.doubles) }
        let gw = fd(w.doubles) { loss(x.doubles, $0, b.doubles) }
        let gb = fd(b.doubles) { loss(x.doubles, w.doubles, $0) }
        try forEachConfiguration { isa, t in
            let dx = try ConvKernels.backwardData(dy, weights: w, inputShape: cc.xShape, geometry: cc.geometry).doubles
            let dw = try ConvKernels.backwardWeights(x, dy, kernelSize: (3, 3), geometry: cc.geometry).doubles
            let db = try ConvKernels.biasBackward(dy).doubles
            for (got, want, name) in [(dx, gx, "dx"), (dw, gw, "dw"), (db, gb, "db")] {
                for i in got.indices { XCTAssertEqual(got[i], want[i], accuracy: 1e-4, "\(name)[\(i)] isa \(isa) threads \(t)") }
            }
        }
    }

    /// The same finite-difference check through the direct 3x3 paths (batch tiles with the flipped
    /// weights for backward-data, and the transposed backward-weights; where the ISA has them),
    /// on 40 sampled coordinates of x and of w (a full sweep would take 2·(|x| + |w|) forward
    /// evaluations). Tolerance as above: sums of ≤ 9·32 terms of magnitude ≤ 1, ≤ 1e-4.
    func testDirectPathBackwardMatchesFiniteDifferences() throws {
        var rng = TestRNG(seed: 4)
        let cc = ConvCase(n: 13, h: 3, w: 2, c: 32, k: 32, r: 3, s: 3, stride: 1, pad: 1)
        let x = rng.tensor(cc.xShape), w = rng.tensor(cc.wShape), dy = rng.tensor(cc.yShape)
        func loss(_ xd: [Double], _ wd: [Double]) -> Double {
            let y = cc.forward(xd, wd).value
            return y.indices.reduce(0) { $0 + y[$1] * Double(dy[flat: $1]) }
        }
        let h = 1e-3
        func fd(_ base: [Double], at i: Int, _ eval: ([Double]) -> Double) -> Double {
            var p = base, m = base
            p[i] += h; m[i] -= h
            return (eval(p) - eval(m)) / (2 * h)
        }
        let xi = (0..<40).map { ($0 * 7919) % x.count }, wi = (0..<40).map { ($0 * 104_729) % w.count }
        let gx = xi.map { fd(x.doubles, at: $0) { loss($0, w.doubles) } }
        let gw = wi.map { fd(w.doubles, at: $0) { loss(x.doubles, $0) } }
        try forEachConfiguration { isa, t in
            let dx = try ConvKernels.backwardData(dy, weights: w, inputShape: cc.xShape, geometry: cc.geometry).doubles
            let dw = try ConvKernels.backwardWeights(x, dy, kernelSize: (3, 3), geometry: cc.geometry).doubles
            for (j, i) in xi.enumerated() { XCTAssertEqual(dx[i], gx[j], accuracy: 1e-4, "dx[\(i)] isa \(isa) threads \(t)") }
            for (j, i) in wi.enumerated() { XCTAssertEqual(dw[i], gw[j], accuracy: 1e-4, "dw[\(i)] isa \(isa) threads \(t)") }
        }
    }

    func testOIHWConversionRoundTripsAndMatchesPyTorchIndexing() throws {
        let (r, s, c, k) = (3, 2, 5, 4)
        let w = Tensor(shape: [r, s, c, k]) { Float($0) }
        let oihw = try ConvKernels.weightsToOIHW(w)
        XCTAssertEqual(oihw.shape, [k, c, r, s])
        for ir in 0..<r { for iS in 0..<s { for ic in 0..<c { for ik in 0..<k {
            XCTAssertEqual(oihw[ik, ic, ir, iS], w[ir, iS, ic, ik])
        } } } }
        XCTAssertEqual(try ConvKernels.weightsFromOIHW(oihw), w)
    }

    func testInvalidGeometryThrows() {
        let x = Tensor(shape: [1, 2, 2, 1]), w = Tensor(shape: [5, 5, 1, 1])
        XCTAssertThrowsError(try ConvKernels.forward(x, weights: w, geometry: .init(stride: 1, padding: 0)))
        XCTAssertThrowsError(try ConvKernels.forward(x, weights: Tensor(shape: [3, 3, 1, 1]), geometry: .init(stride: 0, padding: 1)))
    }

    func testEmptyBatch() throws {
        let x = Tensor(shape: [0, 4, 4, 3]), w = Tensor(shape: [3, 3, 3, 2], repeating: 1)
        XCTAssertEqual(try ConvKernels.forward(x, weights: w).shape, [0, 4, 4, 2])
        XCTAssertEqual(try ConvKernels.backwardWeights(x, Tensor(shape: [0, 4, 4, 2]), kernelSize: (3, 3)).scalars,
                       [Float](repeating: 0, count: 54))
    }
}

final class ConvAlgorithmTests: XCTestCase {
    /// The sweep's direct-path cases really take the direct path where the CPU has AVX-512.
    func testDirectPathIsSelectedOnAVX512() throws {
        guard Runtime.detectedISA == .avx512 else { throw XCTSkip("no AVX-512 on this CPU") }
        // with the algorithm left on auto, some of these layers would run Winograd (WinogradTests)
        let savedAlgorithm = Runtime.convAlgorithm
        defer { Runtime.convAlgorithm = savedAlgorithm }
        Runtime.convAlgorithm = .direct
        Runtime.forEachISA { isa in
            let name = ConvKernels.algorithmName(input: [1, 1, 25, 32], weights: [3, 3, 32, 64])
            XCTAssertEqual(name.contains("direct"), isa >= .avx2, "\(isa): \(name)") // AVX2 leaf: 16-channel blocks
        }
        // narrow images take the direct path too (batch tiles); output channels not a multiple of
        // 32 and other geometries do not
        XCTAssertTrue(ConvKernels.algorithmName(input: [1, 8, 8, 32], weights: [3, 3, 32, 64]).contains("direct"))
        XCTAssertEqual(ConvKernels.algorithmName(input: [1, 8, 8, 32], weights: [3, 3, 32, 17]), "im2col+sgemm")
        XCTAssertEqual(ConvKernels.algorithmName(input: [1, 8, 8, 32], weights: [5, 5, 32, 64]), "im2col+sgemm")
    }
}
