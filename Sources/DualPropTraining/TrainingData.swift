import DualPropData

/// The data of a run: training set (possibly limited), its validation split, the test set and the
/// per-channel normalisation.
public struct TrainingData: Sendable {
    /// The (limited) training set; `split` indexes into it.
    public var train: ImageDataset
    /// The test set (possibly limited).
    public var test: ImageDataset
    /// The train/validation split of `train`.
    public var split: DataSplit
    /// The normalisation applied to every image.
    public var normalization: ChannelNormalization
    /// A human-readable origin for logs.
    public var source: String

    /// Loads the data `config` describes. File problems throw `DataError` (file + problem); a
    /// configuration that leaves no training image throws `TrainingError`.
    public static func load(_ config: TrainingConfiguration) throws -> TrainingData {
        var train: ImageDataset, test: ImageDataset, normalization: ChannelNormalization?, source: String
        switch config.dataset {
        case .synthetic:
            let n = config.trainLimit ?? Recipe.of(.synthetic).syntheticTrain
            let m = config.testLimit ?? Recipe.of(.synthetic).syntheticTest
            train = SyntheticImages.make(count: n, seed: config.seed)
            // The test images come from an independent stream (another seed), never from `train`.
            test = SyntheticImages.make(count: m, seed: config.seed ^ 0x5445_5354_5345_5400)
            normalization = nil
            source = "synthetic (seed \(config.seed), \(n) training + \(m) test images)"
        case .cifar10:
            let dir = try directory(config)
            train = try CIFAR10.loadTrain(directory: dir); test = try CIFAR10.loadTest(directory: dir)
            normalization = .cifar10; source = "CIFAR-10 binary files in \(dir)"
        case .cifar100:
            let dir = try directory(config)
            train = try CIFAR100.loadTrain(directory: dir); test = try CIFAR100.loadTest(directory: dir)
            normalization = .cifar100; source = "CIFAR-100 binary files in \(dir)"
        case .imagenet32:
            let dir = try directory(config)
            train = try ImageNet32.loadTrain(directory: dir); test = try ImageNet32.loadValidation(directory: dir)
            normalization = .imagenet32; source = "ImageNet32x32 npz files in \(dir)"
        }
        if let n = config.trainLimit, n < train.count { train = train.subset(Array(0..<n)) }
        if let m = config.testLimit, m < test.count { test = test.subset(Array(0..<m)) }
        let split = DataSplit(total: train.count, validationFraction: config.percentVal / 100, seed: config.seed)
        guard !split.train.isEmpty else {
            throw TrainingError("--percent-val \(config.percentVal) leaves no training image out of \(train.count)")
        }
        guard test.count > 0 else { throw TrainingError("the test set is empty") }
        // Synthetic data has no published statistics: use the training split's own.
        let norm = normalization ?? ChannelNormalization.estimate(from: train, indices: split.train)
        return TrainingData(train: train, test: test, split: split, normalization: norm, source: source)
    }

    static func directory(_ config: TrainingConfiguration) throws -> String {
        guard let d = config.dataDirectory else { throw TrainingError(config.dataset.missingDataDirectoryMessage) }
        return d
    }
}
