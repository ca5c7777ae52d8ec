internal import CKernels

/// 2-D convolution over NHWC activations with RSCK (`[kernelH, kernelW, inChannels, outChannels]`)
/// weights, zero padding and cross-correlation semantics (as PyTorch's `Conv2d`).
///
/// Shapes: input `x` is `[N, H, W, C]`, weights `[R, S, C, K]`, bias `[K]`, output
/// `[N, P, Q, K]` with `P = (H + 2·padding − R) / stride + 1` (floor), `Q` likewise.
/// The library-managed workspace of the calling thread is used (no allocation in steady state).
/// A namespace of kernel calls; the layer with parameters is `DualProp.Conv2d`.
public enum ConvKernels {
    /// The geometry of one convolution: strides and zero padding, each given for height and width.
    public struct Geometry: Sendable, Equatable {
        /// Vertical and horizontal stride (≥ 1).
        public var stride: (h: Int, w: Int)
        /// Zero padding added on each side, vertically and horizontally (≥ 0, < kernel size).
        public var padding: (h: Int, w: Int)

        /// A geometry with the same stride and padding in both directions.
        public init(stride: Int = 1, padding: Int = 0) {
            self.stride = (stride, stride)
            self.padding = (padding, padding)
        }

        /// A geometry with separate vertical and horizontal stride and padding.
        public init(stride: (h: Int, w: Int), padding: (h: Int, w: Int)) {
            self.stride = stride
            self.padding = padding
        }

        /// Equal strides and paddings.
        public static func == (a: Geometry, b: Geometry) -> Bool {
            a.stride == b.stride && a.padding == b.padding
        }

        /// 3x3 "same" convolution: stride 1, padding 1.
        public static let same3x3 = Geometry(stride: 1, padding: 1)
    }

    static func params(input: [Int], weights: [Int], _ g: Geometry, _ context: String) -> ck_conv2d_params {
        precondition(input.count == 4, "\(context): input must be [N, H, W, C], got shape \(input)")
        precondition(weights.count == 4, "\(context): weights must be [R, S, C, K], got shape \(weights)")
        precondition(weights[2] == input[3],
                     "\(context): weights \(weights) expect \(weights[2]) input channels but the input \(input) has \(input[3])")
        return ck_conv2d_params(n: Int64(input[0]), h: Int64(input[1]), w: Int64(input[2]), c: Int64(input[3]),
                                k: Int64(weights[3]), r: Int64(weights[0]), s: Int64(weights[1]),
                                stride_h: Int64(g.stride.h), stride_w: Int64(g.stride.w),
                                pad_h: Int64(g.padding.h), pad_w: Int64(g.padding.w))
    }

    /// The output shape `[N, P, Q, K]` for an input of shape `input` and weights of shape `weights`.
    /// Throws `KernelError` when the geometry is invalid (e.g. the kernel does not fit the padded input).
    public static func outputShape(input: [Int], weights: [Int], geometry: Geometry) throws -> [Int] {
        var p = params(input: input, weights: weights, geometry, "ConvKernels.outputShape")
        var po: Int64 = 0, qo: Int64 = 0
        try check(ck_conv2d_output_size(&p, &po, &qo), "ConvKernels.outputShape(input: \(input), weights: \(weights))")
        return [input[0], Int(po), Int(qo), weights[3]]
    }

    /// Forward: `y = conv(x, weights) + bias`.
    /// - Parameters:
    ///   - x: input `[N, H, W, C]`.
    ///   - weights: `[R, S, C, K]`.
    ///   - bias: `[K]`, or `nil` for none.
    ///   - geometry: stride and padding.
    /// - Returns: `[N, P, Q, K]`.
    public static func forward(_ x: Tensor, weights: Tensor, bias: Tensor? = nil,
                               geometry: Geometry = .same3x3) throws -> Tensor {
        var p = params(input: x.shape, weights: weights.shape, geometry, "ConvKernels.forward")
        if let bias { precondition(bias.shape == [weights.shape[3]], "ConvKernels.forward: bias must be [\(weights.shape[3])], got \(bias.shape)") }
        var y = Tensor(unfilledShape: try outputShape(input: x.shape, weights: weights.shape, geometry: geometry))
        try x.withUnsafeBufferPointer { xp in
            try weights.withUnsafeBufferPointer { wp in
                try y.withUnsafeMutableBufferPointer { yp in
                    let status: ck_status
                    if let bias {
                        status = bias.withUnsafeBufferPointer {
                            ck_conv2d_fwd(&p, xp.baseAddress, wp.baseAddress, $0.baseAddress, yp.baseAddress, nil, 0)
                        }
                    } else {
                        status = ck_conv2d_fwd(&p, xp.baseAddress, wp.baseAddress, nil, yp.baseAddress, nil, 0)
                    }
                    try check(status, "ConvKernels.forward(x: \(x.shape), weights: \(weights.shape))")
                }
            }
        }
        return y
    }

    /// Backward-data, the transposed convolution `dx = Wᵀ dy` (also dual propagation's `v = Wᵀ δ`).
    /// - Parameters:
    ///   - dy: output-side signal `[N, P, Q, K]`.
    ///   - weights: `[R, S, C, K]`.
    ///   - inputShape: `[N, H, W, C]` of the forward input (several `H` give the same `P` when stride > 1).
    ///   - geometry: stride and padding of the forward convolution.
    /// - Returns: `[N, H, W, C]`.
    public static func backwardData(_ dy: Tensor, weights: Tensor, inputShape: [Int],
                                    geometry: Geometry = .same3x3) throws -> Tensor {
        var p = params(input: inputShape, weights: weights.shape, geometry, "ConvKernels.backwardData")
        let outShape = try outputShape(input: inputShape, weights: weights.shape, geometry: geometry)
        precondition(dy.shape == outShape, "ConvKernels.backwardData: dy must be \(outShape) for input \(inputShape), got \(dy.shape)")
        var dx = Tensor(unfilledShape: inputShape)
        try dy.withUnsafeBufferPointer { dyp in
            try weights.withUnsafeBufferPointer { wp in
                try dx.withUnsafeMutableBufferPointer { dxp in
                    try check(ck_conv2d_bwd_data(&p, dyp.baseAddress, wp.baseAddress, dxp.baseAddress, nil, 0),
                              "ConvKernels.backwardData(dy: \(dy.shape), weights: \(weights.shape))")
                }
            }
        }
        return dx
    }

    /// Backward-weights: `dW[r,s,c,k] = Σ_{n,p,q} x[n, p·stride−pad+r, q·stride−pad+s, c] · dy[n,p,q,k]`.
    /// - Parameters:
    ///   - x: forward input `[N, H, W, C]`.
    ///   - dy: `[N, P, Q, K]`.
    ///   - kernelSize: `(R, S)`.
    ///   - geometry: stride and padding of the forward convolution.
    /// - Returns: `[R, S, C, K]`.
    public static func backwardWeights(_ x: Tensor, _ dy: Tensor, kernelSize: (Int, Int),
                                       geometry: Geometry = .same3x3) throws -> Tensor {
        precondition(dy.rank == 4, "ConvKernels.backwardWeights: dy must be [N, P, Q, K], got \(dy.shape)")
        let wShape = [kernelSize.0, kernelSize.1, x.shape.last ?? 0, dy.shape[3]]
        var p = params(input: x.shape, weights: wShape, geometry, "ConvKernels.backwardWeights")
        let outShape = try outputShape(input: x.shape, weights: wShape, geometry: geometry)
        precondition(dy.shape == outShape, "ConvKernels.backwardWeights: dy must be \(outShape) for input \(x.shape), got \(dy.shape)")
        var dw = Tensor(unfilledShape: wShape)
        try x.withUnsafeBufferPointer { xp in
            try dy.withUnsafeBufferPointer { dyp in
                try dw.withUnsafeMutableBufferPointer { dwp in
                    try check(ck_conv2d_bwd_weights(&p, xp.baseAddress, dyp.baseAddress, 0, dwp.baseAddress, nil, 0),
                              "ConvKernels.backwardWeights(x: \(x.shape), dy: \(dy.shape))")
                }
            }
        }
        return dw
    }

    /// Bias gradient: `db[k] = Σ` of `dy` over every leading index (pixels and batch) — `dy` is `[..., K]`.
    public static func biasBackward(_ dy: Tensor) throws -> Tensor {
        precondition(dy.rank >= 1, "ConvKernels.biasBackward: dy must have a channel dimension, got \(dy.shape)")
        let k = dy.shape[dy.rank - 1]
        let rows = k == 0 ? 0 : dy.count / k
        var db = Tensor(unfilledShape: [k])
        try dy.withUnsafeBufferPointer { dyp in
            try db.withUnsafeMutableBufferPointer { dbp in
                try check(ck_conv2d_bias_bwd(Int64(rows), Int64(k), dyp.baseAddress, 0, dbp.baseAddress),
                          "ConvKernels.biasBackward(dy: \(dy.shape))")
            }
        }
        return db
    }

    /// Converts RSCK weights `[R, S, C, K]` to PyTorch's OIHW `[K, C, R, S]`.
    public static func weightsToOIHW(_ w: Tensor) throws -> Tensor {
        precondition(w.rank == 4, "ConvKernels.weightsToOIHW: weights must be [R, S, C, K], got \(w.shape)")
        let (r, s, c, k) = (w.shape[0], w.shape[1], w.shape[2], w.shape[3])
        var out = Tensor(shape: [k, c, r, s])
        try w.withUnsafeBufferPointer { src in
            try out.withUnsafeMutableBufferPointer { dst in
                try check(ck_conv2d_weights_to_oihw(Int64(r), Int64(s), Int64(c), Int64(k), src.baseAddress, dst.baseAddress),
                          "ConvKernels.weightsToOIHW(\(w.shape))")
            }
        }
        return out
    }

    /// Converts PyTorch's OIHW weights `[K, C, R, S]` to RSCK `[R, S, C, K]`.
    public static func weightsFromOIHW(_ w: Tensor) throws -> Tensor {
        precondition(w.rank == 4, "ConvKernels.weightsFromOIHW: weights must be [K, C, R, S], got \(w.shape)")
        let (k, c, r, s) = (w.shape[0], w.shape[1], w.shape[2], w.shape[3])
        var out = Tensor(shape: [r, s, c, k])
        try w.withUnsafeBufferPointer { src in
            try out.withUnsafeMutableBufferPointer { dst in
                try check(ck_conv2d_weights_from_oihw(Int64(r), Int64(s), Int64(c), Int64(k), src.baseAddress, dst.baseAddress),
                          "ConvKernels.weightsFromOIHW(\(w.shape))")
            }
        }
        return out
    }

    /// The algorithm the forward pass uses for these shapes (e.g. "im2col+sgemm"), for logs and benchmarks.
    public static func algorithmName(input: [Int], weights: [Int], geometry: Geometry = .same3x3) -> String {
        var p = params(input: input, weights: weights, geometry, "ConvKernels.algorithmName")
        return String(cString: ck_conv2d_algorithm_name(&p, CK_CONV2D_FWD))
    }
}
