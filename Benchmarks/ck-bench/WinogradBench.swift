import ArgumentParser
import CBenchSupport
import CKernels
import DualPropKernels
#if canImport(Glibc)
import Glibc
#endif

/// `ck-bench wino`: Winograd F(2×2,3×3) against the direct path (direct 3x3 leaf, or im2col+SGEMM
/// where the ISA has none) on the VGG16 layers, forward, backward-data and backward-weights, in
/// interleaved rounds (direct, Winograd, direct, …) so that load from other processes hits both alike.
struct WinogradBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "wino",
        abstract: "VGG16 3x3 layers: Winograd vs direct, fwd, bwd-data and bwd-weights ms (median of interleaved rounds)."
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

    /// Multiplications a pass really performs: Winograd 16 per 2x2 tile and channel pair; the
    /// direct leaves skip padding taps ((3H−2)(3W−2) per image); im2col multiplies all 9·H·W.
    /// The same counts hold for backward-weights (a product per tap, pixel and channel pair).
    static func multiplications(_ algorithm: String, batch: Int, side: Int, cin: Int, cout: Int) -> Double {
        let pairs = Double(batch * cin * cout)
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
        var table = TextTable(header: ["layer", "HxW", "C->K", "threads", "fwd direct", "fwd wino", "ratio",
                                       "bwd-d direct", "bwd-d wino", "ratio", "bwd-w direct", "bwd-w wino", "ratio",
                                       "% peak fwd d/w", "% peak bwd-d d/w", "% peak bwd-w d/w",
                                       "auto fwd", "auto bwd-d", "auto bwd-w"])
        for layer in selected {
            var p = ck_conv2d_params(n: Int64(batch), h: Int64(layer.side), w: Int64(layer.side), c: Int64(layer.cin),
                                     k: Int64(layer.cout), r: 3, s: 3, stride_h: 1, stride_w: 1, pad_h: 1, pad_w: 1)
            let px = batch * layer.side * layer.side
            let x = BenchBuffer(count: px * layer.cin, value: 0.01), dx = BenchBuffer(count: px * layer.cin, value: 0)
            let y = BenchBuffer(count: px * layer.cout, value: 0), dy = BenchBuffer(count: px * layer.cout, value: 0.02)
            let w = BenchBuffer(count: 9 * layer.cin * layer.cout, value: 0.03)
            let dw = BenchBuffer(count: 9 * layer.cin * layer.cout, value: 0)
            let bias = BenchBuffer(count: layer.cout, value: 0.1)
            Runtime.convAlgorithm = .auto
            let autoF = String(cString: ck_conv2d_algorithm_name(&p, CK_CONV2D_FWD))
            let autoB = String(cString: ck_conv2d_algorithm_name(&p, CK_CONV2D_BWD_DATA))
            let autoW = String(cString: ck_conv2d_algorithm_name(&p, CK_CONV2D_BWD_WEIGHTS))
            Runtime.convAlgorithm = .direct
            let directF = String(cString: ck_conv2d_algorithm_name(&p, CK_CONV2D_FWD))
            let directB = String(cString: ck_conv2d_algorithm_name(&p, CK_CONV2D_BWD_DATA))
            let directW = String(cString: ck_conv2d_algorithm_name(&p, CK_CONV2D_BWD_WEIGHTS))
            func mults(_ algorithm: String, backward: Bool) -> Double {
                Self.multiplications(algorithm, batch: batch, side: layer.side,
                                     cin: backward ? layer.cout : layer.cin, cout: backward ? layer.cin : layer.cout)
            }
            for t in try common.threadCounts {
                Runtime.threads = t
                // fwd direct, fwd wino, bwd-data direct, bwd-data wino, bwd-w direct, bwd-w wino
                var times = [[Double]](repeating: [], count: 6)
                for round in 0...max(common.repeats, 1) {
                    for (slot, algo, pass) in [(0, ConvAlgorithm.direct, CK_CONV2D_FWD), (1, .winograd, CK_CONV2D_FWD),
                                               (2, .direct, CK_CONV2D_BWD_DATA), (3, .winograd, CK_CONV2D_BWD_DATA),
                                               (4, .direct, CK_CONV2D_BWD_WEIGHTS), (5, .winograd, CK_CONV2D_BWD_WEIGHTS)] {
                        Runtime.convAlgorithm = algo
                        let t0 = clock()
                        let st: ck_status
                        switch pass {
                        case CK_CONV2D_FWD: st = ck_conv2d_fwd(&p, x.pointer, w.pointer, bias.pointer, y.pointer, nil, 0)
                        case CK_CONV2D_BWD_DATA: st = ck_conv2d_bwd_data(&p, dy.pointer, w.pointer, dx.pointer, nil, 0)
                        default: st = ck_conv2d_bwd_weights(&p, x.pointer, dy.pointer, 0, dw.pointer, nil, 0)
                        }
                        if st != CK_OK { throw KernelBenchError(status: st, layer: layer.name) }
                        if round > 0 { times[slot].append(clock() - t0) } // round 0 warms up
                    }
                }
                let med = times.map { $0.sorted()[$0.count / 2] * 1e3 / (cpuTime ? Double(t) : 1) }
                // share of the FMA peak in multiplications really performed (2 FLOPs each)
                func pct(_ m: Double, _ ms: Double) -> String { peak[t].map { fmt(100 * 2 * m / (ms * 1e6) / $0, 0) } ?? "-" }
                let winoF = mults("winograd", backward: false), winoB = mults("winograd", backward: true)
                let winoW = winoF // backward-weights: the forward's (C, K) pairs and taps
                table.add([layer.name, "\(layer.side)x\(layer.side)", "\(layer.cin)->\(layer.cout)", "\(t)",
                           fmt(med[0], 2), fmt(med[1], 2), fmt(med[0] / med[1], 2),
                           fmt(med[2], 2), fmt(med[3], 2), fmt(med[2] / med[3], 2),
                           fmt(med[4], 2), fmt(med[5], 2), fmt(med[4] / med[5], 2),
                           pct(mults(directF, backward: false), med[0]) + "/" + pct(winoF, med[1]),
                           pct(mults(directB, backward: true), med[2]) + "/" + pct(winoB, med[3]),
                           pct(mults(directW, backward: false), med[4]) + "/" + pct(winoW, med[5]), autoF, autoB, autoW])
            }
        }
        print("Winograd F(2x2,3x3) vs direct, batch \(batch), ISA \(Runtime.activeISA), SGEMM \(Runtime.implementationName(.sgemm)), median of \(common.repeats) interleaved rounds\(cpuTime ? " (process CPU time / threads)" : ""); ratio = direct / winograd (> 1: Winograd faster)")
        print("% peak: multiplications really performed (Winograd 16 per 2x2 tile, direct without padding taps, im2col all 9) x 2 / time, over the zmm FMA peak"
              + (peak.isEmpty ? "" : " (" + peak.sorted { $0.key < $1.key }.map { "\($0.key) thr: \(fmt($0.value, 0)) GFLOP/s" }.joined(separator: ", ") + ")"))
        print(table.render())
    }
}
