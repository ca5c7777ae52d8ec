/// Per-channel normalisation `x = (pixel / 255 − mean[c]) / std[c]`.
///
/// Values and where they come from:
/// - ``cifar10``: mean (0.4914, 0.4822, 0.4465), std (0.2023, 0.1994, 0.2010): the values of the
///   paper recipe (Høier & Zach 2024) and of the widely copied kuangliu/pytorch-cifar code (that std is the
///   mean of per-image stds, not the pixel std 0.2470, 0.2435, 0.2616).
/// - ``cifar100``: mean (0.5071, 0.4865, 0.4409), std (0.2673, 0.2564, 0.2762): pixel statistics of
///   the CIFAR-100 training set, as used in e.g. weiaicunzai/pytorch-cifar100.
/// - ``imagenet32``: mean (0.485, 0.456, 0.406), std (0.229, 0.224, 0.225): torchvision's ImageNet
///   statistics, the usual choice for downsampled ImageNet. The paper does not state its values;
///   ``estimate(from:indices:)`` computes the training set's own.
/// - ``mnist``: mean 0, std 1, i.e. pixels scaled to [0, 1] as in the papers' MNIST MLP recipes.
public struct ChannelNormalization: Sendable, Equatable, Codable {
    /// Per-channel mean in [0, 1] units.
    public var mean: [Float]
    /// Per-channel standard deviation in [0, 1] units.
    public var std: [Float]

    /// Creates a normalisation; `mean` and `std` must have one entry per channel, stds positive.
    public init(mean: [Float], std: [Float]) {
        precondition(mean.count == std.count && std.allSatisfy { $0 > 0 },
                     "ChannelNormalization: mean \(mean) and std \(std) must have equal length, std > 0")
        self.mean = mean
        self.std = std
    }

    /// CIFAR-10 (paper recipe).
    public static let cifar10 = ChannelNormalization(mean: [0.4914, 0.4822, 0.4465], std: [0.2023, 0.1994, 0.2010])
    /// CIFAR-100 training-set statistics.
    public static let cifar100 = ChannelNormalization(mean: [0.5071, 0.4865, 0.4409], std: [0.2673, 0.2564, 0.2762])
    /// ImageNet statistics (torchvision).
    public static let imagenet32 = ChannelNormalization(mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225])
    /// Pixels scaled to [0, 1] (one channel).
    public static let mnist = ChannelNormalization(mean: [0], std: [1])

    /// Identity scaling to [0, 1] for `channels` channels.
    public static func unitRange(channels: Int) -> ChannelNormalization {
        ChannelNormalization(mean: [Float](repeating: 0, count: channels), std: [Float](repeating: 1, count: channels))
    }

    /// The pixel statistics (mean and population std per channel) of `dataset` over `indices`
    /// (all examples when nil), accumulated in Double.
    public static func estimate(from dataset: ImageDataset, indices: [Int]? = nil) -> ChannelNormalization {
        let c = dataset.channels, plane = dataset.height * dataset.width
        var sum = [Double](repeating: 0, count: c), sq = [Double](repeating: 0, count: c)
        let list = indices ?? Array(0..<dataset.count)
        dataset.images.withUnsafeBufferPointer { px in
            for i in list {
                for ch in 0..<c {
                    var s: UInt64 = 0, s2: UInt64 = 0
                    let base = i * dataset.exampleSize + ch * plane
                    for k in 0..<plane { let v = UInt64(px[base + k]); s += v; s2 += v * v }
                    sum[ch] += Double(s); sq[ch] += Double(s2)
                }
            }
        }
        let n = Double(list.count * plane)
        let mean = (0..<c).map { sum[$0] / n / 255 }
        let std = (0..<c).map { max((sq[$0] / n / 65025 - mean[$0] * mean[$0]).squareRoot(), 1e-6) }
        return ChannelNormalization(mean: mean.map(Float.init), std: std.map(Float.init))
    }

    /// The 256-entry lookup table of each channel, (channels, 256): entry `v` is
    /// `Float((Double(v) / 255 − mean) / std)`, computed in Double and rounded once.
    public func lookupTable() -> [Float] {
        var t = [Float](repeating: 0, count: mean.count * 256)
        for c in 0..<mean.count {
            for v in 0..<256 { t[c * 256 + v] = Float((Double(v) / 255 - Double(mean[c])) / Double(std[c])) }
        }
        return t
    }
}
