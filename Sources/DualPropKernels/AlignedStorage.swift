import CKernels
#if canImport(Glibc)
import Glibc
#endif

/// Heap storage for `count` floats at a 64-byte-aligned address (one AVX-512 register /
/// cache line), freed when the last reference goes away. Internal to the package.
final class AlignedStorage {
    let count: Int
    let base: UnsafeMutablePointer<Float>

    init(count: Int) {
        precondition(count >= 0, "AlignedStorage: negative element count \(count)")
        self.count = count
        var raw: UnsafeMutableRawPointer?
        let bytes = max(count, 1) * MemoryLayout<Float>.stride
        let rc = posix_memalign(&raw, 64, (bytes + 63) & ~63)
        guard rc == 0, let raw else {
            fatalError("AlignedStorage: out of memory allocating \(bytes) bytes")
        }
        base = raw.bindMemory(to: Float.self, capacity: max(count, 1))
    }

    func copy() -> AlignedStorage {
        let s = AlignedStorage(count: count)
        s.base.update(from: base, count: count)
        return s
    }

    deinit { free(base) }
}
