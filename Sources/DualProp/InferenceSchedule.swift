/// Who updates when during DP/DP⊤ inference.
public enum InferenceSchedule: Sendable, Hashable {
    /// One top-down sweep after the forward pass (default; costs about one BP step). Exact for
    /// α ∈ {0, 1} on dense layers.
    case sweep
    /// The initial forward pass and then `K` forward-only passes over blocks 1…L (the VGG16
    /// setting of Høier & Zach 2024 §6.2: K = 16). A unit uses the fresh `s̄` below it and the `δ` left above
    /// it by the previous pass; units whose inputs have not changed are skipped (exact).
    case forwardPasses(Int)
    /// `R` rounds of {top-down sweep, bottom-up sweep re-computing pre-activations and re-nudging
    /// the output}, then one final top-down sweep. For a 2-hidden-layer MLP this is exactly the
    /// authors' "MLP rounds" (R = 5 for DP⊤, 15 for damped DP).
    case repeatedSweeps(Int)
}

/// Damping of the original DP's fixed-point updates.
public enum Damping: Sendable, Hashable {
    /// Plain updates `s± = f(a ± c·v)`.
    case none
    /// `s± ← f((a ± c·v + L_k s±_old)/(1 + L_k))`, `L_k = max(0, (γ_k² − 1)/2)` with `γ_k ≈ ‖W_k‖₂`
    /// from `iterations` power iterations of `W_kᵀW_k`; `scaledByAsymmetry` multiplies `L_k` by
    /// `|1 − 2α|` (the authors' MLP experiments, zero at α = ½).
    case powerIteration(iterations: Int, scaledByAsymmetry: Bool)
}
