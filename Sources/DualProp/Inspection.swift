/// Package-level inspection of what the learning rules compute internally, for the package's own
/// tests ("for α ∈ {0,1}, s̄ equals the forward pass"). Not public API.

/// The states a DP/DP⊤ inference ends with, per block (block `k` = the papers' layer `k+1`; the last
/// block is the output, whose `mean` is unused by the rules).
package struct DualInferenceStates: Sendable {
    /// `s⁺_k`.
    package var plus: [Tensor]
    /// `s⁻_k`.
    package var minus: [Tensor]
    /// `s̄_k = α s⁺_k + ᾱ s⁻_k`.
    package var mean: [Tensor]
    /// `δ_k = s⁺_k − s⁻_k`.
    package var delta: [Tensor]
}

extension DualEngine {
    /// Run the configured schedule and return the final states instead of gradients.
    mutating func inferredStates() throws -> DualInferenceStates {
        keepsMinus = true
        _ = try run()
        return DualInferenceStates(plus: plus, minus: minus, mean: mean,
                                   delta: delta.enumerated().map { $1 ?? Tensor(shape: plus[$0].shape) })
    }
}

extension AdjointDualPropagation {
    /// The states DP⊤ infers on a batch (the same inference `step` runs).
    package func inferredStates(_ network: Sequential, input: Tensor, labels: [Int32]) throws -> DualInferenceStates {
        var engine = try DualEngine(network, settings, input: input, labels: labels)
        return try engine.inferredStates()
    }
}

extension DualPropagation {
    /// The states DP infers on a batch (the same inference `step` runs).
    package func inferredStates(_ network: Sequential, input: Tensor, labels: [Int32]) throws -> DualInferenceStates {
        var engine = try DualEngine(network, settings, input: input, labels: labels)
        return try engine.inferredStates()
    }
}

extension Sequential {
    /// The block outputs `s_1 … s_L` of a plain forward pass (the last is the logits).
    package func forwardStates(_ x: Tensor) throws -> [Tensor] {
        let t = try trace(x)
        return Array(t.inputs.dropFirst()) + [t.output]
    }
}
