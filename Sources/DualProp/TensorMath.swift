// Small element-wise helpers the learning rules need between kernel calls. They are plain loops
// over contiguous buffers (LLVM vectorises them in release builds); everything heavy — GEMM,
// convolutions, pooling, activations, nudges — is a C kernel.

// Each helper writes its loop inside the buffer closure itself: a loop calling an operator
// passed in as a closure would make one indirect call per element (`withUnsafeBufferPointer`
// is not inlinable across modules) and would not vectorise.

/// `a − b`, element-wise (same element count; the result has `a`'s shape).
func subtract(_ a: Tensor, _ b: Tensor) -> Tensor {
    precondition(a.count == b.count, "subtract: shapes \(a.shape) and \(b.shape) differ in size")
    var out = a
    out.withUnsafeMutableBufferPointer { o in b.withUnsafeBufferPointer { bp in for i in 0..<o.count { o[i] -= bp[i] } } }
    return out
}

/// `a ⊙ b`, element-wise (same element count; the result has `a`'s shape).
func multiply(_ a: Tensor, _ b: Tensor) -> Tensor {
    precondition(a.count == b.count, "multiply: shapes \(a.shape) and \(b.shape) differ in size")
    var out = a
    out.withUnsafeMutableBufferPointer { o in b.withUnsafeBufferPointer { bp in for i in 0..<o.count { o[i] *= bp[i] } } }
    return out
}

/// `a + b`, element-wise (same element count; the result has `a`'s shape).
func add(_ a: Tensor, _ b: Tensor) -> Tensor {
    precondition(a.count == b.count, "add: shapes \(a.shape) and \(b.shape) differ in size")
    var out = a
    out.withUnsafeMutableBufferPointer { o in b.withUnsafeBufferPointer { bp in for i in 0..<o.count { o[i] += bp[i] } } }
    return out
}

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
