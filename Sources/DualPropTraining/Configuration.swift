import DualProp
import DualPropData

/// The learning rule of a run.
public enum Method: String, Codable, CaseIterable, Sendable {
    /// Back-propagation.
    case bp
    /// Fenchel back-propagation (spacing τ).
    case fbp
    /// The original dual propagation (α, β).
    case dp
    /// The adjoint dual propagation DP⊤ (α, β).
    case dpT
}

/// The data a run trains on.
public enum DatasetKind: String, Codable, CaseIterable, Sendable {
    /// The built-in seeded 10-class 32x32 colour dataset (no files needed).
    case synthetic
    /// CIFAR-10, binary version.
    case cifar10
    /// CIFAR-100, binary version (fine labels).
    case cifar100
    /// ImageNet32x32, official npz release (the public validation set is the test set).
    case imagenet32
}

/// The weight initialisation of VGG16.
public enum InitKind: String, Codable, CaseIterable, Sendable {
    /// LeCun normal `N(0, 1/fanIn)` everywhere: the paper's.
    case lecun
    /// He normal `N(0, 2/fanIn)` for the hidden (ReLU) layers, LeCun for the output layer: keeps
    /// the signal's scale through the 15 ReLU layers, so short runs leave the initial plateau fast.
    case he
}

/// The inference schedule of DP/DP⊤, as a command-line word.
public enum ScheduleKind: String, Codable, CaseIterable, Sendable {
    /// One top-down sweep after the forward pass.
    case sweep
    /// K forward-only passes over all blocks (the paper's VGG16 setting, K = 16).
    case forwardPasses = "forward-passes"
    /// K rounds of down-and-up sweeps, then a final down sweep.
    case repeatedSweeps = "repeated-sweeps"
}

/// The fully resolved settings of a run: every default filled in from the dataset's recipe.
/// Written to `config.json` in the run directory; `hash` identifies the training it describes.
public struct TrainingConfiguration: Codable, Equatable, Sendable {
    /// The learning rule.
    public var method: Method
    /// α of DP/DP⊤ (nil for bp/fbp).
    public var alpha: Float?
    /// β of DP/DP⊤ (nil for bp/fbp).
    public var beta: Float?
    /// τ of Fenchel BP (nil otherwise).
    public var tau: Float?
    /// The data.
    public var dataset: DatasetKind
    /// The data directory (nil for synthetic). Not part of the hash: data may move.
    public var dataDirectory: String?
    /// Training epochs.
    public var epochs: Int
    /// Mini-batch size (the last batch of an epoch may be shorter).
    public var batchSize: Int
    /// Peak learning rate (end of warm-up).
    public var learningRate: Float
    /// Learning rate from `decayEpochs` on.
    public var learningRateFinal: Float
    /// Learning rate at step 0.
    public var warmupLearningRate: Float
    /// Epochs of linear warm-up from `warmupLearningRate` to `learningRate`.
    public var warmupEpochs: Int
    /// The epoch at which the cosine decay reaches `learningRateFinal`.
    public var decayEpochs: Int
    /// SGD momentum.
    public var momentum: Float
    /// Weight decay added to every gradient (biases too).
    public var weightDecay: Float
    /// DP/DP⊤ schedule (nil for bp/fbp).
    public var inferenceSchedule: ScheduleKind?
    /// K of `forward-passes` / `repeated-sweeps`.
    public var inferencePasses: Int?
    /// VGG16 width scale (1 = the paper's widths).
    public var widthMultiplier: Double
    /// Weight initialisation.
    public var initialization: InitKind
    /// Use only the first N training images (synthetic: generate N).
    public var trainLimit: Int?
    /// Use only the first N test images (synthetic: generate N).
    public var testLimit: Int?
    /// Percentage of the (limited) training set held out for validation.
    public var percentVal: Double
    /// Seed of weights, split, shuffles, augmentation and synthetic data.
    public var seed: UInt64
    /// Kernel threads. Not part of the hash (results may differ in the last bits across counts).
    public var threads: Int
    /// Also write the resumable checkpoint every N steps inside an epoch (0: at epoch ends only).
    /// Not part of the hash.
    public var checkpointEverySteps: Int
    /// Log the per-layer cosine of the rule's gradients to BP's each epoch. Not part of the hash.
    public var checkGradients: Bool

    /// The initial VGG16 of this run.
    public func initialNetwork() -> Sequential {
        var net = Sequential.vgg16(classes: classes, widthMultiplier: widthMultiplier, seed: seed)
        if initialization == .he {
            let last = net.depth - 1
            let gain = Float(2).squareRoot()
            net.withParameters { k, w, _ in
                if k < last { w = Tensor(shape: w.shape, values: w.scalars.map { $0 * gain }) }
            }
        }
        return net
    }

    /// The classes of the dataset.
    public var classes: Int {
        switch dataset {
        case .synthetic, .cifar10: return 10
        case .cifar100: return 100
        case .imagenet32: return 1000
        }
    }

    /// The learning rule these settings describe.
    public func learningRule() -> any LearningRule {
        let schedule: InferenceSchedule
        switch inferenceSchedule ?? .sweep {
        case .sweep: schedule = .sweep
        case .forwardPasses: schedule = .forwardPasses(inferencePasses ?? 16)
        case .repeatedSweeps: schedule = .repeatedSweeps(inferencePasses ?? 1)
        }
        switch method {
        case .bp: return Backpropagation()
        case .fbp: return FenchelBackpropagation(tau: tau!)
        case .dp: return DualPropagation(alpha: alpha!, beta: beta!, schedule: schedule)
        case .dpT: return AdjointDualPropagation(alpha: alpha!, beta: beta!, schedule: schedule)
        }
    }

    /// The fields that decide the training's outcome (everything but paths, threads and logging).
    struct HashedFields: Codable {
        var method: Method, alpha: Float?, beta: Float?, tau: Float?, dataset: DatasetKind
        var epochs: Int, batchSize: Int, learningRate: Float, learningRateFinal: Float, warmupLearningRate: Float
        var warmupEpochs: Int, decayEpochs: Int, momentum: Float, weightDecay: Float
        var inferenceSchedule: ScheduleKind?, inferencePasses: Int?, widthMultiplier: Double, initialization: InitKind
        var trainLimit: Int?, testLimit: Int?, percentVal: Double, seed: UInt64
    }

    var hashedFields: HashedFields {
        HashedFields(method: method, alpha: alpha, beta: beta, tau: tau, dataset: dataset, epochs: epochs,
                     batchSize: batchSize, learningRate: learningRate, learningRateFinal: learningRateFinal,
                     warmupLearningRate: warmupLearningRate, warmupEpochs: warmupEpochs, decayEpochs: decayEpochs,
                     momentum: momentum, weightDecay: weightDecay, inferenceSchedule: inferenceSchedule,
                     inferencePasses: inferencePasses, widthMultiplier: widthMultiplier,
                     initialization: initialization, trainLimit: trainLimit,
                     testLimit: testLimit, percentVal: percentVal, seed: seed)
    }

    /// A 16-hex-digit FNV-1a hash of the outcome-deciding fields (canonical JSON, sorted keys).
    public var hash: String {
        let bytes = (try? canonicalJSON(hashedFields)) ?? []
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for b in bytes { h = (h ^ UInt64(b)) &* 0x0000_0100_0000_01b3 }
        let s = String(h, radix: 16)
        return String(repeating: "0", count: 16 - s.count) + s
    }

    /// The names of outcome-deciding fields that differ from `other` (for a resume refusal).
    public func differences(from other: TrainingConfiguration) -> [String] {
        guard let a = try? jsonObject(hashedFields), let b = try? jsonObject(other.hashedFields) else { return [] }
        return Set(a.keys).union(b.keys).sorted().compactMap { k in
            let x = a[k].map { "\($0)" } ?? "nil", y = b[k].map { "\($0)" } ?? "nil"
            return x == y ? nil : "\(k): \(y) → \(x)"
        }
    }
}

/// The paper's recipe for a dataset, and this project's short default for synthetic data.
public struct Recipe: Sendable, Equatable {
    /// Schedule lengths and batch size.
    public var epochs: Int, decayEpochs: Int, warmupEpochs: Int, batchSize: Int
    /// Peak, final and initial learning rates.
    public var learningRate: Float, learningRateFinal: Float, warmupLearningRate: Float
    /// SGD settings, validation percentage and width.
    public var momentum: Float, weightDecay: Float, percentVal: Double, widthMultiplier: Double
    /// Weight initialisation.
    public var initialization: InitKind
    /// Training / test images generated (synthetic only).
    public var syntheticTrain: Int, syntheticTest: Int

    /// The recipe of `dataset`.
    public static func of(_ dataset: DatasetKind) -> Recipe {
        switch dataset {
        case .cifar10:
            return Recipe(epochs: 130, decayEpochs: 120, warmupEpochs: 10, batchSize: 100, learningRate: 0.025,
                          learningRateFinal: 2e-6, warmupLearningRate: 0.001, momentum: 0.9, weightDecay: 5e-4,
                          percentVal: 10, widthMultiplier: 1, initialization: .lecun, syntheticTrain: 0, syntheticTest: 0)
        case .cifar100:
            return Recipe(epochs: 200, decayEpochs: 190, warmupEpochs: 10, batchSize: 50, learningRate: 0.015,
                          learningRateFinal: 2e-6, warmupLearningRate: 0.001, momentum: 0.9, weightDecay: 5e-4,
                          percentVal: 10, widthMultiplier: 1, initialization: .lecun, syntheticTrain: 0, syntheticTest: 0)
        case .imagenet32:
            return Recipe(epochs: 130, decayEpochs: 120, warmupEpochs: 10, batchSize: 250, learningRate: 0.02,
                          learningRateFinal: 2e-6, warmupLearningRate: 0.001, momentum: 0.9, weightDecay: 5e-4,
                          percentVal: 5, widthMultiplier: 1, initialization: .lecun, syntheticTrain: 0, syntheticTest: 0)
        case .synthetic:
            // Sized so that `cifar-vgg --method dpT` finishes in a few minutes on 2 cores
            // (README: measured time and accuracy).
            return Recipe(epochs: 10, decayEpochs: 10, warmupEpochs: 1, batchSize: 16, learningRate: 0.01,
                          learningRateFinal: 2e-6, warmupLearningRate: 0.001, momentum: 0.9, weightDecay: 5e-4,
                          percentVal: 10, widthMultiplier: 0.125, initialization: .he, syntheticTrain: 4000, syntheticTest: 1000)
        }
    }
}
