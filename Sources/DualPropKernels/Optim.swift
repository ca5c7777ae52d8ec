internal import CKernels

/// Fused optimizer updates (one pass over weights, gradient and state), with PyTorch's formulas.
public enum Optim {
    /// SGD with momentum and L2 weight decay, in place:
    /// `g' = g + wd·w; v = momentum·v + g'; w −= lr·v`. `velocity` starts at zero.
    public static func sgdStep(weights: inout Tensor, gradient: Tensor, velocity: inout Tensor,
                               learningRate: Float, momentum: Float, weightDecay: Float = 0) throws {
        precondition(weights.count == gradient.count && weights.count == velocity.count,
                     "Optim.sgdStep: weights \(weights.shape), gradient \(gradient.shape), velocity \(velocity.shape) differ")
        try gradient.withUnsafeBufferPointer { gp in
            try weights.withUnsafeMutableBufferPointer { wp in
                try velocity.withUnsafeMutableBufferPointer { vp in
                    try check(ck_sgd_momentum_step(Int64(wp.count), learningRate, momentum, weightDecay,
                                                   wp.baseAddress, gp.baseAddress, vp.baseAddress), "Optim.sgdStep")
                }
            }
        }
    }

    /// Adam step `t ≥ 1` in place: `g' = g + wd·w; m = β1·m + (1−β1)·g'; v = β2·v + (1−β2)·g'²;
    /// w −= lr · m̂ / (√v̂ + ε)` with bias-corrected `m̂ = m/(1−β1ᵗ)`, `v̂ = v/(1−β2ᵗ)`.
    public static func adamStep(weights: inout Tensor, gradient: Tensor, m: inout Tensor, v: inout Tensor,
                                step t: Int, learningRate: Float, beta1: Float = 0.9, beta2: Float = 0.999,
                                epsilon: Float = 1e-8, weightDecay: Float = 0) throws {
        precondition(weights.count == gradient.count && weights.count == m.count && weights.count == v.count,
                     "Optim.adamStep: weights \(weights.shape), gradient \(gradient.shape), m \(m.shape), v \(v.shape) differ")
        try gradient.withUnsafeBufferPointer { gp in
            try weights.withUnsafeMutableBufferPointer { wp in
                try m.withUnsafeMutableBufferPointer { mp in
                    try v.withUnsafeMutableBufferPointer { vp in
                        try check(ck_adam_step(Int64(wp.count), learningRate, beta1, beta2, epsilon, weightDecay, Int64(t),
                                               wp.baseAddress, gp.baseAddress, mp.baseAddress, vp.baseAddress), "Optim.adamStep")
                    }
                }
            }
        }
    }
}
