import DualProp
import DualPropData
import Foundation

/// Which optimizer a run uses.
public enum OptimizerKind: Sendable, Hashable {
    /// Adam with PyTorch's defaults.
    case adam
    /// Plain SGD (no momentum, no weight decay).
    case sgd
}

/// The settings of one training run.
public struct TrainingOptions: Sendable {
    /// Passes over the training split.
    public var epochs: Int
    /// Examples per step.
    public var batchSize: Int
    /// Learning rate (constant; see `warmupEpochs`).
    public var learningRate: Float
    /// Optimizer.
    public var optimizer: OptimizerKind
    /// Seed of the per-epoch shuffle.
    public var seed: UInt64
    /// If > 0, the learning rate ramps geometrically, per step, from `learningRate·10⁻⁴` to
    /// `learningRate` over this many epochs (standard lifted training needs it: its energy gradient
    /// on inactive units is not small, Zach & Estellers 2019 §5 "the first epochs utilized a smaller learning rate").
    public var warmupEpochs: Int = 0
    /// Called with a progress line after each epoch (nil: silent).
    public var log: (@Sendable (String) -> Void)? = nil

    /// Options with the given values.
    public init(epochs: Int, batchSize: Int, learningRate: Float, optimizer: OptimizerKind, seed: UInt64,
                warmupEpochs: Int = 0, log: (@Sendable (String) -> Void)? = nil) {
        precondition(epochs >= 0 && batchSize >= 1 && learningRate > 0,
                     "TrainingOptions: need epochs ≥ 0, batch ≥ 1, lr > 0; got \(epochs), \(batchSize), \(learningRate)")
        self.epochs = epochs; self.batchSize = batchSize; self.learningRate = learningRate
        self.optimizer = optimizer; self.seed = seed; self.warmupEpochs = warmupEpochs; self.log = log
    }
}

/// What a training run produced.
public struct TrainingOutcome: Sendable {
    /// The trained network.
    public var network: Sequential
    /// Top-1 accuracy (%) of the forward passes during the last epoch (before each step).
    public var runningTrainAccuracy: Double
    /// Top-1 test accuracy (%) of a plain forward pass after training.
    public var testAccuracy: Double
    /// Test accuracy after each epoch.
    public var testAccuracyPerEpoch: [Double]
    /// Whether training stopped on a non-finite loss or gradient.
    public var diverged: Bool
    /// Wall-clock seconds.
    public var seconds: Double

    /// An outcome with the given values.
    public init(network: Sequential, runningTrainAccuracy: Double, testAccuracy: Double, testAccuracyPerEpoch: [Double],
                diverged: Bool, seconds: Double) {
        self.network = network; self.runningTrainAccuracy = runningTrainAccuracy; self.testAccuracy = testAccuracy
        self.testAccuracyPerEpoch = testAccuracyPerEpoch; self.diverged = diverged; self.seconds = seconds
    }
}

/// Top-1 accuracy (%) and mean loss of a plain forward pass over a split, in chunks.
public func evaluate(_ net: Sequential, on split: MNISTSplit, chunk: Int = 1000) throws -> (accuracy: Double, loss: Double) {
    var correct = 0, loss = 0.0
    var start = 0
    while start < split.count {
        let end = min(start + chunk, split.count)
        let (x, y) = split.batch(Array(start..<end)[...])
        let e = try Evaluation(net, input: x, labels: y)
        correct += e.top1; loss += e.loss * Double(e.count)
        start = end
    }
    return (100 * Double(correct) / Double(max(split.count, 1)), loss / Double(max(split.count, 1)))
}

/// A seeded permutation of `0..<n` (Fisher–Yates with the platform-independent generator).
public func permutation(_ n: Int, seed: UInt64) -> [Int] {
    var p = Array(0..<n)
    var rng = SplitMix64(seed: seed)
    if n > 1 { for i in stride(from: n - 1, to: 0, by: -1) { p.swapAt(i, rng.below(i + 1)) } }
    return p
}

/// Whether every gradient entry is finite.
func isFinite(_ g: Gradients) -> Bool {
    (g.weights + g.biases).allSatisfy { t in t.withUnsafeBufferPointer { $0.allSatisfy(\.isFinite) } }
}

/// Trains `network` with `rule` on `train` (reshuffled every epoch; a last partial batch is
/// dropped), evaluating on `test` after every epoch. Stops early, marking the run diverged, on a
/// non-finite loss or gradient.
public func train(_ network: Sequential, rule: LearningRule, train: MNISTSplit, test: MNISTSplit,
                  options o: TrainingOptions) throws -> TrainingOutcome {
    var net = network
    var optimizer: any Optimizer = o.optimizer == .adam ? Adam() : SGD(momentum: 0)
    let started = Date()
    var running = 0.0, perEpoch: [Double] = [], diverged = false
    let steps = train.count / o.batchSize
    guard steps >= 1 else {
        throw ExperimentError("the training split has \(train.count) examples, less than one batch of \(o.batchSize)")
    }
    epochs: for epoch in 0..<o.epochs {
        let order = permutation(train.count, seed: o.seed &* 0x9E37_79B9 &+ UInt64(epoch))
        var correct = 0, seen = 0, lossSum = 0.0
        for s in 0..<steps {
            let (x, y) = train.batch(order[(s * o.batchSize)..<((s + 1) * o.batchSize)])
            var lr = o.learningRate
            if o.warmupEpochs > 0 && epoch < o.warmupEpochs {
                let progress = Double(epoch * steps + s) / Double(o.warmupEpochs * steps)
                lr = o.learningRate * Float(pow(1e-4, 1 - progress))
            }
            let r = try rule.step(net, input: x, labels: y)
            if !r.loss.isFinite || !isFinite(r.gradients) { diverged = true; break epochs }
            try optimizer.update(&net, gradients: r.gradients, learningRate: lr)
            correct += r.correct; seen += r.count; lossSum += r.loss * Double(r.count)
        }
        running = 100 * Double(correct) / Double(max(seen, 1))
        let t = try evaluate(net, on: test)
        perEpoch.append(t.accuracy)
        o.log?(String(format: "  %@ epoch %d/%d: train loss %.4f, running train acc %.2f%%, test acc %.2f%% (%.0f s)",
                      rule.name, epoch + 1, o.epochs, lossSum / Double(max(seen, 1)), running, t.accuracy,
                      Date().timeIntervalSince(started)))
        if !t.loss.isFinite { diverged = true; break }
    }
    let final = diverged ? (accuracy: Double.nan, loss: Double.nan) : try evaluate(net, on: test)
    return TrainingOutcome(network: net, runningTrainAccuracy: running, testAccuracy: final.accuracy,
                           testAccuracyPerEpoch: perEpoch, diverged: diverged,
                           seconds: Date().timeIntervalSince(started))
}

/// `‖W_{L−1} ⋯ W₁ W₀‖₂` of an MLP's weights (the Lipschitz estimate of Høier & Zach 2024 Table 1, exact for
/// ReLU nets up to the activation's 1-Lipschitz factor): the product, then power iteration on its
/// Gram matrix in double until the estimate settles.
public func productSpectralNorm(_ net: Sequential) throws -> Double {
    let ws = net.parameters.map(\.weight) // [in, out] each: the product x·W₀·W₁⋯ is [784, classes]
    var p = ws[0]
    for w in ws.dropFirst() {
        var c = Tensor(shape: [p.shape[0], w.shape[1]])
        try matmul(p, w, into: &c)
        p = c
    }
    let (m, n) = (p.shape[0], p.shape[1]), v = p.scalars.map(Double.init)
    var gram = [Double](repeating: 0, count: n * n) // PᵀP, n×n
    for r in 0..<m { for i in 0..<n { for j in 0..<n { gram[i * n + j] += v[r * n + i] * v[r * n + j] } } }
    var u = (0..<n).map { Double($0 % 7) + 1 }, lambda = 0.0
    for _ in 0..<1000 {
        var w = [Double](repeating: 0, count: n)
        for i in 0..<n { for j in 0..<n { w[i] += gram[i * n + j] * u[j] } }
        let norm = w.reduce(0) { $0 + $1 * $1 }.squareRoot()
        guard norm > 0 else { return 0 }
        u = w.map { $0 / norm }
        if abs(norm - lambda) <= 1e-12 * norm { lambda = norm; break }
        lambda = norm
    }
    return lambda.squareRoot()
}
