import CKernels
import XCTest

/// Status codes of the fused nudge entry points at the C API (the Swift overlay never passes
/// these NULLs, so only a C-level test reaches them).
final class NudgeStatusTests: XCTestCase {
    func testNullOutputsAreRefused() {
        let relu = ck_activation(kind: CK_ACT_RELU, param: 0)
        var a: [Float] = [1, -1], v: [Float] = [0.5, 0.5]
        var p = [Float](repeating: 0, count: 2), m = p, b = p, d = p
        // ck_nudge and ck_nudge_damped need s⁻; ck_nudge_delta needs δ but not s⁻ or s̄.
        XCTAssertEqual(ck_nudge(relu, CK_RULE_DPT, 0, &a, &v, &p, nil, &b, 2), CK_ERR_NULL_POINTER)
        XCTAssertEqual(ck_nudge_damped(relu, CK_RULE_DP, 0.5, 1, &a, &v, &p, nil, &b, 2), CK_ERR_NULL_POINTER)
        XCTAssertEqual(ck_nudge_delta(relu, CK_RULE_DPT, 0, &a, &v, &p, &m, &b, nil, 2), CK_ERR_NULL_POINTER)
        XCTAssertEqual(ck_nudge_delta(relu, CK_RULE_DPT, 0, &a, &v, &p, nil, nil, &d, 2), CK_OK)
        // DP⊤ α = 0: s⁺ = relu(a + v), s⁻ = relu(a), δ = s⁺ − s⁻ (values exact in binary).
        XCTAssertEqual(p, [1.5, 0])
        XCTAssertEqual(d, [0.5, 0])
        XCTAssertEqual(ck_nudge_delta(relu, CK_RULE_DPT, 0, &a, &v, &p, nil, nil, &d, 0), CK_OK)
        // s⁺ is needed by ck_nudge and ck_nudge_damped, not by ck_nudge_delta (δ alone is written).
        XCTAssertEqual(ck_nudge(relu, CK_RULE_DPT, 0, &a, &v, nil, &m, &b, 2), CK_ERR_NULL_POINTER)
        XCTAssertEqual(ck_nudge_damped(relu, CK_RULE_DP, 0.5, 1, &a, &v, nil, &m, &b, 2), CK_ERR_NULL_POINTER)
        d = [9, 9]
        XCTAssertEqual(ck_nudge_delta(relu, CK_RULE_DPT, 0, &a, &v, nil, nil, nil, &d, 2), CK_OK)
        XCTAssertEqual(d, [0.5, 0])
        // ck_nudge_delta_reuse_mean needs δ, the held s̄ and the s̄ output.
        var reused = false
        let held: [Float] = [1, 0]   // relu(a): kept
        XCTAssertEqual(ck_nudge_delta_reuse_mean(relu, CK_RULE_DPT, 0, &a, &v, nil, nil, held, &b, nil, 2, &reused),
                       CK_ERR_NULL_POINTER)
        XCTAssertEqual(ck_nudge_delta_reuse_mean(relu, CK_RULE_DPT, 0, &a, &v, nil, nil, nil, &b, &d, 2, &reused),
                       CK_ERR_NULL_POINTER)
        XCTAssertEqual(ck_nudge_delta_reuse_mean(relu, CK_RULE_DPT, 0, &a, &v, nil, nil, held, &b, &d, 2, nil),
                       CK_ERR_NULL_POINTER)
        XCTAssertEqual(ck_nudge_delta_reuse_mean(relu, CK_RULE_DPT, 0, &a, &v, nil, nil, held, &b, &d, 2, &reused), CK_OK)
        XCTAssertTrue(reused)
        XCTAssertEqual(d, [0.5, 0])
    }
}
