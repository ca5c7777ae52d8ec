internal import CKernels
#if canImport(Glibc)
import Glibc
#endif

/// Heap storage for `count` floats at a 64-byte-aligned address (one AVX-512 register /
/// cache line), freed when the last reference goes away; large blocks go to the kernel
/// library's buffer cache and serve the next tensor of their size. Internal to the package.
///
/// A storage may instead be a *view*: `count` floats at an offset inside another storage, its
/// `parent` (a parameter store's buffer). A view owns no memory; it keeps its parent alive, and
/// the parent frees the memory when neither it nor any view is referenced any more.
final class AlignedStorage {
    let count: Int
    let base: UnsafeMutablePointer<Float>
    /// The storage this one views, or nil when this one owns its memory.
    let parent: AlignedStorage?

    /// Keep large freed blocks in the heap for reuse instead of returning them to the kernel:
    /// glibc otherwise maps and unmaps every tensor above its mmap threshold, and each new tensor
    /// then pays a page fault and a zeroed page per 4 KiB (measured: ~5% of a VGG16 training
    /// step in `clear_page`). See `ck_heap_reuse_large_blocks`. Once per process.
    private static let keepFreedMemory: Void = ck_heap_reuse_large_blocks()

    init(count: Int) {
        precondition(count >= 0, "AlignedStorage: negative element count \(count)")
        _ = Self.keepFreedMemory
        self.count = count
        let bytes = count * MemoryLayout<Float>.stride
        // The step arena: large buffers come back from ck_buffer_free's cache when one of this
        // size was freed before (no page faults), else from posix_memalign.
        guard let raw = ck_buffer_alloc(bytes) else {
            fatalError("AlignedStorage: out of memory allocating \(bytes) bytes")
        }
        base = raw.bindMemory(to: Float.self, capacity: max(count, 1))
        parent = nil
    }

    /// A view of `count` floats of `parent` from element `offset` (64-byte aligned when
    /// `offset` is a multiple of 16). A view of a view views the owner directly.
    init(viewOf parent: AlignedStorage, offset: Int, count: Int) {
        precondition(offset >= 0 && count >= 0 && offset + count <= parent.count,
                     "AlignedStorage: view \(offset)..<\(offset + count) outside a storage of \(parent.count) elements")
        self.count = count
        base = parent.base + offset
        self.parent = parent.parent ?? parent
    }

    /// An owning copy (also of a view: the copy no longer shares its parent's memory).
    func copy() -> AlignedStorage {
        let s = AlignedStorage(count: count)
        s.base.update(from: base, count: count)
        return s
    }

    deinit { if parent == nil { ck_buffer_free(base, count * MemoryLayout<Float>.stride) } }
}
