import CKernels
import XCTest

final class RuntimeTests: XCTestCase {
    func testStatusStringsAreDefined() {
        for code in 0...7 {
            let s = String(cString: ck_status_string(ck_status(UInt32(code))))
            XCTAssertFalse(s.isEmpty)
            XCTAssertNotEqual(s, "unknown status code", "code \(code)")
        }
    }

    func testISACapCanBeLoweredAndRestored() {
        let detected = ck_isa_detected()
        XCTAssertEqual(ck_set_max_isa(CK_ISA_REF), CK_OK)
        XCTAssertEqual(ck_isa_active(), CK_ISA_REF)
        XCTAssertEqual(ck_set_max_isa(detected), CK_OK)
        XCTAssertEqual(ck_isa_active(), detected)
    }

    func testThreadCountCanBeSet() {
        let saved = ck_get_num_threads()
        ck_set_num_threads(1)
        XCTAssertEqual(ck_get_num_threads(), 1)
        ck_set_num_threads(0)
        XCTAssertGreaterThanOrEqual(ck_get_num_threads(), 1)
        ck_set_num_threads(saved)
    }
}
