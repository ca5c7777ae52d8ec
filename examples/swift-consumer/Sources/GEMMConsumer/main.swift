// Multiplies two small 2-D Tensors with the library's GEMM, checks the product against a
// naive double-precision loop on every ISA the CPU has, prints the ISA and SGEMM
// implementation, exits 1 on mismatch.
import DualPropKernels
import Foundation

// Sizes that are not multiples of any register tile, so edge code runs too.
let (m, k, n) = (7, 13, 5)
let a = Tensor(shape: [m, k]) { i in Float((i * 7) % 11) / 8 - 0.5 }
let b = Tensor(shape: [k, n]) { i in Float((i * 5) % 13) / 8 - 0.75 }

print("DualProp \(Runtime.version), detected ISA \(Runtime.detectedISA)")
var mismatches = 0
try Runtime.forEachISA { isa in
    let c = try matmul(a, b)

    precondition(c.shape == [m, n], "product shape \(c.shape), expected [\(m), \(n)]")
    var worst = 0.0, bad = 0
    for i in 0..<m {
        for j in 0..<n {
            var sum = 0.0, magnitude = 0.0
            for p in 0..<k {
                let term = Double(a[i, p]) * Double(b[p, j])
                sum += term
                magnitude += abs(term)
            }
            // Float accumulation of k terms in any order: |error| <= k·eps·Σ|terms|.
            let tolerance = Double(k) * Double(Float.ulpOfOne) * magnitude
            let error = abs(Double(c[i, j]) - sum)
            worst = max(worst, error)
            if error > tolerance { bad += 1 }
        }
    }
    print("\(bad > 0 ? "FAIL" : "ok  ") isa=\(isa) sgemm=\"\(Runtime.implementationName(.sgemm))\" "
          + "\(m)x\(k)·\(k)x\(n) max|err|=\(worst) c[0,0..<\(n)]=\((0..<n).map { c[0, $0] })")
    mismatches += bad
}
if mismatches > 0 {
    print("FAIL GEMMConsumer")
    exit(1)
}
print("ok GEMMConsumer")
