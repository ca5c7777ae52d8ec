import DualPropKernels
import Foundation
import XCTest

/// The step arena (`ck_buffer_alloc` / `ck_buffer_free`, `Runtime.bufferCacheLimit`): freed
/// large tensor buffers are kept up to the limit and serve the next tensor of their size.
final class BufferCacheTests: XCTestCase {
    func testLargeBuffersAreKeptAndReused() {
        let saved = Runtime.bufferCacheLimit
        defer { Runtime.bufferCacheLimit = saved }
        Runtime.bufferCacheLimit = 0                 // empties the cache
        XCTAssertEqual(Runtime.bufferCacheHeld, 0)
        Runtime.bufferCacheLimit = 64 << 20
        let big = 1 << 20                            // 4 MiB of floats
        do { let t = Tensor(shape: [big], repeating: 1); XCTAssertEqual(t[flat: big - 1], 1) }
        XCTAssertEqual(Runtime.bufferCacheHeld, 4 << 20)
        do { let t = Tensor(shape: [1000], repeating: 2); XCTAssertEqual(t[flat: 999], 2) }  // small: not cached
        XCTAssertEqual(Runtime.bufferCacheHeld, 4 << 20)
        do {
            let u = Tensor(shape: [big], repeating: 3)   // takes the kept buffer, fills it
            XCTAssertEqual(Runtime.bufferCacheHeld, 0)
            XCTAssertTrue(u.scalars.allSatisfy { $0 == 3 })
        }
        // A limit of 6 MiB keeps one of two 4 MiB buffers: the one freed last.
        Runtime.bufferCacheLimit = 6 << 20
        do { _ = (Tensor(shape: [big]), Tensor(shape: [big])) }
        XCTAssertEqual(Runtime.bufferCacheHeld, 4 << 20)
        // Lowering the limit frees at once.
        Runtime.bufferCacheLimit = 1 << 20
        XCTAssertEqual(Runtime.bufferCacheHeld, 0)
    }

    /// Many threads allocating, writing, checking and freeing buffers of a few sizes: every
    /// buffer keeps what its owner wrote (no block is handed to two tensors).
    func testConcurrentUseKeepsBuffersApart() {
        let saved = Runtime.bufferCacheLimit
        defer { Runtime.bufferCacheLimit = saved }
        Runtime.bufferCacheLimit = 32 << 20
        let sizes = [1 << 16, 1 << 17, 3 << 16, 1 << 18]   // 256 KiB … 1 MiB: all cached
        let failures = Failures()
        DispatchQueue.concurrentPerform(iterations: 8) { worker in
            for round in 0..<40 {
                let n = sizes[(worker + round) % sizes.count]
                let mark = Float(worker * 1000 + round)
                let t = Tensor(shape: [n], repeating: mark)
                if !t.scalars.allSatisfy({ $0 == mark }) { failures.add("worker \(worker) round \(round)") }
            }
        }
        XCTAssertEqual(failures.all, [])
        XCTAssertLessThanOrEqual(Runtime.bufferCacheHeld, 32 << 20)
    }
}

/// Failure messages collected from several threads.
private final class Failures: @unchecked Sendable {   // guarded by `lock`
    private let lock = NSLock()
    private var messages: [String] = []
    func add(_ m: String) { lock.lock(); messages.append(m); lock.unlock() }
    var all: [String] { lock.lock(); defer { lock.unlock() }; return messages }
}
