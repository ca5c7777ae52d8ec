import ArgumentParser
import CKernels
import Foundation

/// `ck-bench lifted`: time of lifted coordinate-descent inference (`ck_lifted_coordinate_descent`)
/// on Zach & Estellers 2019's 784-64-64-64-10 network, per ISA path and thread count, as nanoseconds per unit
/// update (one hidden unit of one example in one sweep). `ref` is the per-example scalar leaf;
/// `avx2` and `avx512` run 8 or 16 examples side by side, one per lane. There is no public peer
/// for this kernel; the scalar path is the baseline.
struct LiftedBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lifted",
        abstract: "ns per unit update of lifted coordinate descent (784-64-64-64-10) on every ISA path.")

    @OptionGroup var common: CommonBenchOptions

    @Option(help: "Examples per call (the lifted experiment trains at 50 and assesses at 500).")
    var batch: Int = 500

    @Option(help: "Coordinate-descent sweeps per call.")
    var sweeps: Int = 15

    func run() throws {
        warnIfDebugBuild()
        guard batch >= 1, sweeps >= 1 else { throw ValidationError("--batch and --sweeps must be ≥ 1") }
        let threadList = try common.threadCounts
        let widths = [64, 64, 64, 10], sets: [ck_lifted_set] = [CK_LIFTED_NONNEGATIVE, CK_LIFTED_NONNEGATIVE, CK_LIFTED_NONNEGATIVE]
        // Deterministic data: weights ~ U(−1, 1)/√fan-out, units ≥ 0, residuals small.
        var state: UInt64 = 0x1234_5678
        func uniform() -> Float {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Float(Int64(bitPattern: state >> 11) % 2_000_001 - 1_000_000) / 1_000_000
        }
        /// A buffer holding `values` (freed at the end of `run`).
        func buffer(_ values: [Float]) -> UnsafeMutablePointer<Float> {
            let p = UnsafeMutablePointer<Float>.allocate(capacity: values.count)
            p.initialize(from: values, count: values.count)
            return p
        }
        let weightValues = (0..<3).map { k in (0..<(widths[k] * widths[k + 1])).map { _ in uniform() / Float(widths[k + 1]).squareRoot() } }
        let weights = weightValues.map(buffer)
        let norms = (0..<3).map { k in
            buffer((0..<widths[k]).map { j in weightValues[k][(j * widths[k + 1])..<((j + 1) * widths[k + 1])].reduce(0) { $0 + $1 * $1 } })
        }
        let z0 = widths.enumerated().map { k, n in (0..<(batch * n)).map { _ in k < 3 ? max(0, uniform()) : uniform() } }
        let r0 = widths.map { n in (0..<(batch * n)).map { _ in uniform() / 4 } }
        let z = z0.map(buffer), r = r0.map(buffer)
        defer { for p in weights + norms + z + r { p.deallocate() } }
        var layers: [ck_lifted_layer] = []
        for k in 0..<4 {
            let hidden = k < 3
            var layer = ck_lifted_layer()
            layer.units = Int64(widths[k])
            layer.set = hidden ? sets[k] : CK_LIFTED_LINEAR
            layer.weights = hidden ? UnsafePointer(weights[k]) : nil
            layer.row_norms = hidden ? UnsafePointer(norms[k]) : nil
            layer.z = z[k]
            layer.residual = r[k]
            layers.append(layer)
        }
        let updates = Double(batch * sweeps * widths.dropLast().reduce(0, +))

        /// One timed call: restore the start state (so each repeat does the same work), then descend.
        func call() -> ck_status {
            for k in 0..<4 {
                z[k].update(from: z0[k], count: z0[k].count)
                r[k].update(from: r0[k], count: r0[k].count)
            }
            return ck_lifted_coordinate_descent(Int64(batch), 4, layers, 0, 0.125, Int64(sweeps))
        }

        let detected = ck_isa_detected()
        var table = TextTable(header: ["ISA"] + threadList.flatMap { ["\($0)T ms/call", "\($0)T ns/update", "\($0)T × ref"] })
        var json: [JSONValue] = []
        var refNs: [Int: Double] = [:]
        for isa in [CK_ISA_REF, CK_ISA_AVX2, CK_ISA_AVX512] where isa.rawValue <= detected.rawValue {
            _ = ck_set_max_isa(isa)
            let name = String(cString: ck_isa_name(isa))
            var row = [name]
            for t in threadList {
                ck_set_num_threads(Int32(t))
                guard call() == CK_OK else { throw ValidationError("ck_lifted_coordinate_descent failed on \(name)") }
                let seconds = medianSeconds(repeats: common.repeats) { _ = call() }
                let ns = seconds * 1e9 / updates
                if isa == CK_ISA_REF { refNs[t] = ns }
                let speedup = refNs[t].map { $0 / ns }
                row += [fmt(seconds * 1e3, 2), fmt(ns, 2), speedup.map { fmt($0, 1) } ?? "-"]
                json.append(.object([("isa", .string(name)), ("threads", .number(Double(t))), ("seconds", .number(seconds)),
                                     ("ns_per_update", .number(ns))]))
            }
            table.add(row)
        }
        _ = ck_set_max_isa(detected)
        ck_set_num_threads(0)
        if common.json {
            print(JSONValue.object([("batch", .number(Double(batch))), ("sweeps", .number(Double(sweeps))),
                                    ("results", .array(json))]).text)
        } else {
            print("ck-bench lifted: 784-64-64-64-10 (ReLU), batch \(batch), \(sweeps) sweeps, free output, γ = 1/8; median of \(common.repeats) (each call restores the start state first)")
            print(table.render())
        }
    }
}
