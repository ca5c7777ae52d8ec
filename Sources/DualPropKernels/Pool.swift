internal import CKernels

/// The argmax ("switch") of every 2x2 pooling window: a position `2i + j` in `0...3`
/// per output element, row-major over the pooled shape `[N, H/2, W/2, C]`.
public struct PoolSwitches: Sendable, Equatable {
    /// The pooled (output) shape these switches belong to.
    public let shape: [Int]
    /// One window position per output element.
    public let positions: [UInt8]

    /// Switches of a pooled shape, one position `2i + j ∈ 0…3` per output element.
    public init(shape: [Int], positions: [UInt8]) {
        precondition(shape.reduce(1, *) == positions.count,
                     "PoolSwitches: \(positions.count) positions for pooled shape \(shape)")
        self.shape = shape
        self.positions = positions
    }
}

/// Max pooling 2x2, stride 2, over NHWC activations: `[N, H, W, C]` → `[N, H/2, W/2, C]` (floor:
/// an odd last row or column is dropped). The first maximum of a window wins ties.
/// A namespace of kernel calls; the layer is `DualProp.MaxPool2d`.
public enum PoolKernels {
    static func check4(_ s: [Int], _ ctx: String) {
        precondition(s.count == 4, "\(ctx): expected [N, H, W, C], got shape \(s)")
    }

    /// The pooled shape of an input shape `[N, H, W, C]`.
    public static func outputShape(_ input: [Int]) -> [Int] {
        check4(input, "PoolKernels.outputShape")
        return [input[0], input[1] / 2, input[2] / 2, input[3]]
    }

    /// Forward: the window maxima and the position of each.
    public static func forward(_ x: Tensor) throws -> (output: Tensor, switches: PoolSwitches) {
        check4(x.shape, "PoolKernels.forward")
        let s = x.shape, os = outputShape(s)
        var y = Tensor(unfilledShape: os)
        var sw = [UInt8](repeating: 0, count: y.count)
        try x.withUnsafeBufferPointer { xp in
            try y.withUnsafeMutableBufferPointer { yp in
                try sw.withUnsafeMutableBufferPointer { sp in
                    try check(ck_maxpool2d_fwd(Int64(s[0]), Int64(s[1]), Int64(s[2]), Int64(s[3]),
                                               xp.baseAddress, yp.baseAddress, sp.baseAddress),
                              "PoolKernels.forward(\(s))")
                }
            }
        }
        return (y, PoolSwitches(shape: os, positions: sw))
    }

    /// Backward: routes `dy` `[N, H/2, W/2, C]` to the recorded positions of an input of shape
    /// `inputShape`; every other input element gets 0.
    public static func backward(_ dy: Tensor, switches: PoolSwitches, inputShape: [Int]) throws -> Tensor {
        let os = outputShape(inputShape)
        precondition(dy.shape == os, "PoolKernels.backward: dy must be \(os) for input \(inputShape), got \(dy.shape)")
        precondition(switches.shape == os, "PoolKernels.backward: switches are for \(switches.shape), expected \(os)")
        var dx = Tensor(unfilledShape: inputShape)
        try dy.withUnsafeBufferPointer { dyp in
            try dx.withUnsafeMutableBufferPointer { dxp in
                try switches.positions.withUnsafeBufferPointer { sp in
                    try check(ck_maxpool2d_bwd(Int64(inputShape[0]), Int64(inputShape[1]), Int64(inputShape[2]),
                                               Int64(inputShape[3]), dyp.baseAddress, sp.baseAddress, dxp.baseAddress),
                              "PoolKernels.backward(dy: \(dy.shape))")
                }
            }
        }
        return dx
    }

    /// Backward through the argmax of another tensor `switchSource` (same shape as the pooled input):
    /// dual propagation routes through the switches of `conv(s⁺)`, not of the tensor it pooled.
    /// Equal to `backward(dy, switches: forward(switchSource).switches, ...)`, without storing switches.
    public static func backward(_ dy: Tensor, switchesOf switchSource: Tensor) throws -> Tensor {
        let s = switchSource.shape, os = outputShape(s)
        precondition(dy.shape == os, "PoolKernels.backward: dy must be \(os) for switch source \(s), got \(dy.shape)")
        var dx = Tensor(unfilledShape: s)
        try dy.withUnsafeBufferPointer { dyp in
            try switchSource.withUnsafeBufferPointer { xp in
                try dx.withUnsafeMutableBufferPointer { dxp in
                    try check(ck_maxpool2d_bwd_switched(Int64(s[0]), Int64(s[1]), Int64(s[2]), Int64(s[3]),
                                                        xp.baseAddress, dyp.baseAddress, dxp.baseAddress),
                              "PoolKernels.backward(dy: \(dy.shape), switchesOf: \(s))")
                }
            }
        }
        return dx
    }

    /// The switches of `maxpool(conv3x3(newInput) + bias)` from `oldSwitches`, those of
    /// `maxpool(oldOutput)` where `oldOutput = conv3x3(oldInput) + bias` (stride 1, padding 1,
    /// RSCK `weights` `[3, 3, C, K]`), without the full convolution: a window keeps its switch when
    /// its winner leads by more than twice the bound `‖w_k‖₁ · max|newInput − oldInput|` on how far
    /// the change can move a value; the other (window, channel) pairs are recomputed in float64 —
    /// or, when there are more than `maxRecompute` of them, nothing is and `switches` is nil (a
    /// full convolution is then cheaper). Dual propagation uses it for the switches of `conv(s̄)`;
    /// `ck_conv3x3_pool_switches_update` states the exact guarantee.
    public static func switchesAfterInputChange(weights: Tensor, bias: Tensor, newInput: Tensor, oldInput: Tensor,
                                                oldOutput: Tensor, oldSwitches: PoolSwitches,
                                                maxRecompute: Int = .max) throws
        -> (switches: PoolSwitches?, undecided: Int) {
        let x = newInput.shape, ws = weights.shape
        let ctx = "PoolKernels.switchesAfterInputChange"
        check4(x, ctx)
        precondition(oldInput.shape == x, "\(ctx): old input \(oldInput.shape) differs from new input \(x)")
        precondition(ws.count == 4 && ws[0] == 3 && ws[1] == 3 && ws[2] == x[3],
                     "\(ctx): weights must be [3, 3, \(x[3]), K] for input \(x), got \(ws)")
        precondition(bias.shape == [ws[3]], "\(ctx): bias must be [\(ws[3])], got \(bias.shape)")
        let outShape = [x[0], x[1], x[2], ws[3]]
        precondition(oldOutput.shape == outShape, "\(ctx): old output must be \(outShape), got \(oldOutput.shape)")
        precondition(oldSwitches.shape == outputShape(outShape),
                     "\(ctx): switches are for \(oldSwitches.shape), expected \(outputShape(outShape))")
        var positions = oldSwitches.positions
        var undecided: Int64 = 0
        try newInput.withUnsafeBufferPointer { np in
            try oldInput.withUnsafeBufferPointer { op in
                try weights.withUnsafeBufferPointer { wp in
                    try bias.withUnsafeBufferPointer { bp in
                        try oldOutput.withUnsafeBufferPointer { zp in
                            try positions.withUnsafeMutableBufferPointer { sp in
                                try check(ck_conv3x3_pool_switches_update(
                                    Int64(x[0]), Int64(x[1]), Int64(x[2]), Int64(x[3]), Int64(ws[3]), np.baseAddress,
                                    op.baseAddress, wp.baseAddress, bp.baseAddress, zp.baseAddress, sp.baseAddress,
                                    Int64(clamping: maxRecompute), &undecided), "\(ctx)(\(x), weights \(ws))")
                            }
                        }
                    }
                }
            }
        }
        let updated = Int(undecided) <= maxRecompute
        return (updated ? PoolSwitches(shape: oldSwitches.shape, positions: positions) : nil, Int(undecided))
    }
}
