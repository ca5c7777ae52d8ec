import DualPropKernels

extension Sequential {
    /// Block `k`'s pre-activation and output from one convolution with its ReLU fused
    /// (`ConvKernels.forwardReLU`), when block `k` is a convolution followed by ReLU
    /// without pooling; nil otherwise (the caller then runs `preActivation` and `activate`). The
    /// results equal those two steps' (the fused ReLU keeps NaN like `Activation.relu`).
    func fusedConvReLU(_ k: Int, _ x: Tensor, keepPreActivation: Bool) throws -> (pre: Tensor?, output: Tensor)? {
        guard !blocks[k].pool, blocks[k].activation == .relu, case .conv2d(let c) = layers[blocks[k].layer] else { return nil }
        let r = try ConvKernels.forwardReLU(x, weights: c.weight, bias: c.bias, geometry: c.geometry,
                                                       keepPreActivation: keepPreActivation)
        return (r.preActivation, r.output)
    }
}
