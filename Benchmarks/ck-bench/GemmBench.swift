import ArgumentParser
import CBenchSupport
import CKernels
import DualPropKernels

/// One GEMM shape of the benchmark: C (m×n) = A (m×k) · B (k×n), all row-major.
struct GemmShape {
    let name: String
    let m: Int, n: Int, k: Int
    var flops: Double { 2 * Double(m) * Double(n) * Double(k) }
}

/// The benchmark's shapes: the im2col GEMMs of VGG16's 13 convolutions at batch 100 on 32×32
/// inputs (M = Cout, N = H·W·batch, K = 9·Cin; conv k runs at the resolution of its input, so
/// pooling after convs 2, 4, 7, 10 and 13 halves it), the classifier GEMMs (M = batch,
/// N = outputs, K = inputs), and squares.
func gemmShapes(includeSquare4096: Bool) -> [GemmShape] {
    let batch = 100
    // (Cin, Cout, spatial side) of each convolution.
    let convs: [(Int, Int, Int)] = [
        (3, 64, 32), (64, 64, 32), (64, 128, 16), (128, 128, 16),
        (128, 256, 8), (256, 256, 8), (256, 256, 8),
        (256, 512, 4), (512, 512, 4), (512, 512, 4),
        (512, 512, 2), (512, 512, 2), (512, 512, 2),
    ]
    var shapes = convs.enumerated().map { i, c in
        GemmShape(name: "vgg-conv\(i + 1)", m: c.1, n: c.2 * c.2 * batch, k: 9 * c.0)
    }
    shapes += [
        GemmShape(name: "fc-512-4096", m: batch, n: 4096, k: 512),
        GemmShape(name: "fc-4096-4096", m: batch, n: 4096, k: 4096),
        GemmShape(name: "fc-4096-10", m: batch, n: 10, k: 4096),
    ]
    for side in [512, 1024, 2048, 4096] where side < 4096 || includeSquare4096 {
        shapes.append(GemmShape(name: "square-\(side)", m: side, n: side, k: side))
    }
    return shapes
}

/// `ck-bench gemm`: SGEMM GFLOP/s per shape and thread count, beside the FMA peak.
struct GemmBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gemm",
        abstract: "SGEMM throughput (GFLOP/s, median of repeats) on VGG16, classifier and square shapes."
    )

    @OptionGroup var common: CommonBenchOptions

    @Flag(help: "Skip the 4096² square (the slowest shape).")
    var skip4096 = false

    @Option(help: "Only shapes whose name contains this text.")
    var filter: String?

    @Option(help: "Only the shape with exactly this name.")
    var exact: String?

    @Flag(help: "Print the shapes as 'name m n k' lines and exit (used by Benchmarks/gemm-vs-openblas.sh).")
    var listShapes = false

    @Flag(help: "Do not measure the FMA peak.")
    var noPeak = false

    func run() throws {
        warnIfDebugBuild()
        var shapes = gemmShapes(includeSquare4096: !skip4096)
        if let filter { shapes = shapes.filter { $0.name.contains(filter) } }
        if let exact { shapes = shapes.filter { $0.name == exact } }
        if listShapes {
            for s in shapes { print(s.name, s.m, s.n, s.k) }
            return
        }
        let threadCounts = try common.threadCounts
        let savedThreads = Runtime.threads
        defer { Runtime.threads = savedThreads }

        var peak: [Int: Double] = [:]
        if !noPeak { for t in threadCounts { peak[t] = cbs_fma_peak_gflops(Int32(t), 0.3) } }

        var table = TextTable(header: ["shape", "m", "n", "k", "threads", "ms", "GFLOP/s", "% peak"])
        var results: [JSONValue] = []
        for shape in shapes {
            let a = Tensor(shape: [shape.m, shape.k], repeating: 0.5)
            let b = Tensor(shape: [shape.k, shape.n], repeating: 0.25)
            var c = Tensor(shape: [shape.m, shape.n])
            for t in threadCounts {
                Runtime.threads = t
                let seconds = try medianSeconds(repeats: common.repeats) { try matmul(a, b, into: &c) }
                let gflops = shape.flops / seconds * 1e-9
                let pct = peak[t].map { 100 * gflops / $0 }
                table.add([shape.name, "\(shape.m)", "\(shape.n)", "\(shape.k)", "\(t)", fmt(seconds * 1e3, 2),
                           fmt(gflops), pct.map { fmt($0) } ?? "-"])
                var entry: [(String, JSONValue)] = [
                    ("shape", .string(shape.name)), ("m", .number(Double(shape.m))),
                    ("n", .number(Double(shape.n))), ("k", .number(Double(shape.k))),
                    ("threads", .number(Double(t))), ("seconds", .number(seconds)), ("gflops", .number(gflops)),
                ]
                if let pct { entry.append(("percent_of_peak", .number(pct))) }
                results.append(.object(entry))
            }
        }
        let kernel = Runtime.implementationName(.sgemm)
        if common.json {
            let peaks = threadCounts.compactMap { t in peak[t].map { JSONValue.object([("threads", .number(Double(t))), ("gflops", .number($0))]) } }
            print(JSONValue.object([
                ("benchmark", .string("gemm")), ("isa", .string(Runtime.activeISA.description)),
                ("kernel", .string(kernel)), ("repeats", .number(Double(common.repeats))),
                ("fma_peak", .array(peaks)), ("results", .array(results)),
            ]).text)
        } else {
            print("SGEMM, ISA \(Runtime.activeISA), kernel \(kernel), median of \(common.repeats) repeats")
            for t in threadCounts { if let p = peak[t] { print("FMA peak, \(t) thread(s): \(fmt(p)) GFLOP/s") } }
            print(table.render())
        }
    }
}
