internal import CKernels

/// Matrix product on rank-2 row-major tensors: `c ← alpha · op(a) · op(b) + beta · c`,
/// where `op(x)` is `x` or its transpose.
///
/// Calls the library's blocked, threaded SGEMM (`ck_sgemm`) with BLAS semantics: when `beta`
/// is 0 the previous contents of `c` are ignored (NaN in `c` does not propagate); when
/// `alpha` is 0 or the inner dimension is 0, `a` and `b` are not read.
///
/// - Parameters:
///   - a: `[m, k]`, or `[k, m]` when `transposeA`.
///   - b: `[k, n]`, or `[n, k]` when `transposeB`.
///   - transposeA: use `aᵀ`.
///   - transposeB: use `bᵀ`.
///   - alpha: scale of the product.
///   - beta: scale of the previous `c`.
///   - c: `[m, n]`, updated in place.
/// - Throws: `KernelError` if the kernel reports a failure (e.g. out of memory for packing).
public func matmul(_ a: Tensor, _ b: Tensor, transposeA: Bool = false, transposeB: Bool = false,
                   alpha: Float = 1, beta: Float = 0, into c: inout Tensor) throws {
    precondition(a.rank == 2, "matmul: a must be rank 2, got shape \(a.shape)")
    precondition(b.rank == 2, "matmul: b must be rank 2, got shape \(b.shape)")
    precondition(c.rank == 2, "matmul: c must be rank 2, got shape \(c.shape)")
    let (m, k) = transposeA ? (a.shape[1], a.shape[0]) : (a.shape[0], a.shape[1])
    let (kb, n) = transposeB ? (b.shape[1], b.shape[0]) : (b.shape[0], b.shape[1])
    precondition(k == kb,
                 "matmul: inner dimensions differ: op(a) is [\(m), \(k)] (a \(a.shape)\(transposeA ? "ᵀ" : "")), "
                 + "op(b) is [\(kb), \(n)] (b \(b.shape)\(transposeB ? "ᵀ" : ""))")
    precondition(c.shape == [m, n],
                 "matmul: c has shape \(c.shape) but op(a)·op(b) is [\(m), \(n)] (a \(a.shape), b \(b.shape))")
    let lda = max(a.shape[1], 1), ldb = max(b.shape[1], 1), ldc = max(n, 1)
    let status = a.withUnsafeBufferPointer { ap in
        b.withUnsafeBufferPointer { bp in
            c.withUnsafeMutableBufferPointer { cp in
                ck_sgemm(CK_ROW_MAJOR, transposeA ? CK_TRANS : CK_NO_TRANS, transposeB ? CK_TRANS : CK_NO_TRANS,
                         Int64(m), Int64(n), Int64(k), alpha, ap.baseAddress, Int64(lda),
                         bp.baseAddress, Int64(ldb), beta, cp.baseAddress, Int64(ldc))
            }
        }
    }
    try check(status, "matmul(a: \(a.shape), b: \(b.shape), transposeA: \(transposeA), transposeB: \(transposeB))")
}

/// The matrix product `alpha · op(a) · op(b)` as a new `[m, n]` tensor.
///
/// - Parameters:
///   - a: `[m, k]`, or `[k, m]` when `transposeA`.
///   - b: `[k, n]`, or `[n, k]` when `transposeB`.
///   - transposeA: use `aᵀ`.
///   - transposeB: use `bᵀ`.
///   - alpha: scale of the product.
/// - Returns: the `[m, n]` product.
/// - Throws: `KernelError` if the kernel reports a failure.
public func matmul(_ a: Tensor, _ b: Tensor, transposeA: Bool = false, transposeB: Bool = false,
                   alpha: Float = 1) throws -> Tensor {
    precondition(a.rank == 2 && b.rank == 2, "matmul: a and b must be rank 2, got shapes \(a.shape) and \(b.shape)")
    let m = transposeA ? a.shape[1] : a.shape[0]
    let n = transposeB ? b.shape[0] : b.shape[1]
    var c = Tensor(unfilledShape: [m, n])
    try matmul(a, b, transposeA: transposeA, transposeB: transposeB, alpha: alpha, beta: 0, into: &c)
    return c
}
