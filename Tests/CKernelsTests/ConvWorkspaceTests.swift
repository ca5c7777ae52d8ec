import CKernels
import XCTest

final class ConvWorkspaceTests: XCTestCase {
    /// A caller workspace of the queried size (at any alignment) gives the same bits as the
    /// library-managed one; one byte less is refused.
    func testCallerWorkspaceSizeIsExactAndSufficient() {
        var p = ck_conv2d_params(n: 3, h: 7, w: 6, c: 5, k: 4, r: 3, s: 3, stride_h: 1, stride_w: 2, pad_h: 1, pad_w: 1)
        var po: Int64 = 0, qo: Int64 = 0
        XCTAssertEqual(ck_conv2d_output_size(&p, &po, &qo), CK_OK)
        XCTAssertEqual([po, qo], [7, 3])
        let x: [Float] = (0..<630).map { (i: Int) -> Float in Float(i % 7) - 3 }
        let w: [Float] = (0..<180).map { (i: Int) -> Float in Float(i % 5) - 2 }
        let need = ck_conv2d_workspace_size(&p, CK_CONV2D_FWD)
        XCTAssertGreaterThan(need, 0)
        let ycount = 3 * Int(po) * Int(qo) * 4
        var y1 = [Float](repeating: 0, count: ycount)
        var y2 = y1
        XCTAssertEqual(ck_conv2d_fwd(&p, x, w, nil, &y1, nil, 0), CK_OK)
        var buffer = [UInt8](repeating: 0, count: need + 3)
        buffer.withUnsafeMutableBytes { raw in
            let misaligned = raw.baseAddress! + 3 // deliberately not 64-byte aligned
            XCTAssertEqual(ck_conv2d_fwd(&p, x, w, nil, &y2, misaligned, need), CK_OK)
            XCTAssertEqual(ck_conv2d_fwd(&p, x, w, nil, &y2, misaligned, need - 1 - 63 - 1), CK_ERR_WORKSPACE_TOO_SMALL)
        }
        XCTAssertEqual(y1, y2)
        // 1x1 stride-1 convolutions multiply the NHWC activations directly: no workspace
        var pw = ck_conv2d_params(n: 3, h: 7, w: 6, c: 5, k: 4, r: 1, s: 1, stride_h: 1, stride_w: 1, pad_h: 0, pad_w: 0)
        XCTAssertEqual(ck_conv2d_workspace_size(&pw, CK_CONV2D_FWD), 0)
    }

    /// beta = 1 accumulates and beta = 0.5 scales the previous gradient, on every ISA path (the
    /// shapes take the direct 3x3 paths where there are: rows, then the batch transposes).
    /// Integer data keeps every value exact.
    func testBackwardWeightsBetaAccumulates() {
        let shapes = [ck_conv2d_params(n: 2, h: 3, w: 16, c: 5, k: 32, r: 3, s: 3, stride_h: 1, stride_w: 1, pad_h: 1, pad_w: 1),
                      ck_conv2d_params(n: 13, h: 3, w: 2, c: 32, k: 64, r: 3, s: 3, stride_h: 1, stride_w: 1, pad_h: 1, pad_w: 1)]
        let detected = ck_isa_detected()
        defer { _ = ck_set_max_isa(detected) }
        for var p in shapes {
            let xCount = Int(p.n * p.h * p.w * p.c), dyCount = Int(p.n * p.h * p.w * p.k), dwCount = Int(9 * p.c * p.k)
            let x: [Float] = (0..<xCount).map { (i: Int) -> Float in Float(i % 5) - 2 }
            let dy: [Float] = (0..<dyCount).map { (i: Int) -> Float in Float(i % 3) - 1 }
            for isa in 0...detected.rawValue {
                XCTAssertEqual(ck_set_max_isa(ck_isa(isa)), CK_OK)
                var once = [Float](repeating: 7, count: dwCount)
                XCTAssertEqual(ck_conv2d_bwd_weights(&p, x, dy, 0, &once, nil, 0), CK_OK)
                var acc = once
                XCTAssertEqual(ck_conv2d_bwd_weights(&p, x, dy, 1, &acc, nil, 0), CK_OK)
                XCTAssertEqual(acc, once.map { 2 * $0 }, "isa \(isa) n \(p.n)")
                var half = once
                XCTAssertEqual(ck_conv2d_bwd_weights(&p, x, dy, 0.5, &half, nil, 0), CK_OK)
                XCTAssertEqual(half, once.map { 1.5 * $0 }, "isa \(isa) n \(p.n)")
            }
        }
    }

    /// The direct paths' queried workspace (padded or packed copies, packed weights, transposes)
    /// is sufficient at any alignment, and less than the size minus its 64 bytes of alignment
    /// slack is refused, for every pass.
    func testDirectPathWorkspaceSizes() {
        let shapes = [ck_conv2d_params(n: 13, h: 3, w: 2, c: 32, k: 64, r: 3, s: 3, stride_h: 1, stride_w: 1, pad_h: 1, pad_w: 1),
                      ck_conv2d_params(n: 2, h: 3, w: 16, c: 32, k: 32, r: 3, s: 3, stride_h: 1, stride_w: 1, pad_h: 1, pad_w: 1)]
        for var p in shapes {
            let xCount = Int(p.n * p.h * p.w * p.c), yCount = Int(p.n * p.h * p.w * p.k), wCount = Int(9 * p.c * p.k)
            let x: [Float] = (0..<xCount).map { (i: Int) -> Float in Float(i % 5) - 2 }
            let dy: [Float] = (0..<yCount).map { (i: Int) -> Float in Float(i % 3) - 1 }
            let w: [Float] = (0..<wCount).map { (i: Int) -> Float in Float(i % 7) - 3 }
            var y1 = [Float](repeating: 0, count: yCount), y2 = y1
            var dx1 = [Float](repeating: 0, count: xCount), dx2 = dx1
            var dw1 = [Float](repeating: 0, count: wCount), dw2 = dw1
            XCTAssertEqual(ck_conv2d_fwd(&p, x, w, nil, &y1, nil, 0), CK_OK)
            XCTAssertEqual(ck_conv2d_bwd_data(&p, dy, w, &dx1, nil, 0), CK_OK)
            XCTAssertEqual(ck_conv2d_bwd_weights(&p, x, dy, 0, &dw1, nil, 0), CK_OK)
            for pass in [CK_CONV2D_FWD, CK_CONV2D_BWD_DATA, CK_CONV2D_BWD_WEIGHTS] {
                let need = ck_conv2d_workspace_size(&p, pass)
                XCTAssertGreaterThan(need, 64)
                var buffer = [UInt8](repeating: 0, count: need + 5)
                buffer.withUnsafeMutableBytes { raw in
                    let ws = raw.baseAddress! + 5 // deliberately not 64-byte aligned
                    func run(_ bytes: Int) -> ck_status {
                        switch pass {
                        case CK_CONV2D_FWD: return ck_conv2d_fwd(&p, x, w, nil, &y2, ws, bytes)
                        case CK_CONV2D_BWD_DATA: return ck_conv2d_bwd_data(&p, dy, w, &dx2, ws, bytes)
                        default: return ck_conv2d_bwd_weights(&p, x, dy, 0, &dw2, ws, bytes)
                        }
                    }
                    XCTAssertEqual(run(need), CK_OK, "pass \(pass) n \(p.n)")
                    XCTAssertEqual(run(need - 65), CK_ERR_WORKSPACE_TOO_SMALL, "pass \(pass) n \(p.n)")
                }
            }
            XCTAssertEqual(y1, y2)
            XCTAssertEqual(dx1, dx2)
            XCTAssertEqual(dw1, dw2)
        }
    }

    func testImplementationNamesAreRegistered() {
        for op in [CK_OP_IM2COL, CK_OP_POOL, CK_OP_ELTWISE, CK_OP_LOSS] {
            XCTAssertNotEqual(String(cString: ck_impl_name(op)), "unavailable")
        }
    }
}
