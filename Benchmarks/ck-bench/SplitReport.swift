import ArgumentParser
import CKernels
import DualPropKernels
import Foundation

/// `ck-bench split`: how evenly each kernel's driver splits the VGG16 layers among T threads,
/// computed with the drivers' own split code (`ck_work_split.h`), no timing: balance = mean work
/// per thread / the busiest thread's work (1 = perfect; a kernel that uses only some of the T
/// threads counts the idle ones). Then per kernel over all layers; a kernel (or layer row) with
/// ≥ 5% of a BP step's flops that falls below 0.9 at 16 threads is marked `!`.
struct SplitReport: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "split",
        abstract: "Work-split report: busiest thread vs mean for the VGG16 layers at T = 1…64 (no timing).")

    @Option(help: "Batch sizes, comma separated (100 = one process; 25 = a 4-rank data-parallel share).")
    var batches: String = "100,25"

    @Option(help: "Largest thread count T (every T from 1 up to it is evaluated).")
    var maxThreads: Int = 64

    @Option(help: "Thread counts shown as columns, comma separated.")
    var columns: String = "2,4,8,16,32,64"

    @Flag(help: "Print one JSON document instead of the tables.")
    var json = false

    struct Row: Codable {
        var batch: Int
        var layer: String
        var kernel: String
        var stepShare: Double          // share of the BP step's flops (approximate for pool/nudge)
        var balance: [Double]          // [T − 1] → mean / busiest
        var worstUpTo16: Double
        var worstUpTo32: Double
    }

    /// A unit of the report: one kernel call, its cost (flops) and its split.
    struct Call {
        var layer: String, kernel: String, flops: Double
        var split: (Int32, UnsafeMutablePointer<Double>) -> Int32
    }

    func calls(batch n: Int) -> [Call] {
        var out: [Call] = []
        var side = 32, channels = 3, convIndex = 0, poolIndex = 0
        for c in vgg16ChannelPlan {
            if c == 0 {
                let (s, ch) = (side, channels)
                poolIndex += 1
                out.append(Call(layer: "pool\(poolIndex) \(s)x\(s)x\(ch)", kernel: "pool fwd",
                                flops: Double(n * s * s * ch), split: { ck_maxpool2d_work_split(Int64(n), Int64(s), Int64(s), Int64(ch), $0, $1) }))
                side /= 2
                continue
            }
            convIndex += 1
            let p = ck_conv2d_params(n: Int64(n), h: Int64(side), w: Int64(side), c: Int64(channels), k: Int64(c),
                                     r: 3, s: 3, stride_h: 1, stride_w: 1, pad_h: 1, pad_w: 1)
            let flops = 2.0 * Double(n * side * side * 9 * channels * c)
            let name = "conv\(convIndex) \(side)x\(side) \(channels)→\(c)"
            for (kernel, pass) in [("conv fwd", CK_CONV2D_FWD), ("conv bwd-data", CK_CONV2D_BWD_DATA),
                                   ("conv bwd-weights", CK_CONV2D_BWD_WEIGHTS)] {
                if pass == CK_CONV2D_BWD_DATA && convIndex == 1 { continue } // no gradient into the image
                out.append(Call(layer: name, kernel: kernel, flops: flops, split: { t, w in
                    var q = p
                    return ck_conv2d_work_split(&q, pass, t, w)
                }))
            }
            let elements = n * side * side * c
            out.append(Call(layer: name, kernel: "nudge", flops: 10.0 * Double(elements),
                            split: { ck_nudge_work_split(Int64(elements), $0, $1) }))
            channels = c
        }
        for (i, (inF, outF)) in [(512, 4096), (4096, 4096), (4096, 10)].enumerated() {
            let name = "fc\(i + 1) \(inF)→\(outF)"
            let flops = 2.0 * Double(n * inF * outF)
            out.append(Call(layer: name, kernel: "gemm fwd", flops: flops,
                            split: { ck_gemm_work_split(Int64(n), Int64(outF), Int64(inF), $0, $1) }))
            out.append(Call(layer: name, kernel: "gemm bwd-data", flops: flops,
                            split: { ck_gemm_work_split(Int64(n), Int64(inF), Int64(outF), $0, $1) }))
            out.append(Call(layer: name, kernel: "gemm bwd-weights", flops: flops,
                            split: { ck_gemm_work_split(Int64(inF), Int64(outF), Int64(n), $0, $1) }))
        }
        return out
    }

    func parseList(_ s: String, _ flag: String) throws -> [Int] {
        let list = s.split(separator: ",").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }
        guard !list.isEmpty, list.allSatisfy({ $0 > 0 }) else { throw ValidationError("\(flag): comma-separated positive integers, got '\(s)'") }
        return list
    }

    func run() throws {
        let batchList = try parseList(batches, "--batches"), shown = try parseList(columns, "--columns")
        guard maxThreads >= 1 && maxThreads <= 1024 else { throw ValidationError("--max-threads must be in 1…1024") }
        var rows: [Row] = []
        let work = UnsafeMutablePointer<Double>.allocate(capacity: maxThreads)
        defer { work.deallocate() }
        for batch in batchList {
            let list = calls(batch: batch)
            let total = list.reduce(0) { $0 + $1.flops }
            for call in list {
                var balance = [Double](repeating: 1, count: maxThreads)
                for t in 1...maxThreads {
                    _ = call.split(Int32(t), work)
                    var sum = 0.0, busiest = 0.0
                    for i in 0..<t { sum += work[i]; busiest = max(busiest, work[i]) }
                    balance[t - 1] = busiest > 0 ? sum / Double(t) / busiest : 1
                }
                func worst(_ limit: Int) -> Double { balance.prefix(limit).min()! }
                rows.append(Row(batch: batch, layer: call.layer, kernel: call.kernel, stepShare: call.flops / total,
                                balance: balance, worstUpTo16: worst(16), worstUpTo32: worst(32)))
            }
        }
        if json {
            let enc = JSONEncoder()
            enc.outputFormatting = [.sortedKeys]
            print(String(decoding: try enc.encode(["isa": AnyEncodable(Runtime.activeISA.description), "rows": AnyEncodable(rows)]), as: UTF8.self))
            return
        }
        let cols = shown.filter { $0 <= maxThreads }
        for batch in batchList {
            print("\nWork split, VGG16 at batch \(batch), \(Runtime.activeISA) kernels: balance = mean / busiest thread (1 = even)")
            print("| layer | kernel | step share | " + cols.map { "T=\($0)" }.joined(separator: " | ") + " | worst T≤16 | worst T≤32 | |")
            print("|---|---|---:|" + cols.map { _ in "---:|" }.joined() + "---:|---:|---|")
            for r in rows where r.batch == batch {
                let flag = r.stepShare >= 0.05 && (r.balance.count >= 16 ? r.balance[15] : 1) < 0.9 ? "!" : ""
                print("| \(r.layer) | \(r.kernel) | \(String(format: "%.1f%%", 100 * r.stepShare)) | "
                      + cols.map { String(format: "%.2f", r.balance[$0 - 1]) }.joined(separator: " | ")
                      + String(format: " | %.2f | %.2f | %@ |", r.worstUpTo16, r.worstUpTo32, flag))
            }
            // Per kernel over all layers: Σ work / Σ (work / balance), the balance of the kernel's
            // whole share of the step (each call waits for its busiest thread).
            print("\nPer kernel, all VGG16 layers at batch \(batch):")
            print("| kernel | step share | " + cols.map { "T=\($0)" }.joined(separator: " | ") + " | worst T≤16 | worst T≤32 | |")
            print("|---|---:|" + cols.map { _ in "---:|" }.joined() + "---:|---:|---|")
            var bad: [String] = []
            let batchRows = rows.filter { $0.batch == batch }
            var kernels: [String] = []
            for r in batchRows where !kernels.contains(r.kernel) { kernels.append(r.kernel) }
            for k in kernels {
                let group = batchRows.filter { $0.kernel == k }
                let share = group.reduce(0) { $0 + $1.stepShare }
                let bal = (0..<maxThreads).map { t in
                    group.reduce(0) { $0 + $1.stepShare } / group.reduce(0) { $0 + $1.stepShare / $1.balance[t] }
                }
                let at16 = bal.count >= 16 ? bal[15] : 1
                let flag = share >= 0.05 && at16 < 0.9 ? "!" : ""
                if !flag.isEmpty { bad.append(k) }
                print("| \(k) | \(String(format: "%.1f%%", 100 * share)) | " + cols.map { String(format: "%.2f", bal[$0 - 1]) }.joined(separator: " | ")
                      + String(format: " | %.2f | %.2f | %@ |", bal.prefix(16).min()!, bal.prefix(32).min()!, flag))
            }
            print(bad.isEmpty ? "No kernel with ≥ 5% of the step is below 0.9 balance at 16 threads."
                              : "Below 0.9 balance at 16 threads with ≥ 5% of the step (marked !): \(bad.joined(separator: ", ")).")
        }
    }
}

/// Type-erased Encodable for the JSON document's mixed values.
struct AnyEncodable: Encodable {
    let encodeBody: (Encoder) throws -> Void
    init<T: Encodable>(_ v: T) { encodeBody = v.encode }
    func encode(to encoder: Encoder) throws { try encodeBody(encoder) }
}


/// VGG16's channel plan (0 = max-pool), as DualProp's `Sequential.vgg16Plan` (ck-bench does not
/// link DualProp); classifier 512→4096→4096→10.
let vgg16ChannelPlan = [64, 64, 0, 128, 128, 0, 256, 256, 256, 0, 512, 512, 512, 0, 512, 512, 512, 0]
