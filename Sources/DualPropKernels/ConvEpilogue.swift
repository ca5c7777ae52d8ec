internal import CKernels

extension ConvKernels {
    /// Forward with the ReLU fused into the convolution's output: `z = conv(x, weights) + bias`,
    /// returns `relu(z)` and, when `keepPreActivation`, `z` too. Where the Winograd path runs
    /// (`Runtime.convAlgorithm`), both are written by its output transform in one pass; elsewhere
    /// the ReLU is a pass after the convolution. Bit for bit the same as `forward` followed by
    /// `Activation.relu` (NaN kept).
    /// - Returns: `(preActivation, output)`, `preActivation` nil unless requested; both `[N, P, Q, K]`.
    public static func forwardReLU(_ x: Tensor, weights: Tensor, bias: Tensor? = nil, geometry: Geometry = .same3x3,
                                   keepPreActivation: Bool = false) throws -> (preActivation: Tensor?, output: Tensor) {
        var p = params(input: x.shape, weights: weights.shape, geometry, "Conv2d.forwardReLU")
        if let bias { precondition(bias.shape == [weights.shape[3]], "Conv2d.forwardReLU: bias must be [\(weights.shape[3])], got \(bias.shape)") }
        let shape = try outputShape(input: x.shape, weights: weights.shape, geometry: geometry)
        var y = Tensor(unfilledShape: shape)
        var z = Tensor(unfilledShape: keepPreActivation ? shape : [0])
        try x.withUnsafeBufferPointer { xp in
            try weights.withUnsafeBufferPointer { wp in
                try y.withUnsafeMutableBufferPointer { yp in
                    try z.withUnsafeMutableBufferPointer { zp in
                        var ep = ck_conv2d_epilogue(relu: true, pre_activation: keepPreActivation ? zp.baseAddress : nil)
                        let status: ck_status
                        if let bias {
                            status = bias.withUnsafeBufferPointer {
                                ck_conv2d_fwd_epilogue(&p, xp.baseAddress, wp.baseAddress, $0.baseAddress, &ep, yp.baseAddress, nil, 0)
                            }
                        } else {
                            status = ck_conv2d_fwd_epilogue(&p, xp.baseAddress, wp.baseAddress, nil, &ep, yp.baseAddress, nil, 0)
                        }
                        try check(status, "Conv2d.forwardReLU(x: \(x.shape), weights: \(weights.shape))")
                    }
                }
            }
        }
        return (keepPreActivation ? z : nil, y)
    }
}
