/// Back-propagation: the reference rule. Mean loss over the batch.
public struct Backpropagation: LearningRule {
    /// `bp`.
    public var name: String { "bp" }
    /// The rule has no parameters.
    public init() {}

    /// BP gradients of the mean loss.
    public func step(_ network: Sequential, input: Tensor, labels: [Int32]) throws -> StepResult {
        try step(network, input: input, labels: labels, ready: { _, _, _ in })
    }

    /// BP gradients, each block's handed to `ready` as the backward sweep finishes it (top first).
    public func step(_ network: Sequential, input: Tensor, labels: [Int32],
                     ready: (Int, Tensor, Tensor) throws -> Void) throws -> StepResult {
        try backward(network, input: input, labels: labels, perExampleScale: 1 / Float(labels.count),
                     gradientScale: 1, ready: ready) { f, a, g in try activationBackward(f, preActivation: a, gradient: g) }
    }
}

/// Fenchel back-propagation with spacing τ: BP with `f'(a) ⊙ g` replaced by
/// `(f(a) − f(a − τg))/τ` on per-example errors; the batch mean is taken in the weight gradient.
public struct FenchelBackpropagation: LearningRule {
    /// `fbp`.
    public var name: String { "fbp" }
    /// The spacing τ > 0 of every layer.
    public let tau: Float

    /// A rule with spacing `tau` (> 0).
    public init(tau: Float) {
        precondition(tau > 0 && tau.isFinite, "FenchelBackpropagation: tau must be finite and > 0, got \(tau)")
        self.tau = tau
    }

    /// Fenchel BP gradients.
    public func step(_ network: Sequential, input: Tensor, labels: [Int32]) throws -> StepResult {
        try step(network, input: input, labels: labels, ready: { _, _, _ in })
    }

    /// Fenchel BP gradients, each block's handed to `ready` as the backward sweep finishes it.
    public func step(_ network: Sequential, input: Tensor, labels: [Int32],
                     ready: (Int, Tensor, Tensor) throws -> Void) throws -> StepResult {
        try backward(network, input: input, labels: labels, perExampleScale: 1,
                     gradientScale: 1 / Float(labels.count), ready: ready) { [tau] f, a, g in
            try Nudge.fenchelError(f, tau: tau, preActivation: a, gradient: g)
        }
    }
}

/// The backward sweep shared by BP and Fenchel BP: `through(f, a, g)` carries a signal `g` on a
/// block's output back through its activation; output errors are scaled by `perExampleScale`,
/// parameter gradients by `gradientScale`; each block's gradients go to `ready` once final.
func backward(_ net: Sequential, input x: Tensor, labels: [Int32], perExampleScale: Float, gradientScale: Float,
              ready: (Int, Tensor, Tensor) throws -> Void = { _, _, _ in },
              through: (Activation, Tensor, Tensor) throws -> Tensor) throws -> StepResult {
    let t = try net.trace(x)
    let out = try OutputError(net.loss, logits: t.output, labels: labels, scale: perExampleScale)
    var weights = [Tensor](repeating: Tensor(shape: [0]), count: net.depth)
    var biases = weights
    var g = out.error // the signal on block k's output
    for k in stride(from: net.depth - 1, through: 0, by: -1) {
        if case .bregmanDense(let d) = net.layers[net.blocks[k].layer] {
            let r = try d.backward(input: t.inputs[k], update: t.pre[k], outputGradient: g)
            weights[k] = r.weight; biases[k] = r.bias; g = r.input
        } else {
            let ga = try net.blocks[k].activation.map { try through($0, t.pre[k], g) } ?? g
            let dz = try net.unpool(k, ga, switches: t.switches[k], prePoolShape: t.prePoolShapes[k])
            (weights[k], biases[k]) = try net.linearGradient(k, input: t.inputs[k], dz)
            if k > 0 { g = try net.linearTranspose(k, dz, inputShape: t.inputs[k].shape) }
        }
        if gradientScale != 1 { weights[k] = scaled(weights[k], gradientScale); biases[k] = scaled(biases[k], gradientScale) }
        try ready(k, weights[k], biases[k])
    }
    return StepResult(gradients: Gradients(weights: weights, biases: biases), loss: out.meanLoss,
                      correct: out.correct, count: labels.count)
}
