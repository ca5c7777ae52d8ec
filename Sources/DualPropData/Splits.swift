/// Deterministic orderings: per-epoch shuffles and train/validation splits, all from a seed.
public enum DataOrder {
    /// A permutation of `0..<count` for (`seed`, `epoch`) by Fisher–Yates with ``SplitMix64``;
    /// identical on every platform and toolchain.
    public static func permutation(count: Int, seed: UInt64, epoch: Int) -> [Int] {
        precondition(count >= 0 && epoch >= 0, "DataOrder.permutation: count \(count) and epoch \(epoch) must be ≥ 0")
        var p = Array(0..<count)
        var g = SplitMix64(seed: CounterRandom.value(seed: seed, stream: .shuffle, epoch: UInt64(epoch)))
        var i = count - 1
        while i > 0 {
            let j = g.below(i + 1)
            p.swapAt(i, j)
            i -= 1
        }
        return p
    }

    /// `indices` in the epoch's shuffled order: `indices[permutation(indices.count, seed, epoch)[k]]`.
    public static func shuffled(_ indices: [Int], seed: UInt64, epoch: Int) -> [Int] {
        permutation(count: indices.count, seed: seed, epoch: epoch).map { indices[$0] }
    }

    /// `order` cut into consecutive batches of `batchSize`; the last, shorter batch is dropped
    /// when `dropLast` is true.
    public static func batches(_ order: [Int], batchSize: Int, dropLast: Bool) -> [ArraySlice<Int>] {
        precondition(batchSize > 0, "DataOrder.batches: batchSize \(batchSize) must be positive")
        var out: [ArraySlice<Int>] = []
        var start = 0
        while start < order.count {
            let end = min(start + batchSize, order.count)
            if end - start == batchSize || !dropLast { out.append(order[start..<end]) }
            start = end
        }
        return out
    }
}

/// A train/validation split of a training set, as index lists (ascending) that a run directory
/// can record (it is `Codable`).
public struct DataSplit: Codable, Sendable, Equatable {
    /// The seed the split was drawn from.
    public var seed: UInt64
    /// The requested validation fraction.
    public var validationFraction: Double
    /// Size of the set that was split.
    public var total: Int
    /// Indices kept for training, ascending.
    public var train: [Int]
    /// Indices held out for validation, ascending.
    public var validation: [Int]

    /// Holds out `round(validationFraction * total)` examples chosen uniformly from (`seed`):
    /// the first ones of a seeded permutation (stream ``CounterRandom/Stream/split``).
    /// The paper recipes use 0.1 (CIFAR) and 0.05 (ImageNet32).
    public init(total: Int, validationFraction: Double, seed: UInt64) {
        precondition(validationFraction >= 0 && validationFraction < 1,
                     "DataSplit: validationFraction \(validationFraction) must lie in [0, 1)")
        let held = Int((validationFraction * Double(total)).rounded())
        var p = Array(0..<total)
        var g = SplitMix64(seed: CounterRandom.value(seed: seed, stream: .split))
        // Partial Fisher–Yates: the first `held` slots are a uniform sample.
        for i in 0..<held {
            let j = i + g.below(total - i)
            p.swapAt(i, j)
        }
        self.seed = seed
        self.validationFraction = validationFraction
        self.total = total
        self.validation = p[0..<held].sorted()
        self.train = p[held...].sorted()
    }
}
