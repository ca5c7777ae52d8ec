import DualPropKernels
import XCTest

/// `LiftedDescent.minimize` (ck_lifted_coordinate_descent) on every ISA and thread count against an
/// independent float64 implementation of the same Gauss–Seidel sweeps (SPEC §9).
final class LiftedDescentTests: XCTestCase {
    typealias UnitSet = LiftedDescent.UnitSet

    /// The float64 oracle: sweeps over hidden layers bottom-up, units in order, then the free output.
    func oracle(weights: [[Double]], widths: [Int], sets: [UnitSet], z: inout [[Double]], r: inout [[Double]],
                batch: Int, clamped: Bool, gamma: Double, sweeps: Int) {
        func project(_ s: UnitSet, _ t: Double) -> Double {
            switch s {
            case .linear: return t
            case .nonNegative: return max(t, 0)
            case .unitInterval: return min(max(t, 0), 1)
            }
        }
        let hidden = widths.count - 1
        for e in 0..<batch {
            for _ in 0..<sweeps {
                for k in 0..<hidden {
                    let (n, m) = (widths[k], widths[k + 1])
                    for j in 0..<n {
                        var dot = 0.0, nn = 0.0
                        for o in 0..<m { dot += weights[k][j * m + o] * r[k + 1][e * m + o]; nn += weights[k][j * m + o] * weights[k][j * m + o] }
                        let old = z[k][e * n + j], a = old - r[k][e * n + j]
                        let d = project(sets[k], (a + gamma * dot + gamma * nn * old) / (1 + gamma * nn)) - old
                        z[k][e * n + j] += d; r[k][e * n + j] += d
                        for o in 0..<m { r[k + 1][e * m + o] -= d * weights[k][j * m + o] }
                    }
                }
                if !clamped {
                    let n = widths[hidden]
                    for j in 0..<n { z[hidden][e * n + j] -= r[hidden][e * n + j]; r[hidden][e * n + j] = 0 }
                }
            }
        }
    }

    /// Widths straddle the vector lengths (5, 17, 64, 70: tails and full vectors on AVX2 and
    /// AVX-512), batches the tiles of examples the SIMD paths run side by side. Tolerance 1e-4·(1 + |x|): float32 rounding (~6e-8 per operation, dots of ≤ 70
    /// terms) through 6 sweeps of maps that are projections of affine updates with coefficients
    /// ≤ 1 in size, so the error stays near 1e-6; 1e-4 leaves room without hiding a wrong update.
    func testMatchesFloat64OracleOnEveryISAAndThreadCount() throws {
        var rng = TestRNG(seed: 91)
        // Batches: 7 fills part of one tile of lanes (8 on AVX2, 16 on AVX-512); 37 is two or four
        // full tiles and a partial one.
        let cases: [([Int], [UnitSet], Int)] = [
            ([5, 17, 3], [.nonNegative, .unitInterval], 7),
            ([64, 64, 64, 10], [.nonNegative, .nonNegative, .unitInterval], 37),
            ([70, 17, 5], [.unitInterval, .linear], 37),
            ([9], [], 7),
        ]
        for (widths, sets, batch) in cases {
            for clamped in [false, true] {
                let gamma: Float = 0.5, sweeps = 6
                let weights = (0..<(widths.count - 1)).map { k in
                    Tensor(shape: [widths[k], widths[k + 1]]) { _ in rng.uniform() / Float(widths[k + 1]).squareRoot() }
                }
                let z0 = widths.indices.map { k in
                    Tensor(shape: [batch, widths[k]]) { _ in
                        let v = rng.uniform()
                        if k < sets.count, sets[k] == .nonNegative { return max(v, 0) }
                        if k < sets.count, sets[k] == .unitInterval { return (v + 1) / 2 }
                        return v
                    }
                }
                let r0 = widths.map { n in Tensor(shape: [batch, n]) { _ in rng.uniform() } }
                var zd = z0.map { $0.scalars.map(Double.init) }, rd = r0.map { $0.scalars.map(Double.init) }
                oracle(weights: weights.map { $0.scalars.map(Double.init) }, widths: widths, sets: sets, z: &zd, r: &rd,
                       batch: batch, clamped: clamped, gamma: Double(gamma), sweeps: sweeps)
                var firstOnISA: [Tensor]? = nil
                var lastISA: ISA? = nil
                try forEachConfiguration { isa, threads in
                    var z = z0, r = r0
                    try LiftedDescent.minimize(weights: weights, sets: sets, z: &z, residual: &r,
                                               outputClamped: clamped, gamma: gamma, sweeps: sweeps)
                    let label = "widths \(widths) clamped \(clamped) \(isa) t\(threads)"
                    for k in widths.indices {
                        for i in 0..<z[k].count {
                            XCTAssertEqual(Double(z[k][flat: i]), zd[k][i], accuracy: 1e-4 * (1 + abs(zd[k][i])), "\(label) z[\(k)][\(i)]")
                            XCTAssertEqual(Double(r[k][flat: i]), rd[k][i], accuracy: 1e-4 * (1 + abs(rd[k][i])), "\(label) λ[\(k)][\(i)]")
                        }
                    }
                    if clamped { XCTAssertEqual(z.last!, z0.last!, "\(label): the clamped output moved") }
                    // Examples never share a thread's arithmetic: the thread count cannot change a bit.
                    if isa != lastISA { firstOnISA = z + r; lastISA = isa } else {
                        XCTAssertEqual(z + r, firstOnISA!, "\(label): differs from the other thread count")
                    }
                }
            }
        }
    }

    /// Bad γ and sweeps are reported as kernel errors naming the entry point.
    func testRejectsBadArguments() throws {
        var z = [Tensor(shape: [2, 3]), Tensor(shape: [2, 2])], r = z
        let w = [Tensor(shape: [3, 2])]
        for (gamma, sweeps) in [(Float(0), 1), (.nan, 1), (1, -1)] {
            XCTAssertThrowsError(try LiftedDescent.minimize(weights: w, sets: [.nonNegative], z: &z, residual: &r,
                                                            outputClamped: false, gamma: gamma, sweeps: sweeps)) { error in
                XCTAssertTrue("\(error)".contains("LiftedDescent.minimize"), "\(error)")
            }
        }
    }

    /// The SIMD paths run tiles of examples side by side; an example's result must not depend on
    /// which tile it lands in. Reversing a batch of 37 moves every example to another tile and
    /// lane: each example's z and λ must come out bitwise the same.
    func testResultDoesNotDependOnTheExamplesTile() throws {
        var rng = TestRNG(seed: 5)
        let widths = [20, 33, 6], batch = 37
        let weights = (0..<2).map { k in Tensor(shape: [widths[k], widths[k + 1]]) { _ in rng.uniform() / 4 } }
        let z0 = widths.map { n in Tensor(shape: [batch, n]) { _ in (rng.uniform() + 1) / 2 } }
        let r0 = widths.map { n in Tensor(shape: [batch, n]) { _ in rng.uniform() } }
        func reversed(_ t: Tensor) -> Tensor {
            let n = t.shape[1], v = t.scalars
            return Tensor(shape: t.shape) { i in v[(batch - 1 - i / n) * n + i % n] }
        }
        try Runtime.forEachISA { isa in
            var z = z0, r = r0, zr = z0.map(reversed), rr = r0.map(reversed)
            try LiftedDescent.minimize(weights: weights, sets: [.nonNegative, .unitInterval], z: &z, residual: &r,
                                       outputClamped: false, gamma: 0.25, sweeps: 4)
            try LiftedDescent.minimize(weights: weights, sets: [.nonNegative, .unitInterval], z: &zr, residual: &rr,
                                       outputClamped: false, gamma: 0.25, sweeps: 4)
            XCTAssertEqual(zr.map(reversed), z, "\(isa): z depends on the example's tile")
            XCTAssertEqual(rr.map(reversed), r, "\(isa): λ depends on the example's tile")
        }
    }

    /// `Runtime.implementationName(.lifted)` names the leaf of the active ISA.
    func testImplementationNameFollowsISA() throws {
        Runtime.forEachISA { isa in XCTAssertEqual(Runtime.implementationName(.lifted), "\(isa)") }
    }
}
