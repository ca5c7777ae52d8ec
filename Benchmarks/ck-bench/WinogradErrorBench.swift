import ArgumentParser
import CKernels
import DualPropKernels
import Foundation

/// `ck-bench wino-error`: float32 error of direct, Winograd F(2×2,3×3) and F(4×4,3×3) against a
/// float64 oracle on the VGG16 3x3 layer shapes, forward and backward-data. Inputs as in
/// training: x ∈ [0, 1) (post-ReLU activations), weights uniform ±√(6/(9·C)) (He), dy ∈ [−1, 1).
/// Errors per output element: |ŷ − y| / Σ|x·w| (the error relative to the sum of absolute
/// products, which every bound scales with) and, over the tensor, max|ŷ − y| / max|y|.
struct WinogradErrorBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "wino-error",
        abstract: "VGG16 3x3 layers: float32 error of direct, F(2x2) and F(4x4) against float64."
    )

    @Option(help: "Batch size (the float64 oracle is a plain loop: keep it small).")
    var batch: Int = 2

    @Option(help: "Only layers whose name is in this comma-separated list (e.g. conv2,conv4).")
    var layers: String?

    @Option(help: "Random seed.")
    var seed: UInt64 = 1

    /// A small deterministic generator (xorshift64*), uniform in [0, 1).
    struct Uniform {
        var state: UInt64
        mutating func next() -> Double {
            state ^= state >> 12; state ^= state << 25; state ^= state >> 27
            return Double((state &* 2_685_821_657_736_338_717) >> 11) / Double(1 << 53)
        }
    }

    func run() throws {
        var selected = vgg16ConvLayers
        if let layers {
            let names = Set(layers.split(separator: ",").map(String.init))
            selected = selected.filter { names.contains($0.name) }
        }
        let savedAlgo = Runtime.convAlgorithm
        defer { Runtime.convAlgorithm = savedAlgo }
        var rng = Uniform(state: seed | 1)
        var table = TextTable(header: ["layer", "HxW", "C->K", "pass", "direct max", "direct mean", "F2 max", "F2 mean",
                                       "F4 max", "F4 mean", "direct norm", "F2 norm", "F4 norm"])
        for layer in selected {
            let n = batch, s = layer.side, c = layer.cin, k = layer.cout
            var p = ck_conv2d_params(n: Int64(n), h: Int64(s), w: Int64(s), c: Int64(c), k: Int64(k), r: 3, s: 3,
                                     stride_h: 1, stride_w: 1, pad_h: 1, pad_w: 1)
            let scale = (6.0 / Double(9 * c)).squareRoot()
            let x = (0..<(n * s * s * c)).map { _ in Float(rng.next()) }
            let w = (0..<(9 * c * k)).map { _ in Float((2 * rng.next() - 1) * scale) }
            let dy = (0..<(n * s * s * k)).map { _ in Float(2 * rng.next() - 1) }
            for backward in [false, true] {
                // float64 oracle and Σ|products| per output element
                let cin = backward ? k : c, cout = backward ? c : k, src = backward ? dy : x
                var ref = [Double](repeating: 0, count: n * s * s * cout), abs = ref
                for b in 0..<n { for h in 0..<s { for q in 0..<s {
                    let o = ((b * s + h) * s + q) * cout
                    for r in 0..<3 { for t in 0..<3 {
                        // forward: x[h+r−1][q+t−1] · w[r][t][ci][co]; backward-data: dy[h−r+1][q−t+1] · w[r][t][co][ci]
                        let ih = backward ? h - r + 1 : h + r - 1, iq = backward ? q - t + 1 : q + t - 1
                        guard ih >= 0, ih < s, iq >= 0, iq < s else { continue }
                        let i = ((b * s + ih) * s + iq) * cin
                        for ci in 0..<cin {
                            let xv = Double(src[i + ci])
                            for co in 0..<cout {
                                let wv = Double(backward ? w[((r * 3 + t) * c + co) * k + ci] : w[((r * 3 + t) * c + ci) * k + co])
                                ref[o + co] += xv * wv
                                abs[o + co] += Swift.abs(xv * wv)
                            }
                        }
                    } }
                } } }
                let refMax = ref.map { Swift.abs($0) }.max() ?? 1
                var cells: [String] = [], norms: [String] = []
                for algo in [ConvAlgorithm.direct, .winograd2x2, .winograd4x4] {
                    Runtime.convAlgorithm = algo
                    var out = [Float](repeating: 0, count: ref.count)
                    let st = x.withUnsafeBufferPointer { xp in w.withUnsafeBufferPointer { wp in dy.withUnsafeBufferPointer { dp in
                        out.withUnsafeMutableBufferPointer { op in
                            backward ? ck_conv2d_bwd_data(&p, dp.baseAddress, wp.baseAddress, op.baseAddress, nil, 0)
                                     : ck_conv2d_fwd(&p, xp.baseAddress, wp.baseAddress, nil, op.baseAddress, nil, 0)
                        }
                    } } }
                    if st != CK_OK { throw KernelBenchError(status: st, layer: layer.name) }
                    var worst = 0.0, sum = 0.0, absWorst = 0.0
                    for i in 0..<ref.count {
                        let e = Swift.abs(Double(out[i]) - ref[i])
                        absWorst = max(absWorst, e)
                        let rel = abs[i] > 0 ? e / abs[i] : 0
                        worst = max(worst, rel)
                        sum += rel
                    }
                    cells += [String(format: "%.2e", worst), String(format: "%.2e", sum / Double(ref.count))]
                    norms.append(String(format: "%.2e", absWorst / refMax))
                }
                table.add([layer.name, "\(s)x\(s)", "\(c)->\(k)", backward ? "bwd-d" : "fwd"] + cells + norms)
            }
        }
        print("float32 error against float64, batch \(batch), ISA \(Runtime.activeISA); max / mean over outputs of |ŷ − y| / Σ|x·w|; norm = max|ŷ − y| / max|y| (u = 2^-24 = 5.96e-08)")
        print(table.render())
    }
}
