import DualPropData

/// Dual propagation, the adjoint variant DP⊤ ("dpT"): `s⁺ = f(a + ᾱv)`, `s⁻ = f(a − αv)`,
/// output nudged with the frozen logits of the forward pass, gradients `−(1/βB) Σ δ_k s̄_{k−1}ᵀ`.
public struct AdjointDualPropagation: LearningRule {
    /// `dpT`.
    public var name: String { "dpT" }
    /// The engine's settings.
    let settings: DualSettings

    /// DP⊤ with weight `alpha` ∈ [0, 1] of `s⁺` in `s̄`, nudging strength `beta` > 0 and a schedule.
    public init(alpha: Float, beta: Float, schedule: InferenceSchedule = .sweep) {
        settings = DualSettings(variant: .dpT, alpha: alpha, beta: beta, schedule: schedule, damping: .none)
    }

    /// DP⊤ gradients.
    public func step(_ network: Sequential, input: Tensor, labels: [Int32]) throws -> StepResult {
        try step(network, input: input, labels: labels, ready: { _, _, _ in })
    }

    /// DP⊤ gradients, each block's handed to `ready` as the final weight-gradient pass reaches it
    /// (top block first; the inference before it must finish first).
    public func step(_ network: Sequential, input: Tensor, labels: [Int32],
                     ready: (Int, Tensor, Tensor) throws -> Void) throws -> StepResult {
        var engine = try DualEngine(network, settings, input: input, labels: labels)
        return try engine.run(ready: ready)
    }
}

/// Dual propagation, the original DP ("dp"): `s⁺ = f(a + αv)`, `s⁻ = f(a − ᾱv)`, the
/// output nudged at the current output (exact prox for least squares), optional damping (§5.1).
public struct DualPropagation: LearningRule {
    /// `dp`.
    public var name: String { "dp" }
    /// The engine's settings.
    let settings: DualSettings

    /// DP with weight `alpha` ∈ [0, 1], nudging strength `beta` > 0, a schedule and damping.
    public init(alpha: Float, beta: Float, schedule: InferenceSchedule = .sweep, damping: Damping = .none) {
        settings = DualSettings(variant: .dp, alpha: alpha, beta: beta, schedule: schedule, damping: damping)
    }

    /// DP gradients.
    public func step(_ network: Sequential, input: Tensor, labels: [Int32]) throws -> StepResult {
        try step(network, input: input, labels: labels, ready: { _, _, _ in })
    }

    /// DP gradients, each block's handed to `ready` as the final weight-gradient pass reaches it
    /// (top block first; the inference before it must finish first).
    public func step(_ network: Sequential, input: Tensor, labels: [Int32],
                     ready: (Int, Tensor, Tensor) throws -> Void) throws -> StepResult {
        var engine = try DualEngine(network, settings, input: input, labels: labels)
        return try engine.run(ready: ready)
    }
}

struct DualSettings: Sendable {
    let variant: NudgeRule
    let alpha: Float
    let beta: Float
    let schedule: InferenceSchedule
    let damping: Damping

    init(variant: NudgeRule, alpha: Float, beta: Float, schedule: InferenceSchedule, damping: Damping) {
        precondition(alpha >= 0 && alpha <= 1, "dual propagation: alpha must be in [0, 1], got \(alpha)")
        precondition(beta > 0 && beta.isFinite, "dual propagation: beta must be finite and > 0, got \(beta)")
        switch schedule {
        case .sweep: break
        case .forwardPasses(let k): precondition(k >= 1, "dual propagation: forward passes K must be ≥ 1, got \(k)")
        case .repeatedSweeps(let r): precondition(r >= 0, "dual propagation: repeated sweeps must be ≥ 0, got \(r)")
        }
        if case .powerIteration(let n, _) = damping {
            precondition(n >= 1, "dual propagation: power iterations must be ≥ 1, got \(n)")
        }
        self.variant = variant; self.alpha = alpha; self.beta = beta; self.schedule = schedule; self.damping = damping
    }
}

/// The state of one DP/DP⊤ inference on a batch. Blocks are 0-based: block `k`'s units are the
/// the papers' layer `k+1`; hidden blocks are `0..<L−1`, the output block is `L−1`. Version counters
/// record which inputs each update saw, so that an update whose inputs have not changed is skipped.
struct DualEngine {
    let net: Sequential
    let s: DualSettings
    let x: Tensor
    let labels: [Int32]
    let L: Int
    /// `a_k` (pooled pre-activation), computed from the `s̄_{k−1}` of version `preFrom[k]`.
    var pre: [Tensor] = []
    var switches: [PoolSwitches?] = []
    var prePoolShape: [[Int]] = []
    var preFrom: [Int] = []
    var preVersion: [Int] = []
    /// States of every block (the output block's `mean` is unused). A hidden block's `minus` is
    /// kept current only when damped (its old value enters the damped update) or `keepsMinus`;
    /// otherwise undamped nudges write `δ` directly and leave `minus` at the forward state. In a
    /// single undamped sweep (no revisits, not `keepsMinus`) `plus` is left at the forward state
    /// too: nothing reads a block's `s⁺` after its nudge.
    var plus: [Tensor] = [], minus: [Tensor] = [], mean: [Tensor] = []
    /// Whether undamped nudges also store `s⁻` (for inspection; the rules do not need it).
    var keepsMinus = false
    /// `δ_k = s⁺_k − s⁻_k`; nil while no signal has reached block k (δ = 0).
    var delta: [Tensor?] = []
    var meanVersion: [Int] = [], plusVersion: [Int] = [], deltaVersion: [Int] = []
    /// Whether `plus[k]` is the very tensor `mean[k]` (so `conv_{k+1}(s⁺_k)` is already known).
    var plusIsMean: [Bool] = []
    /// The `(preVersion[k], deltaVersion[k+1], plusVersion[k])` a hidden update last saw.
    var lastSeen: [[Int]] = []
    var damping: [Float] = []
    /// The forward pass's `s_k` and, for pooled 3x3 convolution blocks, its map before pooling
    /// `conv_k(s_{k−1}) + b`: from them the weight gradient finds the switches of `conv_k(s̄_{k−1})`
    /// without a full convolution (`refreshSwitches`).
    var forwardState: [Tensor] = []
    var forwardPrePool: [Tensor?] = []
    /// Logits of the forward pass `p`, and its loss/accuracy.
    var frozenLogits = Tensor(shape: [0])
    var forwardOutput: OutputError

    init(_ net: Sequential, _ s: DualSettings, input: Tensor, labels: [Int32]) throws {
        for b in net.blocks {
            if case .bregmanDense = net.layers[b.layer] {
                preconditionFailure("dual propagation: BregmanDense blocks are trained with BP only")
            }
        }
        self.net = net; self.s = s; self.x = input; self.labels = labels; L = net.depth
        // Forward pass: s⁺ = s⁻ = s̄ = s.
        var state = input
        for k in 0..<L {
            if k < L - 1, let f = try net.fusedConvReLU(k, state, keepPreActivation: true), let a = f.pre {
                // conv + ReLU in one pass, as BP's forward (bitwise the two steps below)
                pre.append(a); switches.append(nil); prePoolShape.append(a.shape); forwardPrePool.append(nil)
                preFrom.append(0); preVersion.append(0)
                state = f.output
                plus.append(state); minus.append(state); mean.append(state); delta.append(nil)
                continue
            }
            let (a, sw, z) = try net.preActivationAndPrePool(k, state)
            pre.append(a); switches.append(sw); prePoolShape.append(z.shape)
            forwardPrePool.append(net.blocks[k].pool && net.sameConv3x3(k) != nil ? z : nil)
            preFrom.append(0); preVersion.append(0)
            state = k < L - 1 ? try net.blocks[k].activation.map { try $0(a) } ?? a : a
            plus.append(state); minus.append(state); mean.append(state); delta.append(nil)
        }
        forwardState = mean
        meanVersion = Array(repeating: 0, count: L); plusVersion = meanVersion; deltaVersion = meanVersion
        plusIsMean = Array(repeating: true, count: L)
        lastSeen = (0..<L).map { _ in [0, 0, 0] }
        frozenLogits = pre[L - 1]
        forwardOutput = try OutputError(net.loss, logits: frozenLogits, labels: labels, scale: 1 / Float(labels.count))
        if case .powerIteration(let n, let byAsymmetry) = s.damping {
            damping = try (0..<(L - 1)).map { k in
                let gamma = try operatorNorm(block: k + 1, inputShape: [1] + plus[k].shape.dropFirst(), iterations: n)
                let l = max(0, (gamma * gamma - 1) / 2)
                return byAsymmetry ? l * abs(1 - 2 * s.alpha) : l
            }
        }
    }

    /// The input state of block `k`: `x` or `s̄_{k−1}`.
    func input(_ k: Int) -> Tensor { k == 0 ? x : mean[k - 1] }
    func inputVersion(_ k: Int) -> Int { k == 0 ? 0 : meanVersion[k - 1] }

    /// Recompute `a_k` if `s̄_{k−1}` changed since; returns whether it was recomputed.
    @discardableResult
    mutating func refreshPre(_ k: Int) throws -> Bool {
        guard preFrom[k] != inputVersion(k) else { return false }
        let (a, sw, shape) = try net.preActivation(k, input(k))
        pre[k] = a; switches[k] = sw; prePoolShape[k] = shape
        preFrom[k] = inputVersion(k); preVersion[k] += 1
        return true
    }

    /// Bring `switches[k]` up to date with `s̄_{k−1}` for the weight gradient, which needs only
    /// the switches: from the forward pass's when block `k` is a pooled 3x3 convolution still at
    /// its forward pre-activation (`MaxPool2d.switchesAfterInputChange` recomputes only windows
    /// whose winner the change could move), else by recomputing the pre-activation. `pre[k]` is
    /// left behind: call this only once no update reads it again.
    mutating func refreshSwitches(_ k: Int) throws {
        guard preFrom[k] != inputVersion(k) else { return }
        if k > 0, preFrom[k] == 0, let z = forwardPrePool[k], let c = net.sameConv3x3(k), let sw = switches[k] {
            // A recomputed pair costs 4·9·C float64 products over strided weights; the full
            // convolution does as many per pair at GEMM speed, ~100× faster: past 1%, it wins.
            let r = try PoolKernels.switchesAfterInputChange(
                weights: c.weight, bias: c.bias, newInput: mean[k - 1], oldInput: forwardState[k - 1], oldOutput: z,
                oldSwitches: sw, maxRecompute: sw.positions.count / 100)
            if let updated = r.switches {
                switches[k] = updated
                return
            }
        }
        try refreshPre(k)
    }

    /// `v_k = W_{k+1}ᵀ pool_{k+1}ᵀ δ_{k+1}`, routed by the switches of `conv_{k+1}(s⁺_k)`.
    func feedback(_ k: Int) throws -> Tensor {
        var sw = switches[k + 1], shape = prePoolShape[k + 1]
        if net.blocks[k + 1].pool && !(plusIsMean[k] && preFrom[k + 1] == meanVersion[k]) {
            let r = try net.preActivation(k + 1, plus[k])
            sw = r.switches; shape = r.prePoolShape
        }
        guard let d = delta[k + 1] else { return Tensor(shape: plus[k].shape) }
        let dz = try net.unpool(k + 1, d, switches: sw, prePoolShape: shape)
        return try net.linearTranspose(k + 1, dz, inputShape: plus[k].shape)
    }

    /// Nudge hidden block `k` unless none of its inputs changed since its last update.
    mutating func nudge(_ k: Int) throws {
        // s⁺_k matters to its own update only through the switches of a pooled block above.
        let seen = [preVersion[k], deltaVersion[k + 1], net.blocks[k + 1].pool ? plusVersion[k] : 0]
        if seen == lastSeen[k] && damping.isEmpty { return }
        let v = try feedback(k)
        let f = net.blocks[k].activation ?? .identity
        let oldMean = meanUnchangedIsPossible ? mean[k] : Tensor(shape: [0])
        let oldPlus = revisits ? plus[k] : Tensor(shape: [0])
        // DP⊤ at α ∈ {0, 1}: s̄ = f(a ∓ 0·v) is compared with the s̄ held, not written; usually the
        // same tensor comes back, and the comparison below is then free.
        let reusesMean = meanUnchangedIsPossible && s.variant == .dpT
        let storesPlus = revisits || keepsMinus
        if damping.isEmpty && !storesPlus {
            // A single sweep never reads s⁺_k again (feedback(k), routed by its switches, ran
            // before this nudge): one fused pass writes only s̄ and δ (see `plus`).
            let st = try Nudge.meanAndDelta(f, rule: s.variant, alpha: s.alpha, preActivation: pre[k], feedback: v,
                                            previousMean: reusesMean ? mean[k] : nil)
            mean[k] = st.mean; delta[k] = st.delta
        } else if damping.isEmpty {
            // One fused pass writes s⁺, s̄ and δ; s⁻ is not needed again (see `minus`).
            let st = try Nudge.hiddenWithDelta(f, rule: s.variant, alpha: s.alpha, preActivation: pre[k], feedback: v,
                                               previousMean: reusesMean ? mean[k] : nil, keepMinus: keepsMinus)
            plus[k] = st.plus; mean[k] = st.mean; delta[k] = st.delta
            if let m = st.minus { minus[k] = m }
        } else {
            // The arrays let go of s⁻ and s̄ so the kernel updates them in place (`oldPlus` and
            // `oldMean` keep s⁺ and s̄ alive only where they are compared below).
            var st = NudgedStates(plus: plus[k], minus: minus[k], mean: mean[k])
            minus[k] = Tensor(shape: [0]); mean[k] = Tensor(shape: [0])
            try Nudge.hiddenDamped(f, rule: s.variant, alpha: s.alpha, damping: damping[k],
                                   preActivation: pre[k], feedback: v, states: &st)
            plus[k] = st.plus; minus[k] = st.minus; mean[k] = st.mean
            delta[k] = subtract(plus[k], minus[k])
        }
        // For α ∈ {0, 1} s̄ is f(a) again; when it is bitwise unchanged the layer above
        // keeps its pre-activation and pool switches (no convolution is recomputed). A version
        // bump without comparing is always safe (it only forgoes a skip): in one sweep only a
        // pooled block above ever looks at s̄_k's version again (its gradient's switches).
        let meanIsCompared = meanUnchangedIsPossible && (revisits || net.blocks[k + 1].pool)
        if !(meanIsCompared && mean[k].isBitwiseEqual(to: oldMean)) { meanVersion[k] += 1 }
        // A changed s⁺_k may move the switches its next feedback is routed by: record the
        // versions this update saw, so that the next pass repeats it until s⁺_k stops changing.
        if !(revisits && plus[k].isBitwiseEqual(to: oldPlus)) { plusVersion[k] += 1 }
        deltaVersion[k] += 1
        plusIsMean[k] = s.alpha == 1 && (storesPlus || !damping.isEmpty)  // false: plus[k] not stored
        lastSeen[k] = seen
    }

    /// Nudge the output block at its current pre-activation.
    mutating func nudgeOutput() throws {
        let o = L - 1
        switch net.loss {
        case .softmaxCrossEntropy:
            // DP⊤'s g uses the frozen logits: after the first nudge δ_L no longer changes.
            let deltaIsFixed = s.variant == .dpT && deltaVersion[o] > 0
            let r = try Nudge.outputCrossEntropy(rule: s.variant, alpha: s.alpha, beta: s.beta,
                                                 frozenLogits: s.variant == .dpT ? frozenLogits : nil,
                                                 logits: pre[o], labels: labels)
            plus[o] = r.plus; minus[o] = r.minus
            if deltaIsFixed { return }
            delta[o] = scaled(r.g, -1)
        case .leastSquares:
            let r = try Nudge.outputLeastSquares(rule: s.variant, alpha: s.alpha, beta: s.beta, output: pre[o],
                                                 target: oneHot(labels, classes: pre[o].shape[1]))
            plus[o] = r.plus; minus[o] = r.minus; delta[o] = subtract(r.plus, r.minus)
        }
        deltaVersion[o] += 1
    }

    mutating func downSweep() throws {
        for k in stride(from: L - 2, through: 0, by: -1) { try nudge(k) }
    }

    /// Bottom-up: refresh every pre-activation from the `s̄` below, re-nudge hidden blocks from
    /// `startHidden` on, then the output.
    mutating func upSweep(startHidden: Int) throws {
        for k in 0..<L {
            let changed = try refreshPre(k)
            if k < L - 1 {
                if k >= startHidden { try nudge(k) }
            } else if changed {
                try nudgeOutput()
            }
        }
    }

    mutating func run(ready: (Int, Tensor, Tensor) throws -> Void = { _, _, _ in }) throws -> StepResult {
        try nudgeOutput()
        switch s.schedule {
        case .sweep:
            try downSweep()
        case .forwardPasses(let passes):
            for _ in 0..<passes { try upSweep(startHidden: 0) }
        case .repeatedSweeps(let rounds):
            for _ in 0..<rounds {
                try downSweep()
                try upSweep(startHidden: 1)
            }
            try downSweep()
        }
        return StepResult(gradients: try gradients(ready: ready), loss: forwardOutput.meanLoss,
                          correct: forwardOutput.correct, count: labels.count)
    }

    /// `∇W_k = −(1/βB) Σ pool_kᵀ(δ_k) ⊗ s̄_{k−1}`, routed by the switches of `conv_k(s̄_{k−1})`.
    /// Blocks are independent here (each reads only its own switches and the final `s̄`), so
    /// they go top first: the order in which `ready` lets a caller start sending them.
    mutating func gradients(ready: (Int, Tensor, Tensor) throws -> Void) throws -> Gradients {
        let scale = -1 / (s.beta * Float(labels.count))
        var weights = [Tensor](repeating: Tensor(shape: [0]), count: L), biases = weights
        let parameters = net.parameters
        for k in stride(from: L - 1, through: 0, by: -1) {
            if net.blocks[k].pool { try refreshSwitches(k) }
            let d = delta[k] ?? Tensor(shape: pre[k].shape)
            // The scale −1/(βB) goes on whichever is smaller: δ or the weight gradient.
            let scaleSignal = d.count <= parameters[k].weight.count
            let dz = try net.unpool(k, scaleSignal ? scaled(d, scale) : d, switches: switches[k],
                                    prePoolShape: prePoolShape[k])
            let (w, b) = try net.linearGradient(k, input: input(k), dz)
            weights[k] = scaleSignal ? w : scaled(w, scale); biases[k] = scaleSignal ? b : scaled(b, scale)
            try ready(k, weights[k], biases[k])
        }
        return Gradients(weights: weights, biases: biases)
    }

    /// Whether the schedule updates a block more than once (a version seen by a later pass matters).
    var revisits: Bool {
        if case .sweep = s.schedule { return false }
        return true
    }

    /// Whether a nudge can leave `s̄` bitwise unchanged (α ∈ {0, 1}, undamped): then it is compared.
    var meanUnchangedIsPossible: Bool { damping.isEmpty && (s.alpha == 0 || s.alpha == 1) }

    /// `‖W‖₂` of block `k`'s linear operator (no bias, no pooling) by power iteration on `WᵀW`
    /// from a fixed start vector of one example of shape `inputShape`.
    func operatorNorm(block k: Int, inputShape: [Int], iterations: Int) throws -> Float {
        var rng = SplitMix64(seed: 0x5eed_0000 + UInt64(k))
        var u = Tensor(shape: inputShape) { _ in rng.normal() }
        var norm: Float = 0
        for _ in 0..<iterations {
            let n = Float(dotAndNorms(u, u).aa.squareRoot())
            guard n > 0 else { return 0 }
            u = scaled(u, 1 / n)
            let z = try net.linearWithoutBias(k, u)
            norm = Float(dotAndNorms(z, z).aa.squareRoot())
            u = try net.linearTranspose(k, z, inputShape: inputShape)
        }
        return norm
    }
}
