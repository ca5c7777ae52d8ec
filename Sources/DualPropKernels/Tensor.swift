#if canImport(Glibc)
import Glibc
#endif
/// A dense, row-major (C-order) array of `Float` whose storage is 64-byte aligned.
///
/// `Tensor` has value semantics with copy-on-write: assigning it is cheap and a mutation
/// copies the storage only when it is shared. The last dimension is contiguous.
/// Activations use NHWC (`[batch, height, width, channels]`) unless an API says otherwise.
public struct Tensor: @unchecked Sendable {
    /// The extent of each dimension, outermost first.
    public private(set) var shape: [Int]
    var storage: AlignedStorage

    /// Number of elements (the product of `shape`).
    public var count: Int { storage.count }

    /// Number of dimensions.
    public var rank: Int { shape.count }

    /// A tensor of the given shape with every element equal to `value`.
    public init(shape: [Int], repeating value: Float = 0) {
        precondition(shape.allSatisfy { $0 >= 0 }, "Tensor: negative dimension in shape \(shape)")
        self.shape = shape
        storage = AlignedStorage(count: shape.reduce(1, *))
        storage.base.initialize(repeating: value, count: storage.count)
    }

    /// A tensor whose elements are not yet set: only for the output of a kernel whose C contract
    /// says it overwrites every element, so that no pass over memory writes zeros the kernel
    /// replaces at once (on a VGG16 DP⊤ step those passes were ~3% of the time). `Float` is a
    /// trivial type: the kernel's writes initialise the memory; nothing reads it before. Debug
    /// builds (the tests) fill it with NaN, so an element a kernel fails to write shows up there.
    package init(unfilledShape shape: [Int]) {
        precondition(shape.allSatisfy { $0 >= 0 }, "Tensor: negative dimension in shape \(shape)")
        self.shape = shape
        storage = AlignedStorage(count: shape.reduce(1, *))
        #if DEBUG
        storage.base.initialize(repeating: .nan, count: storage.count)
        #endif
    }

    /// A tensor over existing storage (a view, see `TensorView.swift`).
    init(storage: AlignedStorage, shape: [Int]) {
        self.shape = shape
        self.storage = storage
    }

    /// A tensor of the given shape holding `values` in row-major order.
    public init(shape: [Int], values: [Float]) {
        let n = shape.reduce(1, *)
        precondition(shape.allSatisfy { $0 >= 0 }, "Tensor: negative dimension in shape \(shape)")
        precondition(values.count == n,
                     "Tensor: shape \(shape) holds \(n) elements but \(values.count) values were given")
        self.shape = shape
        storage = AlignedStorage(count: n)
        values.withUnsafeBufferPointer { storage.base.update(from: $0.baseAddress!, count: n) }
    }

    /// A tensor of the given shape whose element at flat index `i` is `body(i)`.
    public init(shape: [Int], generator body: (Int) -> Float) {
        self.init(shape: shape)
        for i in 0..<count { storage.base[i] = body(i) }
    }

    /// The elements in row-major order.
    public var scalars: [Float] {
        Array(UnsafeBufferPointer(start: storage.base, count: count))
    }

    /// Element at flat (row-major) index `index`.
    public subscript(flat index: Int) -> Float {
        get {
            precondition(index >= 0 && index < count, "Tensor: flat index \(index) out of range 0..<\(count)")
            return storage.base[index]
        }
        set {
            precondition(index >= 0 && index < count, "Tensor: flat index \(index) out of range 0..<\(count)")
            makeUnique()
            storage.base[index] = newValue
        }
    }

    /// Element at a multi-dimensional index, one entry per dimension.
    public subscript(_ index: Int...) -> Float {
        get { self[flat: flatIndex(index)] }
        set { self[flat: flatIndex(index)] = newValue }
    }

    /// The same elements viewed with another shape of equal element count.
    public func reshaped(_ newShape: [Int]) -> Tensor {
        precondition(newShape.reduce(1, *) == count,
                     "Tensor.reshaped: shape \(newShape) does not hold the \(count) elements of shape \(shape)")
        var t = self
        t.shape = newShape
        return t
    }

    /// Set every element to `value`.
    public mutating func fill(_ value: Float) {
        makeUnique()
        storage.base.update(repeating: value, count: count)
    }

    private func flatIndex(_ index: [Int]) -> Int {
        precondition(index.count == shape.count,
                     "Tensor: \(index.count) indices given for a tensor of shape \(shape)")
        var flat = 0
        for (i, (x, n)) in zip(index, shape).enumerated() {
            precondition(x >= 0 && x < n, "Tensor: index \(x) out of range 0..<\(n) in dimension \(i) of shape \(shape)")
            flat = flat * n + x
        }
        return flat
    }

    mutating func makeUnique() {
        if !isKnownUniquelyReferenced(&storage) { storage = storage.copy() }
    }

    /// Whether both tensors have the same shape and bitwise-identical elements (`+0 ≠ −0`, a NaN
    /// equals the same NaN): one `memcmp`, for skipping work whose inputs did not change.
    public func isBitwiseEqual(to other: Tensor) -> Bool {
        shape == other.shape && (storage === other.storage
            || memcmp(storage.base, other.storage.base, count * MemoryLayout<Float>.stride) == 0)
    }

    /// Calls `body` with a pointer to the elements in row-major order (`count` of them, 64-byte
    /// aligned), as `Array.withUnsafeBufferPointer` does: for handing a tensor to a file, BLAS or
    /// MPI without a copy. The pointer is valid only during `body`; do not store or return it.
    /// - Returns: what `body` returns; rethrows what it throws.
    public func withUnsafeBufferPointer<R>(_ body: (UnsafeBufferPointer<Float>) throws -> R) rethrows -> R {
        try body(UnsafeBufferPointer(start: storage.base, count: count))
    }

    /// Calls `body` with a mutable pointer to the elements in row-major order, as
    /// `Array.withUnsafeMutableBufferPointer` does. Copy-on-write holds: when the storage is shared
    /// with another tensor it is copied first, so writes never show through a copy of `self`.
    /// The shape cannot change. The pointer is valid only during `body`; do not store or return it.
    /// - Returns: what `body` returns; rethrows what it throws.
    public mutating func withUnsafeMutableBufferPointer<R>(
        _ body: (UnsafeMutableBufferPointer<Float>) throws -> R
    ) rethrows -> R {
        makeUnique()
        return try body(UnsafeMutableBufferPointer(start: storage.base, count: count))
    }
}

extension Tensor: Equatable {
    /// Equal shapes and bitwise-equal elements (so NaN != NaN, +0 == -0 as floats compare).
    public static func == (lhs: Tensor, rhs: Tensor) -> Bool {
        lhs.shape == rhs.shape && lhs.scalars == rhs.scalars
    }
}

extension Tensor: CustomStringConvertible {
    /// Shape and the first few elements.
    public var description: String {
        let head = scalars.prefix(8).map { "\($0)" }.joined(separator: ", ")
        return "Tensor(shape: \(shape), [\(head)\(count > 8 ? ", …" : "")])"
    }
}
