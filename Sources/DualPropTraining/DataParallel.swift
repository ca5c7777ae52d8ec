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
        var hasMomentum = [UInt8(optimizer.hasMomentum ? 1 : 0)]
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
