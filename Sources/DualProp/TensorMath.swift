// Small element-wise helpers the learning rules need between kernel calls. They are plain loops
// over contiguous buffers (LLVM vectorises them in release builds); everything heavy — GEMM,
// convolutions, pooling, activations, nudges — is a C kernel.

/// `op(aᵢ, bᵢ)` element-wise (same element count; the result has `a`'s shape).
@inline(__always)
private func zipMap(_ a: Tensor, _ b: Tensor, _ what: String, _ op: (Float, Float) -> Float) -> Tensor {
    precondition(a.count == b.count, "\(what): shapes \(a.shape) and \(b.shape) differ in size")
    var out = Tensor(shape: a.shape)
    a.withUnsafeBufferPointer { ap in
        b.withUnsafeBufferPointer { bp in
            out.withUnsafeMutableBufferPointer { op2 in
                for i in 0..<op2.count { op2[i] = op(ap[i], bp[i]) }
            }
        }
    }
    return out
}

/// `a − b`, element-wise.
func subtract(_ a: Tensor, _ b: Tensor) -> Tensor { zipMap(a, b, "subtract", -) }

/// `a ⊙ b`, element-wise.
func multiply(_ a: Tensor, _ b: Tensor) -> Tensor { zipMap(a, b, "multiply", *) }

/// `a + b`, element-wise.
func add(_ a: Tensor, _ b: Tensor) -> Tensor { zipMap(a, b, "add", +) }

/// `c · a`, element-wise.
func scaled(_ a: Tensor, _ c: Float) -> Tensor {
    var out = a
    out.withUnsafeMutableBufferPointer { op in
        for i in 0..<op.count { op[i] *= c }
    }
    return out
}

/// Σ aᵢ·bᵢ and the two squared norms, in double (for cosines and power iteration).
func dotAndNorms(_ a: Tensor, _ b: Tensor) -> (dot: Double, aa: Double, bb: Double) {
    precondition(a.count == b.count, "dotAndNorms: shapes \(a.shape) and \(b.shape) differ in size")
    var dot = 0.0, aa = 0.0, bb = 0.0
    a.withUnsafeBufferPointer { ap in
        b.withUnsafeBufferPointer { bp in
            for i in 0..<ap.count {
                let x = Double(ap[i]), y = Double(bp[i])
                dot += x * y; aa += x * x; bb += y * y
            }
        }
    }
    return (dot, aa, bb)
}

/// Whether every element is exactly zero (lets a schedule skip units no signal has reached).
func isAllZero(_ a: Tensor) -> Bool {
    a.withUnsafeBufferPointer { ap in ap.allSatisfy { $0 == 0 } }
}

/// `f'(a) ⊙ g`: the BP step through an element-wise activation (ReLU through its fused kernel).
func activationBackward(_ f: Activation, preActivation a: Tensor, gradient g: Tensor) throws -> Tensor {
    switch f {
    case .identity: return g
    case .relu: return try Eltwise.reluBackward(a, g)
    default: return multiply(try f.apply(.derivative, a), g)
    }
}
