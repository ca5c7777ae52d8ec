import ArgumentParser
import CBenchSupport
import CKernels
import DualPropKernels
#if canImport(Glibc)
import Glibc
#endif

/// One 3x3/stride 1/pad 1 convolution of VGG16 on 32×32 inputs.
struct ConvLayer {
    let name: String
    let side: Int, cin: Int, cout: Int
    /// Nominal FLOPs of one pass (every tap, padding included) at batch `n`: 2·N·H·W·K·9·C.
    func flops(batch n: Int) -> Double { 2 * Double(n * side * side * cout * 9 * cin) }
}

/// VGG16's 13 convolutions (conv k runs at its input's resolution; pooling after 2, 4, 7, 10, 13).
let vgg16ConvLayers: [ConvLayer] = [
    (32, 3, 64), (32, 64, 64), (16, 64, 128), (16, 128, 128),
    (8, 128, 256), (8, 256, 256), (8, 256, 256),
    (4, 256, 512), (4, 512, 512), (4, 512, 512),
    (2, 512, 512), (2, 512, 512), (2, 512, 512),
].enumerated().map { i, l in ConvLayer(name: "conv\(i + 1)", side: l.0, cin: l.1, cout: l.2) }

/// A 64-byte-aligned float buffer for the benchmark (filled once; first-touch outside timing).
final class BenchBuffer {
    let pointer: UnsafeMutablePointer<Float>
    init(count: Int, value: Float) {
        var raw: UnsafeMutableRawPointer?
        precondition(posix_memalign(&raw, 64, max(count, 1) * 4) == 0, "BenchBuffer: out of memory")
        pointer = raw!.bindMemory(to: Float.self, capacity: max(count, 1))
        for i in 0..<count { pointer[i] = value * Float(i % 7 - 3) }
    }
    deinit { free(pointer) }
}

/// `ck-bench conv`: per-layer VGG16 convolution times (forward, backward-data, backward-weights).
struct ConvBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "conv",
        abstract: "VGG16 3x3 convolutions (32×32 inputs): fwd / bwd-data / bwd-weights ms and GFLOP/s per layer."
    )

    @OptionGroup var common: CommonBenchOptions

    @Option(help: "Batch size.")
    var batch: Int = 100

    @Option(help: "Only layers whose name is in this comma-separated list (e.g. conv1,conv2).")
    var layers: String?

    func validate() throws {
        guard batch > 0 else { throw ValidationError("--batch must be positive, got \(batch)") }
    }

    func run() throws {
        warnIfDebugBuild()
        var selected = vgg16ConvLayers
        if let layers {
            let names = Set(layers.split(separator: ",").map(String.init))
            selected = selected.filter { names.contains($0.name) }
        }
        let threadCounts = try common.threadCounts
        let saved = Runtime.threads
        defer { Runtime.threads = saved }

        var table = TextTable(header: ["layer", "HxW", "C->K", "threads", "algorithm", "fwd ms", "bwd-data ms",
                                       "bwd-w ms", "sum ms", "fwd GF/s", "bwd-d GF/s", "bwd-w GF/s"])
        var results: [JSONValue] = []
        var totals: [Int: Double] = [:]
        for layer in selected {
            var p = ck_conv2d_params(n: Int64(batch), h: Int64(layer.side), w: Int64(layer.side), c: Int64(layer.cin),
                                     k: Int64(layer.cout), r: 3, s: 3, stride_h: 1, stride_w: 1, pad_h: 1, pad_w: 1)
            let px = batch * layer.side * layer.side
            let x = BenchBuffer(count: px * layer.cin, value: 0.01), dx = BenchBuffer(count: px * layer.cin, value: 0)
            let y = BenchBuffer(count: px * layer.cout, value: 0), dy = BenchBuffer(count: px * layer.cout, value: 0.02)
            let w = BenchBuffer(count: 9 * layer.cin * layer.cout, value: 0.03)
            let dw = BenchBuffer(count: 9 * layer.cin * layer.cout, value: 0)
            let bias = BenchBuffer(count: layer.cout, value: 0.1)
            // the algorithm of each pass, written once when all three agree ("fwd / bwd-d / bwd-w" otherwise)
            let passNames = [CK_CONV2D_FWD, CK_CONV2D_BWD_DATA, CK_CONV2D_BWD_WEIGHTS].map {
                String(cString: ck_conv2d_algorithm_name(&p, $0))
            }
            let algorithm = Set(passNames).count == 1 ? passNames[0] : passNames.joined(separator: " / ")
            for t in threadCounts {
                Runtime.threads = t
                func time(_ body: () -> ck_status) throws -> Double {
                    try medianSeconds(repeats: common.repeats) {
                        let st = body()
                        if st != CK_OK { throw KernelBenchError(status: st, layer: layer.name) }
                    }
                }
                let fwd = try time { ck_conv2d_fwd(&p, x.pointer, w.pointer, bias.pointer, y.pointer, nil, 0) }
                let bwdData = try time { ck_conv2d_bwd_data(&p, dy.pointer, w.pointer, dx.pointer, nil, 0) }
                let bwdWeights = try time { ck_conv2d_bwd_weights(&p, x.pointer, dy.pointer, 0, dw.pointer, nil, 0) }
                let sum = fwd + bwdData + bwdWeights
                totals[t, default: 0] += sum
                let f = layer.flops(batch: batch) * 1e-9
                table.add([layer.name, "\(layer.side)x\(layer.side)", "\(layer.cin)->\(layer.cout)", "\(t)", algorithm,
                           fmt(fwd * 1e3, 2), fmt(bwdData * 1e3, 2), fmt(bwdWeights * 1e3, 2), fmt(sum * 1e3, 2),
                           fmt(f / fwd), fmt(f / bwdData), fmt(f / bwdWeights)])
                results.append(.object([
                    ("layer", .string(layer.name)), ("side", .number(Double(layer.side))),
                    ("cin", .number(Double(layer.cin))), ("cout", .number(Double(layer.cout))),
                    ("threads", .number(Double(t))), ("algorithm", .string(algorithm)),
                    ("fwd_ms", .number(fwd * 1e3)), ("bwd_data_ms", .number(bwdData * 1e3)),
                    ("bwd_weights_ms", .number(bwdWeights * 1e3)), ("gflop_per_pass", .number(f)),
                ]))
            }
        }
        for t in threadCounts {
            table.add(["total", "", "", "\(t)", "", "", "", "", fmt((totals[t] ?? 0) * 1e3, 1), "", "", ""])
        }
        if common.json {
            print(JSONValue.object([
                ("benchmark", .string("conv")), ("isa", .string(Runtime.activeISA.description)),
                ("sgemm", .string(Runtime.implementationName(.sgemm))), ("batch", .number(Double(batch))),
                ("repeats", .number(Double(common.repeats))), ("results", .array(results)),
                ("totals_ms", .array(threadCounts.map { t in
                    .object([("threads", .number(Double(t))), ("ms", .number((totals[t] ?? 0) * 1e3))]) })),
            ]).text)
        } else {
            print("VGG16 convolutions, batch \(batch), NHWC/RSCK, ISA \(Runtime.activeISA), SGEMM \(Runtime.implementationName(.sgemm)), median of \(common.repeats)")
            print("GFLOP/s are nominal (all 9 taps, padding included): 2·N·H·W·K·9·C per pass.")
            print(table.render())
        }
    }
}

/// A kernel failure inside the benchmark.
struct KernelBenchError: Error, CustomStringConvertible {
    let status: ck_status
    let layer: String
    var description: String { "\(layer): \(String(cString: ck_status_string(status)))" }
}
