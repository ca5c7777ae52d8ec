import DualPropKernels
import XCTest

final class ConvEpilogueTests: XCTestCase {
    /// `forwardReLU` equals `forward` followed by `Activation.relu` (values, so −0 and +0 agree),
    /// and its pre-activation equals `forward`, on every ISA, algorithm setting (the Winograd
    /// path fuses the epilogue into its output transform, the others run it after) and thread
    /// count; forward itself is checked against the float64 oracle in ConvTests/WinogradTests.
    /// A NaN bias keeps its channel NaN through the ReLU (as the activation family's ReLU).
    func testFusedReLUMatchesSeparatePasses() throws {
        var rng = TestRNG(seed: 21)
        let cases = [ConvCase(n: 3, h: 9, w: 8, c: 32, k: 48, r: 3, s: 3, stride: 1, pad: 1),  // Winograd in auto
                     ConvCase(n: 13, h: 2, w: 2, c: 32, k: 64, r: 3, s: 3, stride: 1, pad: 1), // direct (batch tiles)
                     ConvCase(n: 2, h: 7, w: 5, c: 5, k: 17, r: 3, s: 3, stride: 2, pad: 1)]   // im2col
        for cc in cases {
            let x = rng.tensor(cc.xShape), w = rng.tensor(cc.wShape)
            var b = rng.tensor([cc.k])
            b[flat: 1] = .nan
            for algorithm in ConvAlgorithm.allCases {
                try Runtime.withConvAlgorithm(algorithm) {
                    try forEachConfiguration { isa, t in
                        let ctx = "\(cc) \(algorithm) isa \(isa) threads \(t)"
                        let z = try ConvKernels.forward(x, weights: w, bias: b, geometry: cc.geometry)
                        let want = try Activation.relu(z)
                        let fused = try ConvKernels.forwardReLU(x, weights: w, bias: b, geometry: cc.geometry, keepPreActivation: true)
                        let plain = try ConvKernels.forwardReLU(x, weights: w, bias: b, geometry: cc.geometry)
                        XCTAssertNil(plain.preActivation, ctx)
                        for (name, got) in [("output", fused.output), ("output without pre", plain.output)] {
                            XCTAssertEqual(got.shape, want.shape, ctx)
                            for i in 0..<want.count where !(got[flat: i] == want[flat: i] || (got[flat: i].isNaN && want[flat: i].isNaN)) {
                                XCTFail("\(name)[\(i)] \(got[flat: i]) vs \(want[flat: i]): \(ctx)"); break
                            }
                        }
                        let pre = try XCTUnwrap(fused.preActivation, ctx)
                        XCTAssertEqual(pre.scalars.map(\.bitPattern), z.scalars.map(\.bitPattern), ctx)
                        XCTAssertTrue(fused.output[flat: 1].isNaN, "NaN bias channel must stay NaN: \(ctx)")
                    }
                }
            }
        }
    }
}
