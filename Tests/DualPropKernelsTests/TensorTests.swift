import DualPropKernels
import XCTest

final class TensorTests: XCTestCase {
    func testCopyOnWriteKeepsValueSemantics() {
        var a = Tensor(shape: [2, 3], values: [1, 2, 3, 4, 5, 6])
        let b = a
        a[1, 2] = 60
        XCTAssertEqual(b[1, 2], 6)
        XCTAssertEqual(a[1, 2], 60)
        XCTAssertEqual(a.reshaped([3, 2])[2, 1], 60)
    }

    func testRuntimeReportsISAs() {
        XCTAssertTrue(Runtime.availableISAs.contains(.ref))
        XCTAssertEqual(Runtime.availableISAs.last, Runtime.detectedISA)
    }
}
