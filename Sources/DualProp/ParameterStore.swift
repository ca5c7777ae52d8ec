/// One contiguous store for a network's parameters, their gradients and the SGD momentum: each
/// is a single 64-byte-aligned buffer, and the network's layers hold *views* into the parameter
/// buffer (their `weight` and `bias` tensors share its memory), so an optimizer step is one pass
/// over three buffers and a data-parallel allreduce sums ranges of the gradient buffer in place.
///
/// **Order.** The tensors lie in block order (the order of `Sequential.parameters`), each
/// block's weight then its bias, every tensor starting at a multiple of
/// `ParameterStore.alignment` elements (the elements between tensors are zero and unused).
/// `entries` lists them. Checkpoints do not use this layout: they keep naming tensors one by one.
///
/// **Value semantics.** The store writes the parameter buffer in place only after `attach` has
/// checked that every layer tensor of the network it updates is this store's view *and* is
/// referenced by nothing else. A copy of the network, a layer or a parameter tensor taken before
/// a step therefore keeps its values: when one is still alive at the next step, `attach` moves
/// the network to a fresh buffer (one copy of the parameters) and leaves the old buffer to the
/// copies. A user who mutates a parameter through `Tensor`'s own API gets ordinary
/// copy-on-write: through `Sequential.withParameters` on a network nobody else shares, the view
/// is unique and the write goes straight into the store; when the tensor is shared, or is
/// assigned a new tensor, it stops being a view (it *detaches*), and the next `attach` copies
/// its current values into the store and makes it a view again. A mutation is never lost and
/// never shows through another value; the only cost of detaching is that one copy.
public struct ParameterStore: Sendable {
    /// Where one parameter tensor lives in the store's buffers.
    public struct Entry: Sendable, Hashable {
        /// `<layer name>.weight` or `<layer name>.bias`.
        public let name: String
        /// The block (0-based, as in `Sequential.parameters`).
        public let block: Int
        /// Whether this is the block's bias (else its weight).
        public let isBias: Bool
        /// The tensor's shape (the layer's layout).
        public let shape: [Int]
        /// First element in the buffers (a multiple of `ParameterStore.alignment`).
        public let offset: Int
        /// Number of elements.
        public let count: Int
    }

    /// Every tensor starts at a multiple of this many elements (256 bytes: 64-byte aligned, and
    /// the 64-element chunks of the threaded update never straddle a tensor's start).
    public static let alignment = 64

    /// The tensors in buffer order: block order, weight then bias.
    public let entries: [Entry]
    /// How many times `attach` has moved a network to a fresh parameter buffer (one copy of the
    /// parameters each): 1 after the first step, more only when a copy of the network or of a
    /// parameter tensor was alive at a step, or a tensor had detached. A diagnostic.
    public private(set) var relocations = 0
    /// Elements in each buffer, padding included.
    public let bufferCount: Int
    /// The parameters; the network's layers view it (see `attach`).
    package private(set) var parameters: Tensor
    /// The SGD momentum, one velocity per parameter (Adam: its first moment).
    private(set) var momentum: Tensor
    /// Adam's second moment (allocated by the first Adam step).
    private(set) var secondMoment = Tensor(shape: [0])
    /// The gradient buffer: where data-parallel training sums the ranks' gradients in place.
    /// Allocated by the first `withGradientBuffer` (a 1-process run never needs it: its update
    /// reads the rules' gradient tensors where they are).
    private(set) var gradients = Tensor(shape: [0])

    /// A store with the layout of `network`'s parameters, holding a copy of their values, zero
    /// momentum and zero gradients. The network is not changed; `attach` makes it use the store.
    public init(_ network: Sequential) {
        var entries: [Entry] = []
        var end = 0
        for (k, p) in network.parameters.enumerated() {
            for (isBias, t) in [(false, p.weight), (true, p.bias)] {
                let offset = (end + Self.alignment - 1) / Self.alignment * Self.alignment
                entries.append(Entry(name: p.name + (isBias ? ".bias" : ".weight"), block: k, isBias: isBias,
                                     shape: t.shape, offset: offset, count: t.count))
                end = offset + t.count
            }
        }
        self.entries = entries
        bufferCount = end
        parameters = Tensor(shape: [end])
        momentum = Tensor(shape: [end])
        Self.write(network.parameters.map { ($0.weight, $0.bias) }, into: &parameters, entries)
    }

    /// The entries of block `k`: its weight, then its bias.
    func entries(ofBlock k: Int) -> (weight: Entry, bias: Entry) { (entries[2 * k], entries[2 * k + 1]) }

    /// Whether `network`'s parameters have this store's layout (same blocks, same shapes).
    public func matches(_ network: Sequential) -> Bool {
        let p = network.parameters
        return p.count * 2 == entries.count
            && p.indices.allSatisfy { p[$0].weight.shape == entries[2 * $0].shape && p[$0].bias.shape == entries[2 * $0 + 1].shape }
    }

    /// Makes every layer tensor of `network` a view of this store's parameter buffer that nothing
    /// outside `network` references. A tensor that is already such a view costs nothing (the
    /// usual case, every step of training). Otherwise, because a write could show through a copy
    /// (a tensor detached by a user's mutation, or a view also held by a copy of the network),
    /// the network's current values go into a fresh buffer and every layer is re-pointed at it.
    /// - Precondition: `matches(network)`.
    public mutating func attach(_ network: inout Sequential) {
        precondition(matches(network), "ParameterStore.attach: the network's parameter shapes differ from the store's")
        var attached = true
        let buffer = parameters
        network.withParameters { k, w, b in
            let (we, be) = entries(ofBlock: k)
            // Both checks on both tensors: `&&` would skip the uniqueness test of the bias.
            let weightOK = w.isView(of: buffer, offset: we.offset) && w.hasUniqueStorage()
            let biasOK = b.isView(of: buffer, offset: be.offset) && b.hasUniqueStorage()
            attached = attached && weightOK && biasOK
        }
        if attached { return }
        var fresh = Tensor(shape: [bufferCount])
        Self.write(network.parameters.map { ($0.weight, $0.bias) }, into: &fresh, entries)
        parameters = fresh
        relocations += 1
        network.withParameters { k, w, b in
            let (we, be) = entries(ofBlock: k)
            w = Tensor(viewing: fresh, offset: we.offset, shape: we.shape)
            b = Tensor(viewing: fresh, offset: be.offset, shape: be.shape)
        }
    }

    /// The momentum of every block as separate tensors (copies), in block order.
    public func momentumTensors() -> [(weight: Tensor, bias: Tensor)] { Self.split(momentum, entries) }

    /// Sets the momentum from per-block tensors (shapes as the store's); empty sets it to zero.
    public mutating func setMomentum(_ velocities: [(weight: Tensor, bias: Tensor)]) {
        Self.write(velocities, into: &momentum, entries)
    }

    /// Writes per-block tensors (parameters or optimizer state) into `buffer` laid out as
    /// `entries`; empty writes zeros.
    static func write(_ blocks: [(weight: Tensor, bias: Tensor)], into buffer: inout Tensor, _ entries: [Entry]) {
        guard !blocks.isEmpty else {
            buffer.fill(0)
            return
        }
        precondition(blocks.count * 2 == entries.count,
                     "ParameterStore: \(blocks.count) blocks of tensors for a store of \(entries.count / 2)")
        buffer.withUnsafeMutableBufferPointer { dst in
            for e in entries {
                let t = e.isBias ? blocks[e.block].bias : blocks[e.block].weight
                precondition(t.shape == e.shape, "ParameterStore: \(e.name) must have shape \(e.shape), got \(t.shape)")
                t.withUnsafeBufferPointer { (dst.baseAddress! + e.offset).update(from: $0.baseAddress!, count: e.count) }
            }
        }
    }

    /// Calls `body` with the gradient buffer (`bufferCount` elements, the layout of `entries`),
    /// for summing gradients into it in place. The pointer is valid only during `body`.
    public mutating func withGradientBuffer<R>(_ body: (UnsafeMutableBufferPointer<Float>) throws -> R) rethrows -> R {
        if gradients.count != bufferCount { gradients = Tensor(shape: [bufferCount]) }  // zero padding
        return try gradients.withUnsafeMutableBufferPointer(body)
    }

    /// One SGD step (`Optim.sgdStep`'s formula, bitwise its result on every tensor) in a single
    /// threaded pass over the parameter and momentum buffers, with the gradients in the store's
    /// gradient buffer (`gradients` nil) or in `gradients`. Attaches `network` first.
    mutating func sgdStep(_ network: inout Sequential, gradients given: Gradients?, learningRate: Float,
                          momentum mu: Float, weightDecay: Float) throws {
        attach(&network)
        momentum.withUnsafeMutableBufferPointer { _ in }  // copy-on-write now if a copy of this store shares it
        // Locals share the buffers' storage (written in place below): no access to `self` inside.
        let (entries, w, v, stored, n) = (self.entries, parameters, momentum, gradients, bufferCount)
        let offsets = entries.map { Int64($0.offset) }, counts = entries.map { Int64($0.count) }
        try w.withSharedMutableBufferPointer { wp in
            try v.withSharedMutableBufferPointer { vp in
                try Self.withGradientPointers(entries, given: given, stored: stored, bufferCount: n) { g in
                    try Optim.sgdStepPacked(offsets: offsets, counts: counts, gradients: g, weights: wp.baseAddress!,
                                            velocity: vp.baseAddress!, learningRate: learningRate, momentum: mu,
                                            weightDecay: weightDecay)
                }
            }
        }
    }

    /// Adam step `t` (`Optim.adamStep`'s formula, bitwise its result on every tensor) in a single
    /// threaded pass over the parameter and moment buffers (`momentum` holds the first moment).
    mutating func adamStep(_ network: inout Sequential, gradients given: Gradients?, step t: Int, learningRate: Float,
                           beta1: Float, beta2: Float, epsilon: Float, weightDecay: Float) throws {
        attach(&network)
        if secondMoment.count != bufferCount { secondMoment = Tensor(shape: [bufferCount]) }
        momentum.withUnsafeMutableBufferPointer { _ in }  // copy-on-write now if a copy of this store shares them
        secondMoment.withUnsafeMutableBufferPointer { _ in }
        let (entries, w, m, v, stored, n) = (self.entries, parameters, momentum, secondMoment, gradients, bufferCount)
        let offsets = entries.map { Int64($0.offset) }, counts = entries.map { Int64($0.count) }
        try w.withSharedMutableBufferPointer { wp in
            try m.withSharedMutableBufferPointer { mp in
                try v.withSharedMutableBufferPointer { vp in
                    try Self.withGradientPointers(entries, given: given, stored: stored, bufferCount: n) { g in
                        try Optim.adamStepPacked(offsets: offsets, counts: counts, gradients: g, weights: wp.baseAddress!,
                                                 m: mp.baseAddress!, v: vp.baseAddress!, step: t, learningRate: learningRate,
                                                 beta1: beta1, beta2: beta2, epsilon: epsilon, weightDecay: weightDecay)
                    }
                }
            }
        }
    }

    /// Adam's moments of every block as separate tensors (copies): `(m, v)` of the weight, then
    /// `(mb, vb)` of the bias. Empty before the first Adam step.
    public func adamMoments() -> [(m: Tensor, v: Tensor, mb: Tensor, vb: Tensor)] {
        guard secondMoment.count == bufferCount else { return [] }
        let first = momentumTensors(), second = ParameterStore.split(secondMoment, entries)
        return zip(first, second).map { ($0.weight, $1.weight, $0.bias, $1.bias) }
    }

    /// Sets Adam's moments from per-block tensors (the layout of `adamMoments`).
    public mutating func setAdamMoments(_ moments: [(m: Tensor, v: Tensor, mb: Tensor, vb: Tensor)]) {
        if secondMoment.count != bufferCount { secondMoment = Tensor(shape: [bufferCount]) }
        Self.write(moments.map { ($0.m, $0.mb) }, into: &momentum, entries)
        Self.write(moments.map { ($0.v, $0.vb) }, into: &secondMoment, entries)
    }

    /// Per-block copies of the tensors of `buffer` laid out as `entries`.
    static func split(_ buffer: Tensor, _ entries: [Entry]) -> [(weight: Tensor, bias: Tensor)] {
        buffer.withUnsafeBufferPointer { v in
            (0..<entries.count / 2).map { k in
                let (we, be) = (entries[2 * k], entries[2 * k + 1])
                return (Tensor(shape: we.shape, values: Array(v[we.offset..<we.offset + we.count])),
                        Tensor(shape: be.shape, values: Array(v[be.offset..<be.offset + be.count])))
            }
        }
    }

    /// Calls `body` with one gradient pointer per entry: into `given`'s tensors, or into the
    /// gradient buffer `stored` when `given` is nil.
    private static func withGradientPointers<R>(_ entries: [Entry], given: Gradients?, stored: Tensor, bufferCount: Int,
                                                _ body: ([UnsafePointer<Float>?]) throws -> R) throws -> R {
        guard let given else {
            precondition(stored.count == bufferCount, "ParameterStore: the gradient buffer was never filled (withGradientBuffer)")
            return try stored.withUnsafeBufferPointer { g in try body(entries.map { UnsafePointer(g.baseAddress! + $0.offset) }) }
        }
        precondition(given.weights.count * 2 == entries.count,
                     "optimizer: \(given.weights.count) gradients for \(entries.count / 2) parameter blocks")
        let tensors = entries.map { e -> Tensor in
            let t = e.isBias ? given.biases[e.block] : given.weights[e.block]
            precondition(t.count == e.count, "optimizer: the gradient of \(e.name) has \(t.count) elements, the parameter \(e.count)")
            return t
        }
        return try withPointers(tensors, from: 0, [], body)
    }
}

/// Calls `body` with a pointer to the elements of each tensor, all valid at once.
private func withPointers<R>(_ tensors: [Tensor], from i: Int = 0, _ collected: [UnsafePointer<Float>?] = [],
                             _ body: ([UnsafePointer<Float>?]) throws -> R) rethrows -> R {
    guard i < tensors.count else { return try body(collected) }
    return try tensors[i].withUnsafeBufferPointer { p in
        try withPointers(tensors, from: i + 1, collected + [p.baseAddress], body)
    }
}
