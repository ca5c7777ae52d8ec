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

    /// ck_version() is the header's CK_VERSION_MAJOR.MINOR.PATCH; ck_build_info() names the
    /// version, the compiler, the optimisation (SwiftPM: -O0 exactly in debug builds) and the ISAs.
    func testVersionAndBuildInfo() {
        let version = "\(CK_VERSION_MAJOR).\(CK_VERSION_MINOR).\(CK_VERSION_PATCH)"
        XCTAssertEqual(String(cString: ck_version()), version)
        let info = String(cString: ck_build_info())
        XCTAssertTrue(info.hasPrefix("ckernels \(version); compiler clang "), info)
        #if DEBUG
        XCTAssertFalse(ck_build_optimized(), info)
        XCTAssertTrue(info.contains("; optimized no"), info)
        #else
        XCTAssertTrue(ck_build_optimized(), info)
        XCTAssertTrue(info.contains("; optimized yes;"), info)
        #endif
        XCTAssertTrue(info.hasSuffix("; isas ref avx2 avx512"), info)
    }
}
