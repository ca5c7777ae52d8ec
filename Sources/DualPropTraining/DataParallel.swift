import DualProp
import DualPropKernels
import Foundation

/// Data parallelism over a `ProcessGroup`: which images of a global batch a rank takes, the
/// gradient allreduce in buckets, and moving parameters and optimizer state between ranks.
enum DataParallel {
    /// The images of `batch` that `group`'s rank takes: positions rank, rank + N, … So a run of N
    /// processes computes on exactly the images of the 1-process run's global batch.
    static func shard<C: RandomAccessCollection<Int>>(_ batch: C, _ group: ProcessGroup) -> [Int] {
        group.size == 1 ? Array(batch)
            : stride(from: group.rank, to: batch.count, by: group.size).map { batch[batch.index(batch.startIndex, offsetBy: $0)] }
    }

    /// Refuses a global batch the ranks cannot share equally.
    static func checkBatch(_ batchSize: Int, ranks: Int) throws {
        guard batchSize % ranks == 0 else {
            throw TrainingError("--batch-size \(batchSize) is the global batch and must be divisible by the \(ranks) MPI processes (each takes an equal share); use a multiple of \(ranks) or another -np", exitCode: 64, onEveryRank: true)
        }
    }

    /// A 64-bit FNV-1a hash of every parameter's bit pattern (the replica check).
    static func hash(_ net: Sequential) -> Int64 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for p in net.parameters {
            for t in [p.weight, p.bias] {
                t.withUnsafeBufferPointer { b in
                    for x in b { h = (h ^ UInt64(x.bitPattern)) &* 0x0000_0100_0000_01b3 }
                }
            }
        }
        return Int64(bitPattern: h)
    }

    /// Every block's weight then bias, in block order.
    static func flatten(_ tensors: [(weight: Tensor, bias: Tensor)]) -> [Float] {
        var out: [Float] = []
        out.reserveCapacity(tensors.reduce(0) { $0 + $1.weight.count + $1.bias.count })
        for t in tensors { out += t.weight.scalars; out += t.bias.scalars }
        return out
    }

    /// Tensors shaped like `like`, filled from `flat` (the layout of `flatten`).
    static func unflatten(_ flat: [Float], like: [(weight: Tensor, bias: Tensor)]) throws -> [(weight: Tensor, bias: Tensor)] {
        let total = like.reduce(0) { $0 + $1.weight.count + $1.bias.count }
        guard flat.count == total else { throw TrainingError("received \(flat.count) parameters, the network has \(total)") }
        var at = 0
        return like.map { t in
            let w = Tensor(shape: t.weight.shape, values: Array(flat[at..<at + t.weight.count])); at += t.weight.count
            let b = Tensor(shape: t.bias.shape, values: Array(flat[at..<at + t.bias.count])); at += t.bias.count
            return (w, b)
        }
    }

    /// Rank 0's weights in `net` on every rank.
    static func broadcastWeights(_ net: inout Sequential, _ group: ProcessGroup) throws {
        guard group.size > 1 else { return }
        let blocks = net.parameters.map { (weight: $0.weight, bias: $0.bias) }
        var flat = group.isRoot ? flatten(blocks) : []
        try group.broadcast(&flat)
        guard !group.isRoot else { return }
        let received = try unflatten(flat, like: blocks)
        net.withParameters { k, w, b in w = received[k].weight; b = received[k].bias }
    }

    /// Rank 0's resume point (state, weights, momentum; nil when it has none) on every rank.
    static func broadcastResumePoint(_ state: TrainingState?, net: inout Sequential, optimizer: inout SGD,
                                     _ group: ProcessGroup) throws -> TrainingState? {
        guard group.size > 1 else { return state }
        var json = try group.isRoot ? state.map { try canonicalJSON($0) } ?? [] : []
        try group.broadcast(&json)
        guard !json.isEmpty else { return nil }
        let received = try decodeJSON(TrainingState.self, from: json, file: "the resume point broadcast by rank 0")
        try broadcastWeights(&net, group)
        var hasMomentum = [UInt8(optimizer.velocities.isEmpty ? 0 : 1)]
        try group.broadcast(&hasMomentum)
        if hasMomentum == [1] {
            let like = net.parameters.map { (weight: $0.weight, bias: $0.bias) }
            var flat = group.isRoot ? flatten(optimizer.velocities) : []
            try group.broadcast(&flat)
            if !group.isRoot { optimizer.velocities = try unflatten(flat, like: like) }
        }
        return received
    }
}

/// The gradients of every block packed into a few contiguous buffers ("buckets") of at most
/// `bucketBytes`, top blocks first: the order in which back-propagation finishes them. A rule
/// hands over each block's gradients as soon as it has them (`add`); a bucket whose blocks are
/// all in starts its non-blocking allreduce at once, so the communication overlaps the rest of the
/// step where the rule allows (BP: the whole backward sweep below the block; DP/DP⊤: only the
/// weight-gradient pass after the inference). Every rank starts the buckets in the same order.
struct GradientBuckets {
    /// Where one gradient tensor lives: bucket and offset.
    struct Slot { let block: Int; let isBias: Bool; let bucket: Int; let offset: Int; let shape: [Int]; let count: Int }
    /// One buffer per bucket, at a fixed address (a non-blocking allreduce keeps the pointer).
    final class Buffer {
        let values: UnsafeMutableBufferPointer<Float>
        init(count: Int) {
            values = .allocate(capacity: count)
            values.initialize(repeating: 0)
        }
        deinit { values.deallocate() }
    }
    private(set) var buffers: [Buffer] = []
    private(set) var slots: [Slot] = []
    /// The slots of each block (weight, bias).
    private var slotsOfBlock: [[Int]] = []
    private var slotsPerBucket: [Int] = []
    // The step in progress.
    private var scale: Float = 1
    private var filled: [Int] = []
    private var pending: [PendingSum?] = []
    private var added: [Bool] = []
    /// Seconds per step from the first bucket's start to the end of the sum, the part of it spent
    /// waiting after the rule had finished (not hidden), and steps.
    private(set) var communicationSeconds = 0.0, exposedSeconds = 0.0, reductions = 0
    private var firstStart: Double? = nil

    /// PyTorch DDP's default bucket size.
    static let defaultBucketBytes = 25 << 20

    /// Buckets for the parameter shapes of `net`.
    init(_ net: Sequential, bucketBytes: Int = GradientBuckets.defaultBucketBytes) {
        let limit = max(1, bucketBytes / MemoryLayout<Float>.stride)
        let parameters = net.parameters
        var sizes: [Int] = [0]
        slotsOfBlock = Array(repeating: [], count: parameters.count)
        for (k, p) in parameters.enumerated().reversed() {
            for (isBias, t) in [(false, p.weight), (true, p.bias)] {
                if sizes[sizes.count - 1] > 0 && sizes[sizes.count - 1] + t.count > limit { sizes.append(0) }
                slotsOfBlock[k].append(slots.count)
                slots.append(Slot(block: k, isBias: isBias, bucket: sizes.count - 1, offset: sizes[sizes.count - 1],
                                  shape: t.shape, count: t.count))
                sizes[sizes.count - 1] += t.count
            }
        }
        buffers = sizes.map { Buffer(count: $0) }
        slotsPerBucket = sizes.indices.map { b in slots.filter { $0.bucket == b }.count }
    }

    /// Starts a step whose gradients are weighted by `scale` (this rank's share of the batch).
    mutating func begin(scale: Float) {
        self.scale = scale
        filled = Array(repeating: 0, count: buffers.count)
        pending = Array(repeating: nil, count: buffers.count)
        added = Array(repeating: false, count: slotsOfBlock.count)
        firstStart = nil
    }

    /// Block `k`'s gradients are final: pack them; start every bucket that is complete, in order.
    mutating func add(block k: Int, weight: Tensor, bias: Tensor, group: ProcessGroup) throws {
        precondition(!added[k], "GradientBuckets: block \(k) handed over twice")
        added[k] = true
        for i in slotsOfBlock[k] {
            let s = slots[i]
            let t = s.isBias ? bias : weight
            precondition(t.count == s.count, "GradientBuckets: block \(k) gradient has \(t.count) elements, expected \(s.count)")
            let dst = buffers[s.bucket].values.baseAddress! + s.offset
            let factor = scale
            t.withUnsafeBufferPointer { src in
                for j in 0..<s.count { dst[j] = src[j] * factor }
            }
            filled[s.bucket] += 1
        }
        try startCompleteBuckets(group)
        for b in pending.indices { _ = pending[b]?.poll() }  // let MPI progress the started ones
    }

    /// Buckets start strictly in index order, so every rank issues the same sequence.
    private mutating func startCompleteBuckets(_ group: ProcessGroup) throws {
        for b in buffers.indices where pending[b] == nil {
            guard filled[b] == slotsPerBucket[b] else { return }
            if firstStart == nil { firstStart = now() }
            pending[b] = try PendingSum.start(buffers[b].values, group: group)
        }
    }

    /// Ends the step: blocks never handed over (a rank with no images) count as zeros; waits for
    /// every bucket and returns the sum over the ranks (the same on every rank).
    mutating func finish(group: ProcessGroup) throws -> Gradients {
        let finished = now()
        for k in added.indices where !added[k] {
            for i in slotsOfBlock[k] {
                let s = slots[i]
                (buffers[s.bucket].values.baseAddress! + s.offset).update(repeating: 0, count: s.count)
                filled[s.bucket] += 1
            }
            added[k] = true
        }
        try startCompleteBuckets(group)
        for b in pending.indices { try pending[b]?.wait() }
        let depth = slotsOfBlock.count
        var weights = [Tensor](repeating: Tensor(shape: [0]), count: depth), biases = weights
        for s in slots {
            var t = Tensor(shape: s.shape)
            let src = buffers[s.bucket].values.baseAddress! + s.offset
            t.withUnsafeMutableBufferPointer { $0.baseAddress!.update(from: src, count: s.count) }
            if s.isBias { biases[s.block] = t } else { weights[s.block] = t }
        }
        let end = now()
        exposedSeconds += end - finished
        communicationSeconds += end - (firstStart ?? finished)
        reductions += 1
        return Gradients(weights: weights, biases: biases)
    }
}
