#if canImport(Glibc)
import Glibc
#endif

/// An optimizer updates a network's parameters from gradients, keeping its own state.
public protocol Optimizer: Sendable {
    /// Apply one step with the given learning rate.
    mutating func update(_ network: inout Sequential, gradients: Gradients, learningRate: Float) throws
}

/// SGD with heavy-ball momentum and coupled weight decay on every parameter (biases too), as
/// PyTorch's `SGD(momentum, weight_decay)`: `g' = g + wd·w; v = μv + g'; w −= lr·v`.
///
/// The optimizer keeps a `ParameterStore` (created at the first step or by `prepare`): the
/// network's parameters become views into one buffer, the momentum is a second one, and a step
/// is one threaded pass over them (bitwise the per-tensor `Optim.sgdStep` result). See
/// `ParameterStore` for what happens to copies of the network and to tensors a user mutates.
public struct SGD: Optimizer {
    /// Momentum μ.
    public let momentum: Float
    /// Weight decay added to every gradient.
    public let weightDecay: Float
    /// The parameter, momentum and gradient buffers (nil before the first step or `prepare`).
    public private(set) var store: ParameterStore?
    /// Velocities set before the store exists (a resumed run's), applied when it is created.
    private var pendingVelocities: [(weight: Tensor, bias: Tensor)] = []
    /// Whether there is momentum to report: after the first step, or once velocities were set.
    private var hasVelocities = false

    /// SGD with the given momentum (≥ 0) and weight decay (≥ 0).
    public init(momentum: Float = 0.9, weightDecay: Float = 0) {
        precondition(momentum >= 0 && weightDecay >= 0, "SGD: momentum \(momentum) and weight decay \(weightDecay) must be ≥ 0")
        self.momentum = momentum; self.weightDecay = weightDecay
    }

    /// Whether the optimizer has momentum (`velocities` is not empty), without copying it.
    public var hasMomentum: Bool { hasVelocities }

    /// Velocities per block (weight, bias), as copies of the momentum buffer; empty before the
    /// first step. Setting them (a resumed run) replaces the momentum; empty clears it.
    public var velocities: [(weight: Tensor, bias: Tensor)] {
        get { hasVelocities ? store?.momentumTensors() ?? pendingVelocities : [] }
        set {
            hasVelocities = !newValue.isEmpty
            if store != nil && (newValue.isEmpty || newValue.count * 2 == store!.entries.count) {
                store!.setMomentum(newValue)
                pendingVelocities = []
            } else {
                store = nil
                pendingVelocities = newValue
            }
        }
    }

    /// Creates the store for `network` if there is none for its shapes, and makes the network's
    /// parameters views of it (`ParameterStore.attach`). `update` does this itself; call it to
    /// reach the gradient buffer before the first step (data-parallel training).
    public mutating func prepare(_ network: inout Sequential) {
        if store == nil || !store!.matches(network) {
            store = ParameterStore(network)
            if hasVelocities && !pendingVelocities.isEmpty { store!.setMomentum(pendingVelocities) }
            pendingVelocities = []
        }
        store!.attach(&network)
    }

    /// One SGD step.
    public mutating func update(_ network: inout Sequential, gradients: Gradients, learningRate: Float) throws {
        prepare(&network)
        try store!.sgdStep(&network, gradients: gradients, learningRate: learningRate, momentum: momentum, weightDecay: weightDecay)
        hasVelocities = true
    }

    /// One SGD step with the gradients in the store's gradient buffer (filled through
    /// `withGradientBuffer`, e.g. summed over the ranks of a data-parallel run).
    public mutating func updateFromGradientBuffer(_ network: inout Sequential, learningRate: Float) throws {
        prepare(&network)
        try store!.sgdStep(&network, gradients: nil, learningRate: learningRate, momentum: momentum, weightDecay: weightDecay)
        hasVelocities = true
    }

    /// Calls `body` with the store's gradient buffer (layout `store.entries`). The pointer is
    /// valid only during `body`.
    /// - Precondition: the store exists (`prepare` or a first `update` made it).
    public mutating func withGradientBuffer<R>(_ body: (UnsafeMutableBufferPointer<Float>) throws -> R) rethrows -> R {
        precondition(store != nil, "SGD.withGradientBuffer: call prepare(_:) first; there is no parameter store yet")
        return try store!.withGradientBuffer(body)
    }
}

/// Adam (PyTorch's formulas, L2 weight decay coupled into the gradient). Like `SGD`, it keeps a
/// `ParameterStore` (its `momentum` buffer is the first moment, plus a second-moment buffer), and
/// a step is one threaded pass, bitwise the per-tensor `Optim.adamStep`.
public struct Adam: Optimizer {
    /// β₁, β₂, ε, weight decay.
    public let beta1: Float, beta2: Float, epsilon: Float, weightDecay: Float
    /// Steps taken.
    public private(set) var step = 0
    /// The parameter and moment buffers (nil before the first step).
    public private(set) var store: ParameterStore?
    /// Moments set before the store exists, applied when it is created.
    private var pendingMoments: [(m: Tensor, v: Tensor, mb: Tensor, vb: Tensor)] = []

    /// Adam with PyTorch's defaults.
    public init(beta1: Float = 0.9, beta2: Float = 0.999, epsilon: Float = 1e-8, weightDecay: Float = 0) {
        precondition((0..<1).contains(beta1) && (0..<1).contains(beta2) && epsilon > 0,
                     "Adam: need 0 ≤ β1, β2 < 1 and ε > 0, got \(beta1), \(beta2), \(epsilon)")
        self.beta1 = beta1; self.beta2 = beta2; self.epsilon = epsilon; self.weightDecay = weightDecay
    }

    /// First and second moments per block (weight m, v; bias mb, vb), as copies out of the store;
    /// empty before the first step. Setting them replaces the moments.
    public var moments: [(m: Tensor, v: Tensor, mb: Tensor, vb: Tensor)] {
        get { store.map { $0.adamMoments() } ?? pendingMoments }
        set {
            if store != nil && newValue.count * 2 == store!.entries.count {
                store!.setAdamMoments(newValue)
            } else {
                store = nil
                pendingMoments = newValue
            }
        }
    }

    /// One Adam step.
    public mutating func update(_ network: inout Sequential, gradients: Gradients, learningRate: Float) throws {
        if store == nil || !store!.matches(network) {
            store = ParameterStore(network)
            if !pendingMoments.isEmpty { store!.setAdamMoments(pendingMoments) }
            pendingMoments = []
        }
        step += 1
        try store!.adamStep(&network, gradients: gradients, step: step, learningRate: learningRate, beta1: beta1,
                            beta2: beta2, epsilon: epsilon, weightDecay: weightDecay)
    }
}

/// The per-step learning-rate schedule of the VGG16 experiments: linear warm-up from
/// `warmupStart` to `peak` over `warmupSteps`, cosine decay to `final` at `decaySteps`, flat after.
public struct WarmupCosineSchedule: Sendable, Hashable, Codable {
    /// Learning rate at step 0.
    public let warmupStart: Float
    /// Learning rate at the end of warm-up.
    public let peak: Float
    /// Learning rate from `decaySteps` on.
    public let final: Float
    /// Steps of linear warm-up.
    public let warmupSteps: Int
    /// The step at which the cosine reaches `final` (counted from step 0).
    public let decaySteps: Int

    /// A schedule; `decaySteps` ≥ `warmupSteps` ≥ 0.
    public init(warmupStart: Float, peak: Float, final: Float, warmupSteps: Int, decaySteps: Int) {
        precondition(warmupSteps >= 0 && decaySteps >= warmupSteps,
                     "WarmupCosineSchedule: need 0 ≤ warmupSteps (\(warmupSteps)) ≤ decaySteps (\(decaySteps))")
        self.warmupStart = warmupStart; self.peak = peak; self.final = final
        self.warmupSteps = warmupSteps; self.decaySteps = decaySteps
    }

    /// The learning rate of step `step` (0-based).
    public func learningRate(step: Int) -> Float {
        if step < warmupSteps {
            return warmupStart + (peak - warmupStart) * Float(step) / Float(warmupSteps)
        }
        if step >= decaySteps { return final }
        let progress = Double(step - warmupSteps) / Double(decaySteps - warmupSteps)
        return final + (peak - final) * Float(0.5 * (1 + cos(Double.pi * progress)))
    }
}
