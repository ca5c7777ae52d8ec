import CKernels
import XCTest

/// The C API of the Winograd backward-weights pass: what ck_conv2d_algorithm_name reports, beta,
/// and the caller workspace (numerics: DualPropKernelsTests.WinogradBackwardWeightsTests).
final class WinogradBackwardWeightsCTests: XCTestCase {
    private func withAlgorithm(_ algo: ck_conv_algo, _ body: () -> Void) {
        let saved = ck_conv_get_algorithm()
        defer { _ = ck_conv_set_algorithm(saved) }
        XCTAssertEqual(ck_conv_set_algorithm(algo), CK_OK)
        body()
    }

    /// Forced Winograd names the backward-weights transforms of the active ISA; forced direct
    /// never does; auto follows the measured rule (the VGG16 layers with ≥ 32 channels down to
    /// 2x2: yes; conv1's 3 channels and 1x1 images: no).
    func testAlgorithmNameSaysWhatRuns() {
        let detected = ck_isa_detected()
        defer { _ = ck_set_max_isa(detected) }
        var vgg2 = ck_conv2d_params(n: 100, h: 32, w: 32, c: 64, k: 64, r: 3, s: 3, stride_h: 1, stride_w: 1, pad_h: 1, pad_w: 1)
        var vgg11 = ck_conv2d_params(n: 100, h: 2, w: 2, c: 512, k: 512, r: 3, s: 3, stride_h: 1, stride_w: 1, pad_h: 1, pad_w: 1)
        var vgg1 = ck_conv2d_params(n: 100, h: 32, w: 32, c: 3, k: 64, r: 3, s: 3, stride_h: 1, stride_w: 1, pad_h: 1, pad_w: 1)
        var pixel = ck_conv2d_params(n: 100, h: 1, w: 1, c: 512, k: 512, r: 3, s: 3, stride_h: 1, stride_w: 1, pad_h: 1, pad_w: 1)
        var strided = ck_conv2d_params(n: 100, h: 32, w: 32, c: 64, k: 64, r: 3, s: 3, stride_h: 2, stride_w: 2, pad_h: 1, pad_w: 1)
        func name(_ p: inout ck_conv2d_params) -> String { String(cString: ck_conv2d_algorithm_name(&p, CK_CONV2D_BWD_WEIGHTS)) }
        for isa in 0...detected.rawValue {
            XCTAssertEqual(ck_set_max_isa(ck_isa(isa)), CK_OK)
            let isaName = String(cString: ck_isa_name(ck_isa(isa)))
            let wino = "winograd F(2x2,3x3) bwd-weights \(isaName)"
            withAlgorithm(CK_CONV_ALGO_WINOGRAD) {
                XCTAssertEqual(name(&vgg2), wino)
                XCTAssertEqual(name(&vgg1), wino)
                XCTAssertFalse(name(&strided).hasPrefix("winograd"))
            }
            withAlgorithm(CK_CONV_ALGO_DIRECT) { XCTAssertFalse(name(&vgg2).hasPrefix("winograd"), isaName) }
            withAlgorithm(CK_CONV_ALGO_AUTO) {
                XCTAssertEqual(name(&vgg2), wino)
                XCTAssertEqual(name(&vgg11), wino)
                XCTAssertFalse(name(&vgg1).hasPrefix("winograd"), isaName)
                XCTAssertFalse(name(&pixel).hasPrefix("winograd"), isaName)
            }
        }
    }

    /// beta = 0 overwrites (dw is not read: NaNs there do not leak), beta = 1 accumulates,
    /// beta = 0.5 scales; a caller workspace of the queried size at any alignment gives the same
    /// bits and 65 bytes less is refused. Integer data keeps every value exact.
    func testBetaAndCallerWorkspace() {
        let detected = ck_isa_detected()
        defer { _ = ck_set_max_isa(detected) }
        var p = ck_conv2d_params(n: 3, h: 9, w: 10, c: 20, k: 52, r: 3, s: 3, stride_h: 1, stride_w: 1, pad_h: 1, pad_w: 1)
        let xCount = Int(p.n * p.h * p.w * p.c), dyCount = Int(p.n * p.h * p.w * p.k), dwCount = Int(9 * p.c * p.k)
        let x: [Float] = (0..<xCount).map { (i: Int) -> Float in Float(i % 5) - 2 }
        let dy: [Float] = (0..<dyCount).map { (i: Int) -> Float in Float(i % 3) - 1 }
        withAlgorithm(CK_CONV_ALGO_WINOGRAD) {
            for isa in 0...detected.rawValue {
                XCTAssertEqual(ck_set_max_isa(ck_isa(isa)), CK_OK)
                var once = [Float](repeating: .nan, count: dwCount)
                XCTAssertEqual(ck_conv2d_bwd_weights(&p, x, dy, 0, &once, nil, 0), CK_OK)
                XCTAssertFalse(once.contains { $0.isNaN }, "isa \(isa)")
                var acc = once
                XCTAssertEqual(ck_conv2d_bwd_weights(&p, x, dy, 1, &acc, nil, 0), CK_OK)
                XCTAssertEqual(acc, once.map { 2 * $0 }, "isa \(isa)")
                var half = once
                XCTAssertEqual(ck_conv2d_bwd_weights(&p, x, dy, 0.5, &half, nil, 0), CK_OK)
                XCTAssertEqual(half, once.map { 1.5 * $0 }, "isa \(isa)")
                let need = ck_conv2d_workspace_size(&p, CK_CONV2D_BWD_WEIGHTS)
                XCTAssertGreaterThan(need, 64 + 16 * dwCount / 9 * 4) // holds M: 16·C·K floats
                var own = [Float](repeating: 0, count: dwCount)
                var buffer = [UInt8](repeating: 0, count: need + 7)
                buffer.withUnsafeMutableBytes { raw in
                    let ws = raw.baseAddress! + 7 // deliberately not 64-byte aligned
                    XCTAssertEqual(ck_conv2d_bwd_weights(&p, x, dy, 0, &own, ws, need), CK_OK)
                    XCTAssertEqual(ck_conv2d_bwd_weights(&p, x, dy, 0, &own, ws, need - 65), CK_ERR_WORKSPACE_TOO_SMALL)
                }
                XCTAssertEqual(own, once, "isa \(isa)")
            }
        }
    }
}
