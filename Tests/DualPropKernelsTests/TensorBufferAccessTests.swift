import DualPropKernels
import XCTest

/// The public scoped buffer access of `Tensor`: the elements in row-major order, and
/// copy-on-write kept by the mutable form.
final class TensorBufferAccessTests: XCTestCase {
    func testReadAccessSeesTheElementsInRowMajorOrder() {
        let t = Tensor(shape: [2, 3], values: [1, 2, 3, 4, 5, 6])
        let seen = t.withUnsafeBufferPointer { Array($0) }
        XCTAssertEqual(seen, [1, 2, 3, 4, 5, 6])
        XCTAssertEqual(t.withUnsafeBufferPointer { $0.count }, 6)
        // The storage is 64-byte aligned (documented for SIMD/BLAS consumers).
        t.withUnsafeBufferPointer { XCTAssertEqual(Int(bitPattern: $0.baseAddress) % 64, 0) }
    }

    func testMutableAccessWritesInPlace() {
        var t = Tensor(shape: [2, 2])
        t.withUnsafeMutableBufferPointer { p in for i in p.indices { p[i] = Float(i) * 0.5 } }
        XCTAssertEqual(t.scalars, [0, 0.5, 1, 1.5])
        XCTAssertEqual(t.shape, [2, 2])
    }

    func testMutableAccessCopiesSharedStorageFirst() {
        let original = Tensor(shape: [3], values: [1, 2, 3])
        var copy = original
        copy.withUnsafeMutableBufferPointer { $0[0] = 42 }
        XCTAssertEqual(copy.scalars, [42, 2, 3])
        XCTAssertEqual(original.scalars, [1, 2, 3], "a write through the pointer must not show through a copy")
        // A reshaped view shares storage too.
        var view = original.reshaped([1, 3])
        view.withUnsafeMutableBufferPointer { $0[2] = -1 }
        XCTAssertEqual(original.scalars, [1, 2, 3])
        XCTAssertEqual(view.scalars, [1, 2, -1])
    }

    func testUniqueStorageIsNotCopied() {
        var t = Tensor(shape: [4], values: [1, 2, 3, 4])
        let first = t.withUnsafeMutableBufferPointer { $0.baseAddress }
        let second = t.withUnsafeMutableBufferPointer { $0.baseAddress }
        XCTAssertEqual(first, second, "a uniquely referenced tensor is written in place")
    }

    func testBodyErrorsAndResultsPassThrough() {
        struct Boom: Error {}
        var t = Tensor(shape: [1])
        XCTAssertThrowsError(try t.withUnsafeMutableBufferPointer { _ in throw Boom() }) { XCTAssertTrue($0 is Boom) }
        XCTAssertThrowsError(try t.withUnsafeBufferPointer { _ in throw Boom() }) { XCTAssertTrue($0 is Boom) }
        XCTAssertEqual(Tensor(shape: [0]).withUnsafeBufferPointer { $0.count }, 0)
    }
}
