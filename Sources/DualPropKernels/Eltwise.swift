internal import CKernels

/// Element-wise kernels of plain back-propagation: ReLU, bias add, axpy.
public enum Eltwise {
    /// `max(x, 0)` element-wise (`x > 0 ? x : 0`).
    public static func relu(_ x: Tensor) throws -> Tensor {
        var y = Tensor(unfilledShape: x.shape)
        try x.withUnsafeBufferPointer { xp in
            try y.withUnsafeMutableBufferPointer { yp in
                try check(ck_relu_fwd(Int64(x.count), xp.baseAddress, yp.baseAddress), "Eltwise.relu(\(x.shape))")
            }
        }
        return y
    }

    /// ReLU backward: `dx = x > 0 ? dy : 0` where `x` is the ReLU's input (or output).
    public static func reluBackward(_ x: Tensor, _ dy: Tensor) throws -> Tensor {
        precondition(x.shape == dy.shape, "Eltwise.reluBackward: x \(x.shape) and dy \(dy.shape) differ")
        var dx = Tensor(unfilledShape: x.shape)
        try x.withUnsafeBufferPointer { xp in
            try dy.withUnsafeBufferPointer { dyp in
                try dx.withUnsafeMutableBufferPointer { dxp in
                    try check(ck_relu_bwd(Int64(x.count), xp.baseAddress, dyp.baseAddress, dxp.baseAddress),
                              "Eltwise.reluBackward(\(x.shape))")
                }
            }
        }
        return dx
    }

    /// Adds `bias` `[C]` to every row of `y` `[..., C]` in place.
    public static func addBias(_ y: inout Tensor, _ bias: Tensor) throws {
        let c = y.shape.last ?? 0
        precondition(bias.shape == [c], "Eltwise.addBias: bias must be [\(c)] for y \(y.shape), got \(bias.shape)")
        let rows = c == 0 ? 0 : y.count / c
        try bias.withUnsafeBufferPointer { bp in
            try y.withUnsafeMutableBufferPointer { yp in
                try check(ck_bias_add(Int64(rows), Int64(c), bp.baseAddress, yp.baseAddress), "Eltwise.addBias")
            }
        }
    }

    /// `y += a · x` in place (equal element counts).
    public static func axpy(_ a: Float, _ x: Tensor, _ y: inout Tensor) throws {
        precondition(x.count == y.count, "Eltwise.axpy: x \(x.shape) and y \(y.shape) differ in size")
        try x.withUnsafeBufferPointer { xp in
            try y.withUnsafeMutableBufferPointer { yp in
                try check(ck_axpy(Int64(x.count), a, xp.baseAddress, yp.baseAddress), "Eltwise.axpy")
            }
        }
    }
}
