import ArgumentParser
import CBenchSupport
import CKernels
import Foundation

/// `ck-bench nudge`: bandwidth of the fused activation kernels at large n against the machine's
/// copy bandwidth, and the ULP error of each family's f on the active ISA.
///
/// Bytes are counted as the kernel's compulsory traffic: every array read once and written once
/// (nudge reads a, v and writes s⁺, s⁻, s̄: 5·4·n; Fenchel reads a, g, writes e: 3·4·n; Bregman
/// forward reads z, u, writes out: 3·4·n; f alone 2·4·n). Copy moves 2·4·n (non-temporal stores).
struct NudgeBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "nudge",
        abstract: "GB/s of the fused nudge / Fenchel / Bregman kernels vs copy bandwidth, and ULP error of f.")

    @OptionGroup var common: CommonBenchOptions

    @Option(help: "Elements per array.")
    var n: Int = 10_000_000

    func run() throws {
        warnIfDebugBuild()
        let threadList = try common.threadCounts
        let count = n
        func buffer(_ fill: (Int) -> Float) -> UnsafeMutablePointer<Float> {
            var raw: UnsafeMutableRawPointer?
            precondition(posix_memalign(&raw, 64, count * 4) == 0, "allocation of \(count) floats failed")
            let p = raw!.bindMemory(to: Float.self, capacity: count)
            for i in 0..<count { p[i] = fill(i) }  // touch every page before timing
            return p
        }
        let a = buffer { Float(($0 * 7919) % 20011) / 20011 * 8 - 4 }
        let v = buffer { Float(($0 * 104729) % 30011) / 30011 * 4 - 2 }
        let o1 = buffer { _ in 0 }, o2 = buffer { _ in 0 }, o3 = buffer { _ in 0 }
        defer { for p in [a, v, o1, o2, o3] { free(p) } }
        let nn = Int64(count)
        let isa = String(cString: ck_isa_name(ck_isa_active()))

        func gbps(_ bytesPerElement: Int, _ threads: Int, _ body: () -> Void) -> Double {
            ck_set_num_threads(Int32(threads))
            let t = medianSeconds(repeats: common.repeats, body)
            return Double(bytesPerElement * count) / t / 1e9
        }
        var copy: [Int: Double] = [:]
        for t in threadList { copy[t] = gbps(8, t) { cbs_stream_copy(o1, a, nn, Int32(t)) } }

        var table = TextTable(header: ["activation"] + threadList.flatMap { ["nudge \($0)T GB/s", "% copy"] }
            + threadList.map { "fenchel \($0)T" } + threadList.map { "bregman \($0)T" } + ["f max ULP", "f max ULP |x|<1e-3"])
        var json: [JSONValue] = []
        for kind in 0..<Int(CK_ACT_KIND_COUNT.rawValue) {
            let act = ck_activation(kind: ck_activation_kind(UInt32(kind)), param: 0.1)
            let name = String(cString: ck_activation_name(act.kind))
            var row = [name]
            var entry: [(String, JSONValue)] = [("activation", .string(name)), ("isa", .string(isa))]
            for t in threadList {
                let g = gbps(20, t) { _ = ck_nudge(act, CK_RULE_DPT, 0.5, a, v, o1, o2, o3, nn) }
                row += [fmt(g, 2), fmt(100 * g / copy[t]!, 0)]
                entry.append(("nudge_gbps_\(t)t", .number(g)))
                entry.append(("nudge_pct_copy_\(t)t", .number(100 * g / copy[t]!)))
            }
            for t in threadList {
                let g = gbps(12, t) { _ = ck_fenchel_error(act, 0.5, a, v, o1, nn) }
                row.append(fmt(g, 2)); entry.append(("fenchel_gbps_\(t)t", .number(g)))
            }
            for t in threadList {
                let g = gbps(12, t) { _ = ck_bregman_fwd(act, a, v, o1, nn) }
                row.append(fmt(g, 2)); entry.append(("bregman_fwd_gbps_\(t)t", .number(g)))
            }
            let (ulp, ulpSmall) = maxULP(act)
            row += [fmt(ulp, 1), fmt(ulpSmall, 1)]
            entry.append(("f_max_ulp", .number(ulp)))
            entry.append(("f_max_ulp_small", .number(ulpSmall)))
            table.add(row)
            json.append(.object(entry))
        }
        ck_set_num_threads(0)
        if common.json {
            print(JSONValue.object([("n", .number(Double(count))), ("isa", .string(isa)),
                                    ("copy_gbps", .object(threadList.map { ("\($0)t", .number(copy[$0]!)) })),
                                    ("kernels", .array(json))]).text)
        } else {
            print("ck-bench nudge: n = \(count), ISA \(isa), median of \(common.repeats); bytes: nudge 20n, fenchel 12n, bregman 12n")
            print("copy (cbs_stream_copy, 8n bytes): " + threadList.map { "\($0)T \(fmt(copy[$0]!, 2)) GB/s" }.joined(separator: ", "))
            print(table.render())
            print("f max ULP: vs a float64 oracle over 2^20 points in [-20, 20] and 2^16 in [-1e-3, 1e-3].")
        }
    }

    /// Max ULP error of f on the active ISA against Foundation's float64 functions.
    func maxULP(_ act: ck_activation) -> (Double, Double) {
        func sweep(_ m: Int, _ lo: Double, _ hi: Double) -> Double {
            var x = (0..<m).map { Float(lo + (hi - lo) * Double($0) / Double(m - 1)) }
            var y = [Float](repeating: 0, count: m)
            _ = ck_activation_apply(act, CK_ACT_FN_F, &x, &y, Int64(m))
            var worst = 0.0
            for i in 0..<m {
                let r = reference(act, Double(x[i]))
                let rf = Float(r)
                let ulp = Double(rf == 0 ? Float.leastNormalMagnitude : rf.ulp)
                worst = max(worst, abs(Double(y[i]) - r) / ulp)
            }
            return worst
        }
        return (sweep(1 << 20, -20, 20), sweep(1 << 16, -1e-3, 1e-3))
    }

    func reference(_ act: ck_activation, _ x: Double) -> Double {
        switch act.kind {
        case CK_ACT_IDENTITY: return x
        case CK_ACT_RELU: return max(0, x)
        case CK_ACT_HARD_SIGMOID: return min(max(x, 0), 1)
        case CK_ACT_LEAKY_RELU: return x >= 0 ? x : Double(act.param) * x
        case CK_ACT_SIGMOID: return 1 / (1 + exp(-x))
        case CK_ACT_TANH: return tanh(x)
        case CK_ACT_ISRU: return x / (1 + x * x).squareRoot()
        case CK_ACT_SOFTPLUS: return max(x, 0) + log1p(exp(-abs(x)))
        case CK_ACT_ARCTAN: return atan(x)
        case CK_ACT_SIN: return sin(min(max(x, -Double.pi / 2), Double.pi / 2))
        default: return asinh(x)
        }
    }
}
