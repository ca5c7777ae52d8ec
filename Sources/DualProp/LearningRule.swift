/// Parameter gradients of a `Sequential`, one weight and one bias tensor per block (block order).
public struct Gradients: Sendable {
    /// `∂J/∂W` of each block, in the layer's weight layout.
    public var weights: [Tensor]
    /// `∂J/∂b` of each block.
    public var biases: [Tensor]

    /// Gradients of the given tensors.
    public init(weights: [Tensor], biases: [Tensor]) {
        precondition(weights.count == biases.count, "Gradients: \(weights.count) weights but \(biases.count) biases")
        self.weights = weights; self.biases = biases
    }

    /// Per block, the cosine between these gradients and `other`'s (weights and bias together):
    /// the paper's measure of how well a rule follows BP (Høier & Zach 2024 Fig. 2).
    public func cosines(with other: Gradients) -> [Double] {
        precondition(weights.count == other.weights.count, "Gradients.cosines: \(weights.count) vs \(other.weights.count) blocks")
        return weights.indices.map { k in
            let w = dotAndNorms(weights[k], other.weights[k]), b = dotAndNorms(biases[k], other.biases[k])
            let denominator = ((w.aa + b.aa) * (w.bb + b.bb)).squareRoot()
            return denominator > 0 ? (w.dot + b.dot) / denominator : 0
        }
    }

    /// Per block, `‖self − other‖ / ‖other‖` over weights and bias together.
    public func relativeErrors(to other: Gradients) -> [Double] {
        weights.indices.map { k in
            let dw = dotAndNorms(subtract(weights[k], other.weights[k]), other.weights[k])
            let db = dotAndNorms(subtract(biases[k], other.biases[k]), other.biases[k])
            let reference = (dw.bb + db.bb).squareRoot()
            return reference > 0 ? (dw.aa + db.aa).squareRoot() / reference : (dw.aa + db.aa).squareRoot()
        }
    }
}

/// What one learning-rule step on a batch returns.
public struct StepResult: Sendable {
    /// The parameter gradients (descend along them).
    public var gradients: Gradients
    /// The mean loss of the batch under the plain forward pass.
    public var loss: Double
    /// Top-1 correct predictions of the plain forward pass.
    public var correct: Int
    /// Examples in the batch.
    public var count: Int
}

/// A learning rule: turns (network, batch) into parameter gradients, the batch loss and accuracy.
/// Implemented by `Backpropagation`, `FenchelBackpropagation`, `DualPropagation` (DP) and
/// `AdjointDualPropagation` (DP⊤).
public protocol LearningRule: Sendable {
    /// A short name for logs (`bp`, `fbp`, `dp`, `dpT`).
    var name: String { get }
    /// Gradients for a batch `input` with class `labels` (one per example).
    func step(_ network: Sequential, input: Tensor, labels: [Int32]) throws -> StepResult
    /// `step`, also handing each block's gradients to `ready(k, weight, bias)` as soon as the rule
    /// has them, top block first, so that a caller can start communicating them while the rest of
    /// the step runs (data-parallel training). The result is the same as `step`'s.
    func step(_ network: Sequential, input: Tensor, labels: [Int32],
              ready: (_ block: Int, _ weight: Tensor, _ bias: Tensor) throws -> Void) throws -> StepResult
}

extension LearningRule {
    /// For rules that finish all gradients together: `step`, then every block, top first.
    public func step(_ network: Sequential, input: Tensor, labels: [Int32],
                     ready: (_ block: Int, _ weight: Tensor, _ bias: Tensor) throws -> Void) throws -> StepResult {
        let r = try step(network, input: input, labels: labels)
        for k in r.gradients.weights.indices.reversed() { try ready(k, r.gradients.weights[k], r.gradients.biases[k]) }
        return r
    }
}

/// Loss, correct count and the output error `∂ℓ/∂a_L · scale` for a batch of logits.
struct OutputError {
    var meanLoss: Double
    var correct: Int
    var error: Tensor

    /// `scale` multiplies the per-example error (`1/B` for a mean loss, 1 for per-example errors).
    init(_ loss: OutputLoss, logits: Tensor, labels: [Int32], scale: Float) throws {
        precondition(logits.rank == 2 && logits.shape[0] == labels.count,
                     "loss: logits \(logits.shape) must be [B, classes] for \(labels.count) labels")
        correct = try SoftmaxCrossEntropy.topKCorrect(logits: logits, labels: labels, k: 1)
        switch loss {
        case .softmaxCrossEntropy:
            let r = try SoftmaxCrossEntropy.evaluate(logits: logits, labels: labels, gradScale: scale)
            meanLoss = r.mean; error = r.gradient
        case .leastSquares:
            let diff = subtract(logits, oneHot(labels, classes: logits.shape[1]))
            meanLoss = 0.5 * dotAndNorms(diff, diff).aa / Double(max(labels.count, 1))
            error = scaled(diff, scale)
        }
    }
}

/// One-hot rows `[B, classes]`.
func oneHot(_ labels: [Int32], classes: Int) -> Tensor {
    var t = Tensor(shape: [labels.count, classes])
    t.withUnsafeMutableBufferPointer { p in
        for (i, y) in labels.enumerated() {
            precondition(y >= 0 && Int(y) < classes, "label \(y) of example \(i) is outside 0..<\(classes)")
            p[i * classes + Int(y)] = 1
        }
    }
    return t
}

/// Loss and top-1/top-5 counts of a plain forward pass (evaluation).
public struct Evaluation: Sendable {
    /// Mean loss.
    public var loss: Double
    /// Top-1 correct count.
    public var top1: Int
    /// Top-5 correct count (top-k with k = min(5, classes)).
    public var top5: Int
    /// Examples.
    public var count: Int

    /// Evaluate `network` on a batch.
    public init(_ network: Sequential, input: Tensor, labels: [Int32]) throws {
        let logits = try network.forward(input)
        let out = try OutputError(network.loss, logits: logits, labels: labels, scale: 1)
        loss = out.meanLoss; top1 = out.correct; count = labels.count
        top5 = try SoftmaxCrossEntropy.topKCorrect(logits: logits, labels: labels, k: min(5, logits.shape[1]))
    }
}

extension LearningRule {
    /// The paper's alignment diagnostic (Høier & Zach 2024 Fig. 2): per block, the cosine between this
    /// rule's gradient and BP's on the same batch.
    public func cosinesToBackprop(_ network: Sequential, input: Tensor, labels: [Int32]) throws -> [Double] {
        let mine = try step(network, input: input, labels: labels).gradients
        let reference = try Backpropagation().step(network, input: input, labels: labels).gradients
        return mine.cosines(with: reference)
    }
}
