// Interim: C = A·B through the C API (CKernels product) until DualPropKernels.matmul lands.
// Delete this file and the CKernels dependency in Package.swift once main.swift uses matmul.
import CKernels
import DualPropKernels

struct GEMMFailed: Error { let status: ck_status }

/// C = A·B for row-major 2-D tensors A (m×k) and B (k×n), by ck_sgemm.
func interimGEMM(_ a: Tensor, _ b: Tensor) throws -> Tensor {
    precondition(a.rank == 2 && b.rank == 2 && a.shape[1] == b.shape[0],
                 "interimGEMM: shapes \(a.shape) and \(b.shape) do not multiply")
    let (m, k, n) = (a.shape[0], a.shape[1], b.shape[1])
    let av = a.scalars, bv = b.scalars
    var cv = [Float](repeating: 0, count: m * n)
    let status = ck_sgemm(CK_ROW_MAJOR, CK_NO_TRANS, CK_NO_TRANS, Int64(m), Int64(n), Int64(k),
                          1, av, Int64(k), bv, Int64(n), 0, &cv, Int64(n))
    guard status == CK_OK else { throw GEMMFailed(status: status) }
    return Tensor(shape: [m, n], values: cv)
}
