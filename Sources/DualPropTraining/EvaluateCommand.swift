import ArgumentParser
import DualProp
import DualPropData
import Foundation

/// The result of testing a saved model: top-1 and top-5 accuracy and the mean loss.
public struct EvaluationSummary: Sendable {
    /// The weights file that was tested.
    public var weightsFile: String
    /// The data: a description and the number of test images.
    public var dataSource: String, images: Int
    /// Mean loss, top-1 and top-5 accuracy (fractions in [0, 1]).
    public var loss: Double, top1: Double, top5: Double
}

/// Testing the weights of a finished (or interrupted) run on a test set.
public enum RunEvaluation {
    /// Loads `runDirectory`'s architecture (`config.json`) and weights (`best.safetensors`, or
    /// `last.safetensors` when `weights` is `.last` or no best exists), then tests them on the
    /// test set of `dataset` (default: the run's) read from `dataDirectory` (default: the run's,
    /// else the dataset's default folder). The run's normalisation is applied.
    /// Throws `TrainingError`/`DataError` naming the file and the problem.
    public static func run(runDirectory: String, weights: CifarVGG.Evaluate.Weights = .best, dataset: DatasetKind? = nil,
                           dataDirectory: String? = nil, testLimit: Int? = nil) throws -> EvaluationSummary {
        let dir = try RunDirectory.openForReading(runDirectory)
        let stored = try dir.readConfiguration()
        var config = stored.configuration
        var net = config.initialNetwork()
        let modelClasses = config.classes
        var file = weights == .best ? RunDirectory.bestWeights : RunDirectory.lastWeights
        if !FileManager.default.fileExists(atPath: dir.file(file)) && weights == .best { file = RunDirectory.lastWeights }
        guard FileManager.default.fileExists(atPath: dir.file(file)) else {
            throw TrainingError("\(dir.file(file)): missing file: the run has saved no weights yet (one is written at the end of every epoch)")
        }
        try dir.readWeights(into: &net, name: file)

        let sameDataset = dataset == nil || dataset == config.dataset
        if let dataset, dataset != config.dataset {
            config.dataset = dataset
            config.dataDirectory = nil
            guard dataset != .synthetic else {
                throw TrainingError("--dataset synthetic: the synthetic test set exists only for a run trained on it (its seed makes the images)")
            }
        }
        if let dataDirectory { config.dataDirectory = URL(fileURLWithPath: dataDirectory).standardized.path }
        if config.dataset != .synthetic && config.dataDirectory == nil { config.dataDirectory = config.dataset.defaultDataDirectory }
        let limit = testLimit ?? (sameDataset ? config.testLimit : nil)
        var test: ImageDataset, source: String
        switch config.dataset {
        case .synthetic:
            let data = try TrainingData.load(config)  // the same seeded test stream the run tested on
            test = data.test; source = "synthetic (seed \(config.seed))"
        case .cifar10:
            let d = try TrainingData.directory(config)
            test = try CIFAR10.loadTest(directory: d); source = "CIFAR-10 test_batch.bin in \(d)"
        case .cifar100:
            let d = try TrainingData.directory(config)
            test = try CIFAR100.loadTest(directory: d); source = "CIFAR-100 test.bin in \(d)"
        case .imagenet32:
            let d = try TrainingData.directory(config)
            test = try ImageNet32.loadValidation(directory: d); source = "ImageNet32x32 validation set in \(d)"
        }
        if let limit, limit < test.count { test = test.subset(Array(0..<limit)) }
        guard test.count > 0 else { throw TrainingError("\(source): the test set is empty") }
        guard test.classCount <= modelClasses, test.height == 32, test.width == 32, test.channels == 3 else {
            throw TrainingError("\(source): \(test.classCount) classes of \(test.height)x\(test.width)x\(test.channels) images; the model of \(runDirectory) takes 32x32x3 images of \(modelClasses) classes")
        }

        let assembler = BatchAssembler(normalization: stored.normalization)
        var values: [Float] = [], labels: [Int32] = []
        var loss = 0.0, top1 = 0, top5 = 0, count = 0
        let chunk = 100
        var i = 0
        while i < test.count {
            let part = Array(i..<min(i + chunk, test.count))
            assembler.assemble(from: test, indices: part, epoch: 0, into: &values, labels: &labels)
            let e = try Evaluation(net, input: Tensor(shape: [labels.count, test.height, test.width, test.channels], values: values),
                                   labels: labels)
            loss += e.loss * Double(e.count); top1 += e.top1; top5 += e.top5; count += e.count
            i += chunk
        }
        let n = Double(count)
        return EvaluationSummary(weightsFile: dir.file(file), dataSource: source, images: count,
                                 loss: loss / n, top1: Double(top1) / n, top5: Double(top5) / n)
    }
}

extension CifarVGG {
    /// `cifar-vgg evaluate RUN_DIR`: test a saved model and print its top-1 and top-5 accuracy.
    public struct Evaluate: ParsableCommand {
        /// Which saved weights to test.
        public enum Weights: String, ExpressibleByArgument, CaseIterable, Sendable {
            /// `best.safetensors`: the best-validation model (the one the run tested).
            case best
            /// `last.safetensors`: the weights at the last finished epoch or checkpoint.
            case last
        }

        /// Help text.
        public static let configuration = CommandConfiguration(
            abstract: "Test the model saved in RUN_DIR on a test set; print top-1 and top-5 accuracy.",
            discussion: """
            The architecture and input normalisation come from RUN_DIR/config.json, the weights from \
            best.safetensors (or --weights last). By default the test set is the run's own, read \
            from the run's --data-dir; --dataset and --data-dir test on another copy or another \
            dataset with the same image size and no more classes than the model.
            """)

        /// `RUN_DIRECTORY`: A run directory written by cifar-vgg.
        @Argument(help: "A run directory written by cifar-vgg.")
        public var runDirectory: String

        /// `--dataset`: The test set: cifar10, cifar100 or imagenet32 (default: the run's dataset).
        @Option(help: "The test set: cifar10, cifar100 or imagenet32 (default: the run's dataset).")
        public var dataset: DatasetKind?

        /// `--data-dir`: Directory of the dataset's official files (default: the run's, else the dataset's …
        @Option(help: "Directory of the dataset's official files (default: the run's, else the dataset's folder in $DUALPROP_DATA_DIR or ~/.cache/dualprop).")
        public var dataDir: String?

        /// `--weights`: Which weights: best (best validation accuracy)
        @Option(help: "Which weights: best (best validation accuracy) or last.")
        public var weights: Weights = .best

        /// `--test-limit`: Use only the first N test images (default: the run's test set).
        @Option(help: "Use only the first N test images (default: the run's test set).")
        public var testLimit: Int?

        /// `--threads`: Kernel threads (default: all cores).
        @Option(help: "Kernel threads (default: all cores).")
        public var threads: Int?

        /// Defaults (for ArgumentParser).
        public init() {}

        /// Rejects impossible values with a message naming the option.
        public func validate() throws {
            if let n = testLimit, n < 1 { throw ValidationError("--test-limit must be ≥ 1, got \(n).") }
            if let t = threads, !(1...1024).contains(t) { throw ValidationError("--threads must lie in [1, 1024], got \(t).") }
            if let d = dataDir {
                var isDir: ObjCBool = false
                guard FileManager.default.fileExists(atPath: d, isDirectory: &isDir), isDir.boolValue else {
                    throw ValidationError("--data-dir \(d): no such directory.")
                }
            }
        }

        /// Tests and prints `top-1 …  top-5 …`.
        public func run() throws {
            if let threads { Runtime.threads = threads }
            do {
                let s = try RunEvaluation.run(runDirectory: runDirectory, weights: weights, dataset: dataset,
                                              dataDirectory: dataDir, testLimit: testLimit)
                print("\(s.weightsFile) on \(s.dataSource), \(s.images) images: top-1 \(fixed(100 * s.top1, 2))%  top-5 \(fixed(100 * s.top5, 2))%  loss \(fixed(s.loss, 4))")
            } catch {
                var err = StandardError()
                print("cifar-vgg evaluate: error: \(error)", to: &err)
                throw ExitCode(1)
            }
        }
    }
}
