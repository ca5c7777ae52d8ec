internal import CKernels

/// Coordinate-descent inference of lifted networks: the entry point over
/// `ck_lifted_coordinate_descent` (see `include/ck_lifted.h` for the exact update).
public enum LiftedDescent {
    /// The convex set a lifted unit lives in (its activation is the projection onto it).
    public enum UnitSet: Sendable, Hashable {
        /// `ℝ` (identity).
        case linear
        /// `ℝ≥0` (ReLU).
        case nonNegative
        /// `[0, 1]` (hard sigmoid).
        case unitInterval

        var raw: ck_lifted_set {
            switch self {
            case .linear: return CK_LIFTED_LINEAR
            case .nonNegative: return CK_LIFTED_NONNEGATIVE
            case .unitInterval: return CK_LIFTED_UNIT_INTERVAL
            }
        }
    }

    /// Runs `sweeps` sweeps of coordinate descent in place on the unit values `z[k]` and residuals
    /// `residual[k]` (`[B, n_k]` each, one per non-input layer, the output last; they must be
    /// consistent: `λ_k = z_k − W_{k−1} z_{k−1} − b_{k−1}`). `weights[k]` is `W_k` `[n_k, n_{k+1}]`
    /// for the hidden layers (one fewer than `z`), `sets[k]` their constraint sets. With
    /// `outputClamped` the output layer stays fixed; otherwise it is free (and linear).
    public static func minimize(weights: [Tensor], sets: [UnitSet], z: inout [Tensor], residual: inout [Tensor],
                                outputClamped: Bool, gamma: Float, sweeps: Int) throws {
        let count = z.count
        precondition(count >= 1 && residual.count == count && weights.count == count - 1 && sets.count == count - 1,
                     "LiftedDescent.minimize: need z and residual of one length L ≥ 1 and L − 1 weights and sets; got \(z.count), \(residual.count), \(weights.count), \(sets.count)")
        let batch = z[0].rank == 2 ? z[0].shape[0] : -1
        for k in 0..<count {
            precondition(z[k].rank == 2 && z[k].shape[0] == batch && residual[k].shape == z[k].shape,
                         "LiftedDescent.minimize: layer \(k): z \(z[k].shape) and residual \(residual[k].shape) must both be [\(batch), n]")
            if k < count - 1 {
                precondition(weights[k].shape == [z[k].shape[1], z[k + 1].shape[1]],
                             "LiftedDescent.minimize: weights \(k) \(weights[k].shape) must be [\(z[k].shape[1]), \(z[k + 1].shape[1])]")
            }
        }
        let rowNorms = weights.map { w in
            let (rows, cols) = (w.shape[0], w.shape[1])
            return Tensor(shape: [rows]) { j in
                var s: Float = 0
                for o in 0..<cols { s += w.storage.base[j * cols + o] * w.storage.base[j * cols + o] }
                return s
            }
        }
        for k in 0..<count { z[k].makeUnique(); residual[k].makeUnique() }
        let layers = (0..<count).map { k in
            ck_lifted_layer(units: Int64(z[k].shape[1]), set: k < count - 1 ? sets[k].raw : CK_LIFTED_LINEAR,
                            weights: k < count - 1 ? UnsafePointer(weights[k].storage.base) : nil,
                            row_norms: k < count - 1 ? UnsafePointer(rowNorms[k].storage.base) : nil,
                            z: z[k].storage.base, residual: residual[k].storage.base)
        }
        let st = layers.withUnsafeBufferPointer {
            ck_lifted_coordinate_descent(Int64(batch), Int64(count), $0.baseAddress, outputClamped ? 1 : 0, gamma, Int64(sweeps))
        }
        // The tensors' storage must outlive the call (the C side only holds raw pointers).
        withExtendedLifetime((weights, rowNorms, z, residual)) {}
        try check(st, "LiftedDescent.minimize(layers: \(z.map(\.shape)), gamma: \(gamma), sweeps: \(sweeps))")
    }
}
