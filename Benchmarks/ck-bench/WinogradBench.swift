import ArgumentParser
import CBenchSupport
import CKernels
import DualPropKernels
#if canImport(Glibc)
import Glibc
#endif

/// `ck-bench wino`: Winograd F(2×2,3×3) and F(4×4,3×3) against the direct path (direct 3x3 leaf,
/// or im2col+SGEMM where the ISA has none) on the VGG16 layers: forward and backward-data (direct,
/// F(2×2), F(4×4)) and backward-weights (direct, F(2×2)), in interleaved rounds so that load from
/// other processes hits every algorithm alike.
struct WinogradBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "wino",
        abstract: "VGG16 3x3 layers: Winograd F(2x2), F(4x4) vs direct: fwd, bwd-data and bwd-weights ms (median of interleaved rounds)."
    )

    @OptionGroup var common: CommonBenchOptions

    @Option(help: "Batch size.")
    var batch: Int = 100

    @Option(help: "Only layers whose name is in this comma-separated list (e.g. conv2,conv4).")
    var layers: String?

    @Flag(help: "Do not measure the FMA peak (no % of peak columns).")
    var noPeak = false

    @Flag(help: "Time with the process CPU clock (divided by the thread count), FMA peak included, instead of the wall clock: steadier for 1 thread on a shared machine (with more threads it also counts workers spinning while they wait).")
    var cpuTime = false

    /// Seconds on the clock the options chose.
    func clock() -> Double {
        if !cpuTime { return now() }
        var ts = timespec()
        clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) * 1e-9
    }

    /// Multiplications a pass really performs: Winograd F(2×2) 16 per 2x2 tile and channel pair,
    /// F(4×4) 36 per 4x4 tile; the direct leaves skip padding taps ((3H−2)(3W−2) per image);
    /// im2col multiplies all 9·H·W. The same counts hold for backward-weights (a product per tap,
    /// pixel and channel pair).
    static func multiplications(_ algorithm: String, batch: Int, side: Int, cin: Int, cout: Int) -> Double {
        let pairs = Double(batch * cin * cout)
        if algorithm.hasPrefix("winograd F(4x4") { return pairs * 36 * Double(((side + 3) / 4) * ((side + 3) / 4)) }
        if algorithm.hasPrefix("winograd") { return pairs * 16 * Double(((side + 1) / 2) * ((side + 1) / 2)) }
        if algorithm.hasPrefix("direct") { let v = side == 1 ? 1 : 3 * side - 2; return pairs * Double(v * v) }
        return pairs * Double(9 * side * side)
    }

    func run() throws {
        warnIfDebugBuild()
        var selected = vgg16ConvLayers
        if let layers {
            let names = Set(layers.split(separator: ",").map(String.init))
            selected = selected.filter { names.contains($0.name) }
        }
        let saved = Runtime.threads, savedAlgo = Runtime.convAlgorithm
        defer { Runtime.threads = saved; Runtime.convAlgorithm = savedAlgo }
        var peak: [Int: Double] = [:]
        if !noPeak { for t in try common.threadCounts { peak[t] = cbs_fma_peak_gflops_on(Int32(t), 0.3, cpuTime ? 1 : 0) } }
        var table = TextTable(header: ["layer", "HxW", "C->K", "thr", "fwd direct", "F2", "F4", "d/F2", "d/F4",
                                       "bwd-d direct", "F2", "F4", "d/F2", "d/F4", "% peak fwd d/F2/F4",
                                       "% peak bwd-d d/F2/F4", "bwd-w direct", "F2", "d/F2", "% peak bwd-w d/F2",
                                       "auto fwd", "auto bwd-d", "auto bwd-w"])
        let algorithms: [ConvAlgorithm] = [.direct, .winograd2x2, .winograd4x4]
        for layer in selected {
            var p = ck_conv2d_params(n: Int64(batch), h: Int64(layer.side), w: Int64(layer.side), c: Int64(layer.cin),
                                     k: Int64(layer.cout), r: 3, s: 3, stride_h: 1, stride_w: 1, pad_h: 1, pad_w: 1)
            let px = batch * layer.side * layer.side
            let x = BenchBuffer(count: px * layer.cin, value: 0.01), dx = BenchBuffer(count: px * layer.cin, value: 0)
            let y = BenchBuffer(count: px * layer.cout, value: 0), dy = BenchBuffer(count: px * layer.cout, value: 0.02)
            let w = BenchBuffer(count: 9 * layer.cin * layer.cout, value: 0.03)
            let dw = BenchBuffer(count: 9 * layer.cin * layer.cout, value: 0)
            let bias = BenchBuffer(count: layer.cout, value: 0.1)
            func names(_ algo: ConvAlgorithm) -> (String, String) {
                Runtime.convAlgorithm = algo
                return (String(cString: ck_conv2d_algorithm_name(&p, CK_CONV2D_FWD)),
                        String(cString: ck_conv2d_algorithm_name(&p, CK_CONV2D_BWD_DATA)))
            }
            func weightsName(_ algo: ConvAlgorithm) -> String {
                Runtime.convAlgorithm = algo
                return String(cString: ck_conv2d_algorithm_name(&p, CK_CONV2D_BWD_WEIGHTS))
            }
            let (autoF, autoB) = names(.auto)
            let autoW = weightsName(.auto), directW = weightsName(.direct), winoW = weightsName(.winograd2x2)
            let algoNames = algorithms.map(names) // (fwd, bwd-data) per algorithm
            func mults(_ algorithm: String, backward: Bool) -> Double {
                Self.multiplications(algorithm, batch: batch, side: layer.side,
                                     cin: backward ? layer.cout : layer.cin, cout: backward ? layer.cin : layer.cout)
            }
            for t in try common.threadCounts {
                Runtime.threads = t
                // slots: fwd direct, F2, F4, then bwd-data direct, F2, F4, then bwd-weights direct, F2
                var times = [[Double]](repeating: [], count: 8)
                for round in 0...max(common.repeats, 1) {
                    for bwd in [false, true] {
                        for (i, algo) in algorithms.enumerated() {
                            Runtime.convAlgorithm = algo
                            let t0 = clock()
                            let st = bwd ? ck_conv2d_bwd_data(&p, dy.pointer, w.pointer, dx.pointer, nil, 0)
                                         : ck_conv2d_fwd(&p, x.pointer, w.pointer, bias.pointer, y.pointer, nil, 0)
                            if st != CK_OK { throw KernelBenchError(status: st, layer: layer.name) }
                            if round > 0 { times[(bwd ? 3 : 0) + i].append(clock() - t0) } // round 0 warms up
                        }
                    }
                    for (i, algo) in [ConvAlgorithm.direct, .winograd2x2].enumerated() {
                        Runtime.convAlgorithm = algo
                        let t0 = clock()
                        let st = ck_conv2d_bwd_weights(&p, x.pointer, dy.pointer, 0, dw.pointer, nil, 0)
                        if st != CK_OK { throw KernelBenchError(status: st, layer: layer.name) }
                        if round > 0 { times[6 + i].append(clock() - t0) }
                    }
                }
                let med = times.map { $0.sorted()[$0.count / 2] * 1e3 / (cpuTime ? Double(t) : 1) }
                // share of the FMA peak in multiplications really performed (2 FLOPs each)
                func pct(_ m: Double, _ ms: Double) -> String { peak[t].map { fmt(100 * 2 * m / (ms * 1e6) / $0, 0) } ?? "-" }
                func peaks(_ bwd: Bool) -> String {
                    (0..<3).map { i in
                        let name = bwd ? algoNames[i].1 : algoNames[i].0
                        return pct(mults(name, backward: bwd), med[(bwd ? 3 : 0) + i])
                    }.joined(separator: "/")
                }
                table.add([layer.name, "\(layer.side)x\(layer.side)", "\(layer.cin)->\(layer.cout)", "\(t)",
                           fmt(med[0], 2), fmt(med[1], 2), fmt(med[2], 2), fmt(med[0] / med[1], 2), fmt(med[0] / med[2], 2),
                           fmt(med[3], 2), fmt(med[4], 2), fmt(med[5], 2), fmt(med[3] / med[4], 2), fmt(med[3] / med[5], 2),
                           peaks(false), peaks(true),
                           fmt(med[6], 2), fmt(med[7], 2), fmt(med[6] / med[7], 2),
                           pct(mults(directW, backward: false), med[6]) + "/" + pct(mults(winoW, backward: false), med[7]),
                           autoF, autoB, autoW])
            }
        }
        print("Winograd F(2x2,3x3) (F2) and F(4x4,3x3) (F4) vs direct, batch \(batch), ISA \(Runtime.activeISA), SGEMM \(Runtime.implementationName(.sgemm)), median of \(common.repeats) interleaved rounds\(cpuTime ? " (process CPU time / threads)" : ""); d/F = direct time / Winograd time (> 1: Winograd faster)")
        print("% peak: multiplications really performed (F2 16 per 2x2 tile, F4 36 per 4x4 tile, direct without padding taps, im2col all 9) x 2 / time, over the FMA peak"
              + (peak.isEmpty ? "" : " (" + peak.sorted { $0.key < $1.key }.map { "\($0.key) thr: \(fmt($0.value, 0)) GFLOP/s" }.joined(separator: ", ") + ")"))
        print(table.render())
    }
}
