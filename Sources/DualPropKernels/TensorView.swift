#if canImport(Glibc)
import Glibc
#endif

/// Tensors that view a range of another tensor's storage: the per-layer views of a parameter
/// store (`ParameterStore` in DualProp), which keeps a network's parameters, gradients and
/// optimizer state each in one contiguous, 64-byte-aligned buffer.
///
/// A view is a `Tensor` like any other, and keeps value semantics: copying it shares the
/// memory, and a mutation through a view's own API (`withUnsafeMutableBufferPointer`,
/// `subscript` set, `fill`) copies first unless the view is the only reference to its storage,
/// exactly as for an owning tensor: a unique view writes into the buffer, a shared one copies
/// and becomes an ordinary owning tensor. Such a copy has *detached* from the buffer, and later
/// writes to the buffer no longer show through it (the store notices this and re-attaches the
/// layer with the copy's values, see `ParameterStore.attach`). Only the store
/// writes into the buffer under the views (`withSharedMutableBufferPointer`), and it does so only
/// after it checked that no view is referenced from outside the network it updates.
extension Tensor {
    /// A tensor of shape `shape` viewing `parent`'s elements from flat index `offset`; it shares
    /// `parent`'s memory and keeps it alive. Package-internal: only a parameter store makes views.
    package init(viewing parent: Tensor, offset: Int, shape: [Int]) {
        precondition(shape.allSatisfy { $0 >= 0 }, "Tensor: negative dimension in shape \(shape)")
        self.init(storage: AlignedStorage(viewOf: parent.storage, offset: offset, count: shape.reduce(1, *)), shape: shape)
    }

    /// Whether this tensor's elements are `parent`'s from flat index `offset` on (a view of that
    /// range, or `parent` itself at offset 0).
    package func isView(of parent: Tensor, offset: Int) -> Bool {
        storage.base == parent.storage.base + offset && count + offset <= parent.count
    }

    /// Whether no other tensor shares this tensor's storage object (so a write through the
    /// buffer it views can be seen through no copy of this tensor). A view whose parent buffer
    /// is also viewed by other tensors still counts as unique: those view other ranges.
    package mutating func hasUniqueStorage() -> Bool {
        isKnownUniquelyReferenced(&storage)
    }

    /// Calls `body` with a mutable pointer to the elements WITHOUT copy-on-write: writes show
    /// through every tensor that shares or views this storage. Only for a parameter store's own
    /// buffers, which no tensor outside the store's network shares. The pointer is valid only
    /// during `body`.
    package func withSharedMutableBufferPointer<R>(
        _ body: (UnsafeMutableBufferPointer<Float>) throws -> R
    ) rethrows -> R {
        try body(UnsafeMutableBufferPointer(start: storage.base, count: count))
    }
}
