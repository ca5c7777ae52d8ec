import DualProp
import Foundation

/// The gradient allreduce of data-parallel training, in a few buckets that are ranges of the
/// optimizer's contiguous gradient buffer (`ParameterStore`): no bucket has buffers of its own,
/// the sum happens in place, and the optimizer reads the summed gradients where they are.
///
/// The buffer lies in block order (weight, bias), and back-propagation finishes the top blocks
/// first, so bucket 0 is the range at the buffer's end: whole tensors from the top block down,
/// at most `bucketBytes` (a single larger tensor gets a bucket to itself). A rule hands over each
/// block's gradients as soon as it has them (`add`, which writes them into their range scaled by
/// this rank's share); a bucket whose tensors are all in starts its non-blocking allreduce at
/// once, so the communication overlaps the rest of the step where the rule allows (BP: the whole
/// backward sweep below the block; DP/DP⊤: only the weight-gradient pass after the inference).
/// Every rank starts the buckets in the same order. A bucket's range includes the padding
/// between its tensors (zeros, so the sum leaves them zero).
struct GradientBuckets {
    /// One bucket: the range `start..<end` of the gradient buffer and how many tensors it holds.
    struct Bucket { let start: Int; let end: Int; let tensors: Int }
    private(set) var buckets: [Bucket] = []
    /// The bucket of every store entry (entry order).
    private var bucketOfEntry: [Int] = []
    private let entries: [ParameterStore.Entry]
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

    /// Buckets over the gradient buffer of `store`.
    init(_ store: ParameterStore, bucketBytes: Int = GradientBuckets.defaultBucketBytes) {
        let limit = max(1, bucketBytes / MemoryLayout<Float>.stride)
        entries = store.entries
        bucketOfEntry = Array(repeating: 0, count: entries.count)
        var end = store.bufferCount, start = end, tensors = 0
        for i in entries.indices.reversed() {
            let e = entries[i]
            if tensors > 0 && end - e.offset > limit {
                buckets.append(Bucket(start: start, end: end, tensors: tensors))
                end = start; tensors = 0
            }
            start = e.offset
            tensors += 1
            bucketOfEntry[i] = buckets.count
        }
        if tensors > 0 { buckets.append(Bucket(start: start, end: end, tensors: tensors)) }
    }

    /// Starts a step whose gradients are weighted by `scale` (this rank's share of the batch).
    mutating func begin(scale: Float) {
        self.scale = scale
        filled = Array(repeating: 0, count: buckets.count)
        pending = Array(repeating: nil, count: buckets.count)
        added = Array(repeating: false, count: entries.count / 2)
        firstStart = nil
    }

    /// Block `k`'s gradients are final: write them, scaled, into `buffer` (the store's gradient
    /// buffer); start every bucket that is complete, in order.
    mutating func add(block k: Int, weight: Tensor, bias: Tensor, into buffer: UnsafeMutableBufferPointer<Float>,
                      group: ProcessGroup) throws {
        precondition(!added[k], "GradientBuckets: block \(k) handed over twice")
        added[k] = true
        for (i, t) in [(2 * k, weight), (2 * k + 1, bias)] {
            let e = entries[i]
            precondition(t.count == e.count, "GradientBuckets: \(e.name) gradient has \(t.count) elements, expected \(e.count)")
            let dst = buffer.baseAddress! + e.offset
            let factor = scale
            t.withUnsafeBufferPointer { src in
                for j in 0..<e.count { dst[j] = src[j] * factor }
            }
            filled[bucketOfEntry[i]] += 1
        }
        try startCompleteBuckets(buffer, group)
        for b in pending.indices { _ = pending[b]?.poll() }  // let MPI progress the started ones
    }

    /// Buckets start strictly in index order, so every rank issues the same sequence.
    private mutating func startCompleteBuckets(_ buffer: UnsafeMutableBufferPointer<Float>, _ group: ProcessGroup) throws {
        for b in buckets.indices where pending[b] == nil {
            guard filled[b] == buckets[b].tensors else { return }
            if firstStart == nil { firstStart = now() }
            let range = UnsafeMutableBufferPointer(rebasing: buffer[buckets[b].start..<buckets[b].end])
            pending[b] = try PendingSum.start(range, group: group)
        }
    }

    /// Ends the step: blocks never handed over (a rank with no images) count as zeros; waits for
    /// every bucket. `buffer` then holds the sum over the ranks (the same on every rank).
    mutating func finish(_ buffer: UnsafeMutableBufferPointer<Float>, group: ProcessGroup) throws {
        let finished = now()
        for k in added.indices where !added[k] {
            for i in [2 * k, 2 * k + 1] {
                (buffer.baseAddress! + entries[i].offset).update(repeating: 0, count: entries[i].count)
                filled[bucketOfEntry[i]] += 1
            }
            added[k] = true
        }
        try startCompleteBuckets(buffer, group)
        for b in pending.indices { try pending[b]?.wait() }
        let end = now()
        exposedSeconds += end - finished
        communicationSeconds += end - (firstStart ?? finished)
        reductions += 1
    }
}
