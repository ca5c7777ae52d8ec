import DualProp
import Foundation

/// The memory a run needs, estimated from its configuration before anything is allocated, and
/// the memory the machine has: a run that cannot fit is refused with both figures instead of
/// aborting on an allocation (or being killed) hours later.
///
/// The estimate counts what certainly lives at the same time and is deliberately not generous,
/// so that a refused run would really not have fitted:
/// - parameters × 4 bytes × 6: weights, gradients, SGD velocity, the best-model copy at the end,
///   and the two copies a checkpoint write makes (PyTorch layout, then the file's bytes);
/// - per image of the largest batch (training batch, or the evaluation chunk of 100/250), every
///   layer's output × 4 bytes × 3: the forward states, their gradients (or the second, nudged
///   states of DP/DP⊤/FBP), and the pre-activation copy;
/// - the dataset's pixels, one byte each, training and test images.
public struct MemoryEstimate: Sendable, CustomStringConvertible {
    /// Trainable parameters of the configured VGG16.
    public var parameters: Double
    /// Bytes of weights and their companions.
    public var parameterBytes: Double
    /// Bytes of activations of the largest batch.
    public var activationBytes: Double
    /// Bytes of the dataset's pixels.
    public var datasetBytes: Double
    /// The sum.
    public var totalBytes: Double { parameterBytes + activationBytes + datasetBytes }

    /// The estimate for `config` (closed-form: no network is built).
    public init(_ config: TrainingConfiguration) {
        func scaled(_ c: Int) -> Double { max(1, (Double(c) * config.widthMultiplier).rounded()) }
        var channels = 3.0, side = 32.0, params = 0.0, perImage = 0.0
        for c in Sequential.vgg16Plan {
            if c == 0 { side = max(1, (side / 2).rounded(.down)); perImage += side * side * channels; continue }
            let out = scaled(c)
            params += 9 * channels * out + out
            perImage += 2 * side * side * out   // convolution output and activation
            channels = out
        }
        let hidden = scaled(4096), classes = Double(config.classes)
        let features = channels * side * side
        params += features * hidden + hidden + hidden * hidden + hidden + hidden * classes + classes
        perImage += 2 * hidden + 2 * hidden + classes
        let largestBatch = Double(max(config.batchSize, config.widthMultiplier >= 0.5 ? 100 : 250))
        parameters = params
        parameterBytes = params * 4 * 6
        activationBytes = largestBatch * perImage * 4 * 3
        let (train, test) = Self.imageCounts(config)
        datasetBytes = Double(train + test) * 3072
    }

    /// Training and test images the run loads (the limits applied to the dataset's sizes).
    static func imageCounts(_ c: TrainingConfiguration) -> (Int, Int) {
        let full: (Int, Int)
        switch c.dataset {
        case .synthetic: full = (Recipe.of(.synthetic).syntheticTrain, Recipe.of(.synthetic).syntheticTest)
        case .cifar10, .cifar100: full = (50_000, 10_000)
        case .imagenet32: full = (1_281_167, 50_000)
        }
        if c.dataset == .synthetic { return (c.trainLimit ?? full.0, c.testLimit ?? full.1) }
        return (min(c.trainLimit ?? full.0, full.0), min(c.testLimit ?? full.1, full.1))
    }

    /// `≈ 34.2 GB (2.15e9 parameters: 51.6 GB …)`.
    public var description: String {
        "≈ \(Self.gigabytes(totalBytes)) (parameters \(Self.gigabytes(parameterBytes)) for \(String(format: "%.3g", parameters)) parameters, activations \(Self.gigabytes(activationBytes)), images \(Self.gigabytes(datasetBytes)))"
    }

    static func gigabytes(_ bytes: Double) -> String { String(format: "%.2f GB", bytes / 1e9) }

    /// Bytes this process may still allocate: the kernel's `MemAvailable`, lowered by a cgroup
    /// limit (`memory.max` − `memory.current`) when one applies; nil when neither can be read.
    public static func availableBytes() -> Double? {
        var available: Double?
        if let text = try? String(contentsOfFile: "/proc/meminfo", encoding: .utf8),
           let line = text.split(separator: "\n").first(where: { $0.hasPrefix("MemAvailable:") }),
           let kib = Double(line.split(separator: " ").dropFirst().first ?? "") {
            available = kib * 1024
        }
        func number(_ path: String) -> Double? {
            (try? String(contentsOfFile: path, encoding: .utf8)).flatMap { Double($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
        }
        if let limit = number("/sys/fs/cgroup/memory.max"), let used = number("/sys/fs/cgroup/memory.current") {
            available = min(available ?? .infinity, max(0, limit - used))
        }
        return available
    }

    /// Throws a ``TrainingError`` naming the estimate and the available memory when `config`
    /// cannot fit (`available` defaults to ``availableBytes()``; unknown: no check).
    public static func check(_ config: TrainingConfiguration, available: Double? = availableBytes()) throws {
        let estimate = MemoryEstimate(config)
        guard let available, estimate.totalBytes > available else { return }
        throw TrainingError("""
            the run needs \(estimate) but only \(gigabytes(available)) of memory is available; \
            lower --width-multiplier, --batch-size or --train-limit
            """)
    }
}
