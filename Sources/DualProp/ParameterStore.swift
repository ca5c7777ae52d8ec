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
    /// Elements in each buffer, padding included.
    public let bufferCount: Int
    /// The parameters; the network's layers view it (see `attach`).
    private(set) var parameters: Tensor
    /// The SGD momentum, one velocity per parameter.
    private(set) var momentum: Tensor
    /// The gradient buffer: where data-parallel training sums the ranks' gradients in place.
    private(set) var gradients: Tensor

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
        gradients = Tensor(shape: [end])
        let values = network.parameters
        parameters.withUnsafeMutableBufferPointer { dst in
            for e in entries {
                let t = e.isBias ? values[e.block].bias : values[e.block].weight
                t.withUnsafeBufferPointer { (dst.baseAddress! + e.offset).update(from: $0.baseAddress!, count: e.count) }
            }
        }
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
        let values = network.parameters
        fresh.withUnsafeMutableBufferPointer { dst in
            for e in entries {
                let t = e.isBias ? values[e.block].bias : values[e.block].weight
                t.withUnsafeBufferPointer { (dst.baseAddress! + e.offset).update(from: $0.baseAddress!, count: e.count) }
            }
        }
        parameters = fresh
        network.withParameters { k, w, b in
            let (we, be) = entries(ofBlock: k)
            w = Tensor(viewing: fresh, offset: we.offset, shape: we.shape)
            b = Tensor(viewing: fresh, offset: be.offset, shape: be.shape)
        }
    }

    /// The momentum of every block as separate tensors (copies), in block order.
    public func momentumTensors() -> [(weight: Tensor, bias: Tensor)] {
        momentum.withUnsafeBufferPointer { v in
            (0..<entries.count / 2).map { k in
                let (we, be) = entries(ofBlock: k)
                return (Tensor(shape: we.shape, values: Array(v[we.offset..<we.offset + we.count])),
                        Tensor(shape: be.shape, values: Array(v[be.offset..<be.offset + be.count])))
            }
        }
    }

    /// Sets the momentum from per-block tensors (shapes as the store's); empty sets it to zero.
    public mutating func setMomentum(_ velocities: [(weight: Tensor, bias: Tensor)]) {
        guard !velocities.isEmpty else {
            momentum.fill(0)
            return
        }
        precondition(velocities.count * 2 == entries.count,
                     "ParameterStore.setMomentum: \(velocities.count) blocks for a store of \(entries.count / 2)")
        let entries = self.entries
        momentum.withUnsafeMutableBufferPointer { dst in
            for e in entries {
                let t = e.isBias ? velocities[e.block].bias : velocities[e.block].weight
                precondition(t.shape == e.shape, "ParameterStore.setMomentum: \(e.name) has shape \(e.shape), got \(t.shape)")
                t.withUnsafeBufferPointer { (dst.baseAddress! + e.offset).update(from: $0.baseAddress!, count: e.count) }
            }
        }
    }

    /// Calls `body` with the gradient buffer (`bufferCount` elements, the layout of `entries`),
    /// for summing gradients into it in place. The pointer is valid only during `body`.
    public mutating func withGradientBuffer<R>(_ body: (UnsafeMutableBufferPointer<Float>) throws -> R) rethrows -> R {
        try gradients.withUnsafeMutableBufferPointer(body)
    }

    /// One SGD step (`Optim.sgdStep`'s formula, bitwise its result on every tensor) in a single
    /// threaded pass over the parameter and momentum buffers, with the gradients in the store's
    /// gradient buffer (`fromBuffer`) or in `gradients`. Attaches `network` first.
    mutating func sgdStep(_ network: inout Sequential, gradients given: Gradients?, learningRate: Float,
                          momentum mu: Float, weightDecay: Float) throws {
        attach(&network)
        let entries = self.entries
        let offsets = entries.map { Int64($0.offset) }, counts = entries.map { Int64($0.count) }
        let buffer = parameters  // shares the storage the layers view: written in place below
        let stored = self.gradients
        // Copy-on-write only if a copy of this store shares the momentum (then it keeps its own).
        try momentum.withUnsafeMutableBufferPointer { v in
            try buffer.withSharedMutableBufferPointer { w in
                if let given {
                    precondition(given.weights.count * 2 == entries.count,
                                 "SGD: \(given.weights.count) gradients for \(entries.count / 2) parameter blocks")
                    let tensors = entries.map { e -> Tensor in
                        let t = e.isBias ? given.biases[e.block] : given.weights[e.block]
                        precondition(t.count == e.count, "SGD: the gradient of \(e.name) has \(t.count) elements, the parameter \(e.count)")
                        return t
                    }
                    try withPointers(tensors) { g in
                        try Optim.sgdStepPacked(offsets: offsets, counts: counts, gradients: g, weights: w.baseAddress!,
                                                velocity: v.baseAddress!, learningRate: learningRate, momentum: mu,
                                                weightDecay: weightDecay)
                    }
                } else {
                    try stored.withUnsafeBufferPointer { g in
                        try Optim.sgdStepPacked(offsets: offsets, counts: counts,
                                                gradients: entries.map { UnsafePointer(g.baseAddress! + $0.offset) },
                                                weights: w.baseAddress!, velocity: v.baseAddress!, learningRate: learningRate,
                                                momentum: mu, weightDecay: weightDecay)
                    }
                }
            }
        }
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
