// dualprop-bench: what one training step of each learning rule costs on VGG16, interleaved so
// that all rules see the same machine load. Prints a table (median seconds, images/s, ratio to
// BP) and, with --json, JSON. Build and run with -c release:
//   swift run -c release dualprop-bench --width 1 --batch 100 --repeats 5 --threads 2
import ArgumentParser
import DualProp
import DualPropData
import Foundation

struct DualPropBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dualprop-bench",
        abstract: "Time one training step (gradients only) of BP and the inference-learning rules on VGG16.")

    @Option(help: "VGG16 width multiplier (1 = the paper's network).") var width: Double = 1
    @Option(help: "Batch size.") var batch: Int = 100
    @Option(help: "Timed repeats per rule (median reported); one warm-up step each first.") var repeats: Int = 5
    @Option(help: "Threads (default: all cores).") var threads: Int?
    @Option(help: "Comma-separated rules: bp, fbp, dpT0, dpTh, dpT1, dph, dpT-fp (16 forward passes, α=½).")
    var rules: String = "bp,fbp,dpT0,dpTh,dpT1,dph"
    @Flag(help: "Print JSON instead of the table.") var json = false

    func rule(_ key: String) throws -> any LearningRule {
        switch key {
        case "bp": return Backpropagation()
        case "fbp": return FenchelBackpropagation(tau: 0.1)
        case "dpT0": return AdjointDualPropagation(alpha: 0, beta: 0.1)
        case "dpTh": return AdjointDualPropagation(alpha: 0.5, beta: 0.01)
        case "dpT1": return AdjointDualPropagation(alpha: 1, beta: 0.01)
        case "dph": return DualPropagation(alpha: 0.5, beta: 0.01)
        case "dpT-fp": return AdjointDualPropagation(alpha: 0.5, beta: 0.01, schedule: .forwardPasses(16))
        default: throw ValidationError("unknown rule '\(key)' (bp, fbp, dpT0, dpTh, dpT1, dph, dpT-fp)")
        }
    }

    func run() throws {
        if let threads { Runtime.threads = threads }
        let keys = rules.split(separator: ",").map(String.init)
        let chosen = try keys.map { try rule($0) }
        let net = Sequential.vgg16(classes: 10, widthMultiplier: width, seed: 1)
        var rng = SplitMix64(seed: 7)
        let x = Tensor(shape: [batch, 32, 32, 3]) { _ in rng.normal() }
        let y = (0..<batch).map { Int32($0 % 10) }
        for r in chosen { _ = try r.step(net, input: x, labels: y) } // warm-up: workspaces, page faults
        var times = Array(repeating: [Double](), count: chosen.count)
        for _ in 0..<repeats {
            for (i, r) in chosen.enumerated() { // interleaved: every rule sees the same load
                let t0 = Date()
                _ = try r.step(net, input: x, labels: y)
                times[i].append(Date().timeIntervalSince(t0))
            }
        }
        let medians = times.map { $0.sorted()[$0.count / 2] }
        let bp = keys.firstIndex(of: "bp").map { medians[$0] }
        if json {
            let rows = keys.indices.map { i in
                "{\"rule\":\"\(keys[i])\",\"name\":\"\(chosen[i].name)\",\"median_s\":\(medians[i]),\"images_per_s\":\(Double(batch) / medians[i])"
                    + (bp.map { ",\"ratio_to_bp\":\(medians[i] / $0)" } ?? "") + "}"
            }
            print("{\"width\":\(width),\"batch\":\(batch),\"threads\":\(Runtime.threads),\"repeats\":\(repeats),\"rules\":[\(rows.joined(separator: ","))]}")
            return
        }
        print("VGG16 width \(width), batch \(batch), \(Runtime.threads) threads, median of \(repeats) interleaved steps")
        print("rule      step s   images/s   / BP")
        for i in keys.indices {
            let ratio = bp.map { String(format: "%.3f", medians[i] / $0) } ?? "-"
            print(String(format: "%-8@ %7.3f   %8.1f   ", keys[i] as NSString, medians[i], Double(batch) / medians[i]) + ratio)
        }
    }
}

DualPropBench.main()
