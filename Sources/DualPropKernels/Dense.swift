internal import CKernels

/// Fully connected layer through SGEMM: `y = x · W + b` with `x` `[B, IN]`, `W` `[IN, OUT]`
/// (input-major, like the convolution's RSCK; PyTorch's `nn.Linear.weight` is `Wᵀ`), `b` `[OUT]`.
public enum Dense {
    static func dims(_ x: [Int], _ w: [Int], _ ctx: String) -> (Int64, Int64, Int64) {
        precondition(x.count == 2, "\(ctx): x must be [B, IN], got \(x)")
        precondition(w.count == 2, "\(ctx): weights must be [IN, OUT], got \(w)")
        precondition(x[1] == w[0], "\(ctx): x \(x) has \(x[1]) features but weights \(w) expect \(w[0])")
        return (Int64(x[0]), Int64(w[0]), Int64(w[1]))
    }

    /// Forward: `y = x · W + bias` (`bias` `[OUT]` or `nil`). Returns `[B, OUT]`.
    public static func forward(_ x: Tensor, weights: Tensor, bias: Tensor? = nil) throws -> Tensor {
        let (b, i, o) = dims(x.shape, weights.shape, "Dense.forward")
        if let bias { precondition(bias.shape == [Int(o)], "Dense.forward: bias must be [\(o)], got \(bias.shape)") }
        var y = Tensor(unfilledShape: [Int(b), Int(o)])
        try x.withUnsafeBufferPointer { xp in
            try weights.withUnsafeBufferPointer { wp in
                try y.withUnsafeMutableBufferPointer { yp in
                    let st: ck_status
                    if let bias {
                        st = bias.withUnsafeBufferPointer { ck_linear_fwd(b, i, o, xp.baseAddress, wp.baseAddress, $0.baseAddress, yp.baseAddress) }
                    } else {
                        st = ck_linear_fwd(b, i, o, xp.baseAddress, wp.baseAddress, nil, yp.baseAddress)
                    }
                    try check(st, "Dense.forward(x: \(x.shape), weights: \(weights.shape))")
                }
            }
        }
        return y
    }

    /// Backward-data: `dx = dy · Wᵀ`, `dy` `[B, OUT]` → `[B, IN]`.
    public static func backwardData(_ dy: Tensor, weights: Tensor) throws -> Tensor {
        precondition(dy.rank == 2 && weights.rank == 2 && dy.shape[1] == weights.shape[1],
                     "Dense.backwardData: dy \(dy.shape) must be [B, OUT] for weights \(weights.shape) = [IN, OUT]")
        let (b, i, o) = (Int64(dy.shape[0]), Int64(weights.shape[0]), Int64(weights.shape[1]))
        var dx = Tensor(unfilledShape: [Int(b), Int(i)])
        try dy.withUnsafeBufferPointer { dyp in
            try weights.withUnsafeBufferPointer { wp in
                try dx.withUnsafeMutableBufferPointer { dxp in
                    try check(ck_linear_bwd_data(b, i, o, dyp.baseAddress, wp.baseAddress, dxp.baseAddress),
                              "Dense.backwardData(dy: \(dy.shape), weights: \(weights.shape))")
                }
            }
        }
        return dx
    }

    /// Backward-weights: `dW = xᵀ · dy` `[IN, OUT]` and `db = Σ_rows dy` `[OUT]`.
    public static func backwardWeights(_ x: Tensor, _ dy: Tensor) throws -> (weights: Tensor, bias: Tensor) {
        precondition(x.rank == 2 && dy.rank == 2 && x.shape[0] == dy.shape[0],
                     "Dense.backwardWeights: x \(x.shape) = [B, IN] and dy \(dy.shape) = [B, OUT] must share B")
        let (b, i, o) = (Int64(x.shape[0]), Int64(x.shape[1]), Int64(dy.shape[1]))
        var dw = Tensor(unfilledShape: [Int(i), Int(o)]), db = Tensor(unfilledShape: [Int(o)])
        try x.withUnsafeBufferPointer { xp in
            try dy.withUnsafeBufferPointer { dyp in
                try dw.withUnsafeMutableBufferPointer { dwp in
                    try db.withUnsafeMutableBufferPointer { dbp in
                        try check(ck_linear_bwd_weights(b, i, o, xp.baseAddress, dyp.baseAddress, 0, dwp.baseAddress, dbp.baseAddress),
                                  "Dense.backwardWeights(x: \(x.shape), dy: \(dy.shape))")
                    }
                }
            }
        }
        return (dw, db)
    }
}
