internal import CKernels

/// An element-wise activation family of the papers, each the gradient of a convex conjugate:
/// `f = ∇G*`, `f⁻¹ = ∇G`.
///
/// The formulas of `f`, `f'`, `f⁻¹`, `G` and `G*` for every family, the derivative convention
/// (left derivative) and the domain clamp of `f⁻¹` (1e-6 inside open domains) are documented in
/// the C header `ck_activation.h`.
public enum Activation: Sendable, Hashable, CustomStringConvertible {
    /// `f(t) = t`.
    case identity
    /// `f(t) = max(0, t)`.
    case relu
    /// `f(t) = clamp(t, 0, 1)`.
    case hardSigmoid
    /// `f(t) = t` for `t ≥ 0`, `slope·t` otherwise; `slope` must be finite and positive.
    case leakyReLU(slope: Float)
    /// `f(t) = 1/(1 + e^{−t})`.
    case sigmoid
    /// `f(t) = tanh t`.
    case tanh
    /// Inverse square-root unit, `f(t) = t/√(1 + t²)`.
    case isru
    /// `f(t) = log(1 + eᵗ)`.
    case softplus
    /// `f(t) = arctan t`.
    case arctan
    /// Principal branch of sine: `sin t` on `[−π/2, π/2]`, `±1` outside.
    case sin
    /// `f(t) = arcsinh t`.
    case arcsinh

    /// Every family (leaky ReLU with the given slope), in the C enum's order.
    public static func allFamilies(leakySlope: Float = 0.1) -> [Activation] {
        [.identity, .relu, .hardSigmoid, .leakyReLU(slope: leakySlope), .sigmoid, .tanh, .isru,
         .softplus, .arctan, .sin, .arcsinh]
    }

    /// Whether `f` is infinitely differentiable (no kinks and no clamps).
    public var isSmooth: Bool {
        switch self {
        case .relu, .hardSigmoid, .leakyReLU, .sin: return false
        default: return true
        }
    }

    /// The library's name of the family, e.g. "leaky-relu".
    public var description: String { String(cString: ck_activation_name(descriptor.kind)) }

    var descriptor: ck_activation {
        switch self {
        case .identity: return ck_activation(kind: CK_ACT_IDENTITY, param: 0)
        case .relu: return ck_activation(kind: CK_ACT_RELU, param: 0)
        case .hardSigmoid: return ck_activation(kind: CK_ACT_HARD_SIGMOID, param: 0)
        case .leakyReLU(let c): return ck_activation(kind: CK_ACT_LEAKY_RELU, param: c)
        case .sigmoid: return ck_activation(kind: CK_ACT_SIGMOID, param: 0)
        case .tanh: return ck_activation(kind: CK_ACT_TANH, param: 0)
        case .isru: return ck_activation(kind: CK_ACT_ISRU, param: 0)
        case .softplus: return ck_activation(kind: CK_ACT_SOFTPLUS, param: 0)
        case .arctan: return ck_activation(kind: CK_ACT_ARCTAN, param: 0)
        case .sin: return ck_activation(kind: CK_ACT_SIN, param: 0)
        case .arcsinh: return ck_activation(kind: CK_ACT_ARCSINH, param: 0)
        }
    }

    /// Evaluate one function of the family element-wise.
    /// - Parameters:
    ///   - function: which of `f`, `f'`, `f⁻¹`, `G`, `G*`, `(f⁻¹)'`.
    ///   - x: any shape.
    /// - Returns: a tensor of `x`'s shape.
    public func apply(_ function: ActivationFunction, _ x: Tensor) throws -> Tensor {
        var y = Tensor(unfilledShape: x.shape)
        let act = descriptor
        let n = Int64(x.count)
        let status = x.withUnsafeBufferPointer { xp in
            y.withUnsafeMutableBufferPointer { yp in
                ck_activation_apply(act, ck_activation_fn(UInt32(function.rawValue)), xp.baseAddress, yp.baseAddress, n)
            }
        }
        try check(status, "Activation.\(self).apply(\(function))")
        return y
    }

    /// `f(x)` element-wise.
    public func callAsFunction(_ x: Tensor) throws -> Tensor { try apply(.f, x) }
}

/// Which function of an activation family to evaluate.
public enum ActivationFunction: Int, CaseIterable, Sendable {
    /// The activation `f`.
    case f = 0
    /// The left derivative `f'`.
    case derivative = 1
    /// The inverse `f⁻¹ = ∇G`, argument clamped into the domain.
    case inverse = 2
    /// The potential `G` (`+∞` outside its domain).
    case potential = 3
    /// The conjugate `G*`.
    case conjugate = 4
    /// The derivative of the inverse, `(f⁻¹)' = 1/f'(f⁻¹)`, argument clamped as for `inverse`.
    case inverseDerivative = 5
}

/// Softmax, the vector member of the activation families, over the last dimension.
public enum Softmax {
    /// Row-wise softmax of a rank-2 `(rows, classes)` tensor; a row with a NaN becomes all NaN.
    public static func rows(_ x: Tensor) throws -> Tensor {
        precondition(x.rank == 2, "Softmax.rows: expected a (rows, classes) tensor, got shape \(x.shape)")
        var y = Tensor(unfilledShape: x.shape)
        let status = x.withUnsafeBufferPointer { xp in
            y.withUnsafeMutableBufferPointer { yp in
                ck_softmax_rows(xp.baseAddress, yp.baseAddress, Int64(x.shape[0]), Int64(x.shape[1]))
            }
        }
        try check(status, "Softmax.rows")
        return y
    }

    /// Per-row potentials: `G(s) = Σ s log s` of a `(rows, classes)` tensor of probabilities.
    public static func potential(_ s: Tensor) throws -> [Float] { try potentials(s, conjugate: false) }

    /// Per-row conjugate potentials: `G*(t) = log Σ eᵗ` of a `(rows, classes)` tensor of logits.
    public static func conjugate(_ t: Tensor) throws -> [Float] { try potentials(t, conjugate: true) }

    private static func potentials(_ x: Tensor, conjugate: Bool) throws -> [Float] {
        precondition(x.rank == 2, "Softmax: expected a (rows, classes) tensor, got shape \(x.shape)")
        var out = [Float](repeating: 0, count: x.shape[0])
        let status = x.withUnsafeBufferPointer { xp in
            out.withUnsafeMutableBufferPointer { op in
                conjugate
                    ? ck_softmax_potentials(nil, nil, xp.baseAddress, op.baseAddress, Int64(x.shape[0]), Int64(x.shape[1]))
                    : ck_softmax_potentials(xp.baseAddress, op.baseAddress, nil, nil, Int64(x.shape[0]), Int64(x.shape[1]))
            }
        }
        try check(status, "Softmax.potentials")
        return out
    }
}
