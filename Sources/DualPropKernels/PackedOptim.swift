internal import CKernels

extension Optim {
    /// SGD with momentum and weight decay (`sgdStep`'s formula) over a packed parameter store in
    /// one threaded pass (`ck_sgd_momentum_step_packed`): tensor `i` has `counts[i]` elements at
    /// `offsets[i]` (a multiple of 64) of `weights` and `velocity`, and its gradient at
    /// `gradients[i]`. Each element's result is bitwise `sgdStep`'s on its tensor alone, at any
    /// thread count. Package-internal: `ParameterStore` checks the layout before it calls this.
    package static func sgdStepPacked(offsets: [Int64], counts: [Int64], gradients: [UnsafePointer<Float>?],
                                      weights: UnsafeMutablePointer<Float>, velocity: UnsafeMutablePointer<Float>,
                                      learningRate: Float, momentum: Float, weightDecay: Float) throws {
        precondition(offsets.count == counts.count && offsets.count == gradients.count,
                     "Optim.sgdStepPacked: \(offsets.count) offsets, \(counts.count) counts, \(gradients.count) gradients")
        try offsets.withUnsafeBufferPointer { o in
            try counts.withUnsafeBufferPointer { c in
                try gradients.withUnsafeBufferPointer { g in
                    try check(ck_sgd_momentum_step_packed(Int64(o.count), o.baseAddress, c.baseAddress, learningRate, momentum,
                                                          weightDecay, weights, g.baseAddress, velocity),
                              "Optim.sgdStepPacked(\(o.count) tensors)")
                }
            }
        }
    }
}

extension Optim {
    /// Adam (`adamStep`'s formula, step `t ≥ 1`) over a packed parameter store in one threaded
    /// pass (`ck_adam_step_packed`), with the layout of `sgdStepPacked`: `m` and `v` hold the
    /// moments at the parameters' offsets. Each element's result is bitwise `adamStep`'s on its
    /// tensor alone, at any thread count. Package-internal, as `sgdStepPacked`.
    package static func adamStepPacked(offsets: [Int64], counts: [Int64], gradients: [UnsafePointer<Float>?],
                                       weights: UnsafeMutablePointer<Float>, m: UnsafeMutablePointer<Float>,
                                       v: UnsafeMutablePointer<Float>, step t: Int, learningRate: Float, beta1: Float,
                                       beta2: Float, epsilon: Float, weightDecay: Float) throws {
        precondition(offsets.count == counts.count && offsets.count == gradients.count,
                     "Optim.adamStepPacked: \(offsets.count) offsets, \(counts.count) counts, \(gradients.count) gradients")
        try offsets.withUnsafeBufferPointer { o in
            try counts.withUnsafeBufferPointer { c in
                try gradients.withUnsafeBufferPointer { g in
                    try check(ck_adam_step_packed(Int64(o.count), o.baseAddress, c.baseAddress, learningRate, beta1, beta2,
                                                  epsilon, weightDecay, Int64(t), weights, g.baseAddress, m, v),
                              "Optim.adamStepPacked(\(o.count) tensors, step \(t))")
                }
            }
        }
    }
}
