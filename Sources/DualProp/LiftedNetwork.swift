// Lifted networks (Zach & Estellers 2019): the units of an MLP are free variables of a convex energy
//
//     E(z; x) = ½‖z₁ − W₀x − b₀‖² + Σ_{k=1}^{L−1} (γᵏ/2) ‖z_{k+1} − W_k z_k − b_k‖² ,  z_k ∈ C_k
//
// minimised by coordinate descent (one unit at a time, closed form; the C kernel
// `ck_lifted_coordinate_descent`), free or with the output
// clamped to the one-hot target. The weights and biases are those of an MLP `Sequential`
// (`Sequential.mlp`, loss `.leastSquares`): C_k is ℝ≥0 for ReLU, [0,1] for the hard sigmoid, ℝ for
// the identity; the output layer is linear.

/// The convex set `C_k` a lifted unit lives in (its activation is the projection onto it).
public enum LiftedConstraint: Sendable, Hashable {
    /// `ℝ` (linear units).
    case linear
    /// `ℝ≥0` (ReLU).
    case nonNegative
    /// `[0, 1]` (hard sigmoid).
    case unitInterval

    /// The set matching an activation; nil for activations that are not a projection.
    public init?(_ activation: Activation) {
        switch activation {
        case .identity: self = .linear
        case .relu: self = .nonNegative
        case .hardSigmoid: self = .unitInterval
        default: return nil
        }
    }

    /// The Euclidean projection onto the set.
    @inline(__always) func project(_ t: Float) -> Float {
        switch self {
        case .linear: return t
        case .nonNegative: return max(t, 0)
        case .unitInterval: return min(max(t, 0), 1)
        }
    }

    /// The kernel library's name for the set.
    var unitSet: LiftedDescent.UnitSet {
        switch self {
        case .linear: return .linear
        case .nonNegative: return .nonNegative
        case .unitInterval: return .unitInterval
        }
    }

    /// Whether `z` lies in the interior of the set (the unit behaves linearly there).
    @inline(__always) public func isLinearRegime(_ z: Float) -> Bool {
        switch self {
        case .linear: return true
        case .nonNegative: return z > 0
        case .unitInterval: return z > 0 && z < 1
        }
    }
}

/// The unit states of a batch after lifted inference: `z[k]` and the residuals
/// `λ[k] = z_{k+1} − W_k z_k − b_k` (0-based: `z[k]` is the paper's `z_{k+1}`), each `[B, n]`.
public struct LiftedStates: Sendable {
    /// Unit values per layer, hidden layers first, the output layer last.
    public var z: [Tensor]
    /// Residuals `λ` per layer (the dual variables of Zach & Estellers 2019 Eq. 12).
    public var residual: [Tensor]
}

/// Energy, inference and gradients of the lifted view of an MLP.
public struct LiftedNetwork: Sendable {
    /// The feedback weight γ (> 0).
    public let gamma: Float
    /// Layer widths, input first.
    public let widths: [Int]
    /// The constraint set of each non-input layer (the output layer is `.linear`).
    public let constraints: [LiftedConstraint]
    /// `W_k` `[n_k, n_{k+1}]` (row j: the outgoing weights of unit j) and `b_k` `[n_{k+1}]`.
    let weightTensors: [Tensor], biasTensors: [Tensor]

    /// The lifted view of `network`, an MLP of `Linear` blocks whose hidden activations are
    /// identity, ReLU or hard sigmoid.
    public init(_ network: Sequential, gamma: Float) {
        precondition(gamma > 0 && gamma.isFinite, "LiftedNetwork: gamma must be finite and > 0, got \(gamma)")
        var constraints: [LiftedConstraint] = [], widths: [Int] = []
        for (k, b) in network.blocks.enumerated() {
            guard case .linear(let l) = network.layers[b.layer], !b.pool else {
                preconditionFailure("LiftedNetwork: block \(k) must be a Linear layer without pooling")
            }
            if k == 0 { widths.append(l.weight.shape[0]) }
            widths.append(l.weight.shape[1])
            let f = b.activation ?? .identity
            guard let c = LiftedConstraint(f) else {
                preconditionFailure("LiftedNetwork: block \(k) activation \(f) is not a projection (use identity, relu, hardSigmoid)")
            }
            constraints.append(c)
        }
        self.gamma = gamma; self.widths = widths; self.constraints = constraints
        weightTensors = network.parameters.map(\.weight); biasTensors = network.parameters.map(\.bias)
    }

    /// The number of weight layers `L`.
    public var depth: Int { weightTensors.count }

    /// The feed-forward states `z_{k+1} = Π_{C}(W_k z_k + b_k)` (the inference's starting point),
    /// with the output clamped to `target` (`[B, classes]`) when given.
    public func forwardStates(_ x: Tensor, target: Tensor? = nil) throws -> LiftedStates {
        precondition(x.rank == 2 && x.shape[1] == widths[0], "LiftedNetwork: input \(x.shape) must be [B, \(widths[0])]")
        var z: [Tensor] = [], residual: [Tensor] = []
        var s = x
        for k in 0..<depth {
            let a = try Dense.forward(s, weights: weightTensors[k], bias: biasTensors[k])
            var zk = a
            if k == depth - 1, let target {
                precondition(target.shape == a.shape, "LiftedNetwork: target \(target.shape) must be \(a.shape)")
                zk = target
            } else {
                let c = constraints[k]
                zk.withUnsafeMutableBufferPointer { p in for i in 0..<p.count { p[i] = c.project(p[i]) } }
            }
            residual.append(subtract(zk, a)); z.append(zk); s = zk
        }
        return LiftedStates(z: z, residual: residual)
    }

    /// Minimises the free energy `E` (or, with `target`, the clamped `Ê`) by `sweeps` sweeps of
    /// coordinate descent from the feed-forward states. A sweep visits layers bottom-up and units in
    /// order; each update is the exact minimiser over one unit (a 1-D convex quadratic, projected):
    /// `z ← Π((a + γ w·λ_above + γ‖w‖² z)/(1 + γ‖w‖²))`, `a` the unit's input from below.
    public func infer(_ x: Tensor, target: Tensor? = nil, sweeps: Int) throws -> LiftedStates {
        precondition(sweeps >= 0, "LiftedNetwork.infer: sweeps must be ≥ 0, got \(sweeps)")
        var st = try forwardStates(x, target: target)
        try LiftedDescent.minimize(weights: Array(weightTensors.dropFirst()), sets: constraints.dropLast().map(\.unitSet),
                                   z: &st.z, residual: &st.residual, outputClamped: target != nil,
                                   gamma: gamma, sweeps: sweeps)
        return st
    }

    /// The energy per example: `½‖λ₀‖² + Σ_{k≥1} (γᵏ/2)‖λ_k‖²` (free or clamped, depending on how
    /// the states were inferred), in double.
    public func energy(_ st: LiftedStates) -> [Double] {
        let batch = st.z[0].shape[0]
        var out = [Double](repeating: 0, count: batch)
        var weight = 0.5
        for k in 0..<depth {
            let n = widths[k + 1]
            st.residual[k].withUnsafeBufferPointer { rp in
                for e in 0..<batch {
                    var s = 0.0
                    for j in 0..<n { let r = Double(rp[e * n + j]); s += r * r }
                    out[e] += weight * s
                }
            }
            weight *= Double(gamma)
        }
        return out
    }

    /// `∂/∂W_k` of the mean energy at fixed states, times `scale`: `−γᵏ λ_k ⊗ z_k` (Zach & Estellers 2019 Eq. 19).
    /// With `layerwise`, layer k's term is divided by its own `γᵏ` instead (each layer's weights
    /// fit its own residual with weight 1; `scale` is then ignored).
    public func energyGradients(input x: Tensor, _ st: LiftedStates, scale: Float, layerwise: Bool = false) throws -> Gradients {
        var gk = -(layerwise ? 1 : scale) / Float(x.shape[0])
        var weights: [Tensor] = [], biases: [Tensor] = []
        for k in 0..<depth {
            let (w, b) = try Dense.backwardWeights(k == 0 ? x : st.z[k - 1], scaled(st.residual[k], gk))
            weights.append(w); biases.append(b)
            if !layerwise { gk *= gamma }
        }
        return Gradients(weights: weights, biases: biases)
    }

    /// Per hidden layer, the fraction of units (over the batch) inside their constraint set's interior.
    public func linearFractions(_ st: LiftedStates) -> [Double] {
        (0..<(depth - 1)).map { k in
            let c = constraints[k]
            return st.z[k].withUnsafeBufferPointer { p in
                Double(p.reduce(0) { $0 + (c.isLinearRegime($1) ? 1 : 0) }) / Double(max(p.count, 1))
            }
        }
    }
}

/// Training rules for lifted networks (Zach & Estellers 2019): contrastive (`J₁ = Ê(ẑ) − E(ž)`) or standard
/// (`J₀ = Ê(ẑ)`). Gradients are divided by `γ^{L−1}` so that one learning rate fits BP and both rules
/// (the paper's `η_contr = η_BP / γ^{L−1}`). The network must use the `.leastSquares` loss.
public struct LiftedTraining: LearningRule {
    /// Which objective.
    public enum Objective: String, Sendable, CaseIterable {
        /// `J₁`: clamped minus free energy (Zach & Estellers 2019 §3).
        case contrastive
        /// `J₀`: the clamped energy alone (the standard lifted baseline).
        case standard
    }
    /// The objective.
    public let objective: Objective
    /// Feedback weight γ.
    public let gamma: Float
    /// Coordinate-descent sweeps per inference.
    public let sweeps: Int
    /// Divide layer k's gradient by `γᵏ` instead of `γ^{L−1}` (see `LiftedNetwork.energyGradients`).
    public let layerwise: Bool

    /// `lifted-contrastive` or `lifted-standard`.
    public var name: String { "lifted-\(objective.rawValue)" }

    /// A rule with the paper's defaults γ = 1/8 and 15 sweeps.
    /// `layerwise` is for the standard objective, whose gradient on inactive lower-layer units is
    /// O(1) rather than O(γ^{L−1}): dividing it by γ^{L−1} makes SGD diverge at η = 1/20.
    public init(_ objective: Objective, gamma: Float = 0.125, sweeps: Int = 15, layerwise: Bool = false) {
        precondition(gamma > 0 && sweeps >= 0, "LiftedTraining: need gamma > 0 and sweeps ≥ 0, got \(gamma), \(sweeps)")
        self.objective = objective; self.gamma = gamma; self.sweeps = sweeps; self.layerwise = layerwise
    }

    /// Gradients of `J/γ^{L−1}` (batch mean). Loss and accuracy are those of the free solution for
    /// the contrastive rule (it is computed anyway) and of the plain forward pass for the standard one.
    public func step(_ network: Sequential, input: Tensor, labels: [Int32]) throws -> StepResult {
        precondition(network.loss == .leastSquares, "LiftedTraining: the network's loss must be .leastSquares")
        let lifted = LiftedNetwork(network, gamma: gamma)
        let target = oneHot(labels, classes: lifted.widths.last!)
        let scale = 1 / Float(pow(Double(gamma), Double(lifted.depth - 1)))
        let clamped = try lifted.infer(input, target: target, sweeps: sweeps)
        var g = try lifted.energyGradients(input: input, clamped, scale: scale, layerwise: layerwise)
        let outputs: Tensor
        if objective == .contrastive {
            let free = try lifted.infer(input, sweeps: sweeps)
            let gf = try lifted.energyGradients(input: input, free, scale: scale, layerwise: layerwise)
            for k in g.weights.indices {
                g.weights[k] = subtract(g.weights[k], gf.weights[k]); g.biases[k] = subtract(g.biases[k], gf.biases[k])
            }
            outputs = free.z.last!
        } else {
            outputs = try network.forward(input)
        }
        let out = try OutputError(.leastSquares, logits: outputs, labels: labels, scale: 1)
        return StepResult(gradients: g, loss: out.meanLoss, correct: out.correct, count: labels.count)
    }
}

#if canImport(Glibc)
import Glibc
#endif
