// dualprop-bench: the learning rules on VGG16. `step` (default): what one training step of each
// rule costs, interleaved so
// that all rules see the same machine load; prints a table (median seconds, images/s, ratio to
// BP, and the median process CPU seconds with their ratio, steadier on a shared machine) or,
// with --json, JSON. `train-check`: a few hundred SGD steps per rule on CIFAR-10. Run:
//   swift run -c release dualprop-bench step --width 1 --batch 100 --repeats 5 --threads 2
//   swift run -c release dualprop-bench train-check --data-dir DIR   (DIR: the CIFAR-10 binary files)
import ArgumentParser
import DualProp
import DualPropData
import Foundation

struct DualPropBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dualprop-bench",
        abstract: "Step cost and short training checks of the learning rules on VGG16.",
        version: "dualprop-bench \(Runtime.version)",
        subcommands: [StepCost.self, TrainCheck.self, GradientDigest.self, UpdateCost.self], defaultSubcommand: StepCost.self)
}

/// Interleaved timing of one gradient step per rule.
struct StepCost: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "step",
        abstract: "Time one training step (gradients only) of BP and the inference-learning rules on VGG16.")

    @Option(help: "VGG16 width multiplier (1 = the paper's network).") var width: Double = 1
    @Option(help: "Batch size.") var batch: Int = 100
    @Option(help: "Timed repeats per rule (median reported); one warm-up step each first.") var repeats: Int = 5
    @Option(help: "Threads (default: all cores).") var threads: Int?
    @Option(help: "Comma-separated rules: bp, fbp, dpT0, dpTh, dpT1, dph, dpT-fp (16 forward passes, α=½).")
    var rules: String = "bp,fbp,dpT0,dpTh,dpT1,dph"
    @Option(help: "3x3 convolution algorithm(s): auto, direct, winograd, winograd2x2 or winograd4x4, or a comma list to interleave (default: CK_CONV_ALGO, else auto).")
    var convAlgo: String?
    @Flag(help: "Print JSON instead of the table.") var json = false
    @Option(name: .customLong("buffer-cache-mib"), help: "Limit of the tensor buffer cache in MiB (the step arena; 0 turns it off; default: the library's).")
    var bufferCacheMiB: Int?

    func rule(_ key: String) throws -> any LearningRule { try ruleNamed(key) }

    func run() throws {
        if let threads { Runtime.threads = threads }
        if let bufferCacheMiB {
            guard bufferCacheMiB >= 0 else { throw ValidationError("--buffer-cache-mib must be ≥ 0, got \(bufferCacheMiB)") }
            Runtime.bufferCacheLimit = bufferCacheMiB << 20
        }
        // one or more algorithms: with several (e.g. "direct,auto"), every rule runs under each,
        // interleaved within every round
        let algorithms: [ConvAlgorithm?] = try convAlgo.map { list in
            try list.split(separator: ",").map { name -> ConvAlgorithm? in
                guard let a = ConvAlgorithm(name: String(name)) else {
                    throw ValidationError("--conv-algo must list auto, direct, winograd, winograd2x2 or winograd4x4, got '\(name)'")
                }
                return a
            }
        } ?? [nil]
        let ruleKeys = rules.split(separator: ",").map(String.init)
        let chosen = try ruleKeys.map { try rule($0) }
        var runs: [(key: String, rule: any LearningRule, algo: ConvAlgorithm?)] = []
        for a in algorithms { for (k, r) in zip(ruleKeys, chosen) { runs.append((a.map { "\(k)/\($0)" } ?? k, r, a)) } }
        let keys = runs.map(\.key)
        let net = Sequential.vgg16(classes: 10, widthMultiplier: width, seed: 1)
        var rng = SplitMix64(seed: 7)
        let x = Tensor(shape: [batch, 32, 32, 3]) { _ in rng.normal() }
        let y = (0..<batch).map { Int32($0 % 10) }
        let savedAlgorithm = Runtime.convAlgorithm
        defer { Runtime.convAlgorithm = savedAlgorithm }
        for r in runs { // warm-up: workspaces, page faults
            if let a = r.algo { Runtime.convAlgorithm = a }
            _ = try r.rule.step(net, input: x, labels: y)
        }
        var times = Array(repeating: [Double](), count: runs.count), cpuTimes = times
        for _ in 0..<repeats {
            for (i, r) in runs.enumerated() { // interleaved: every rule sees the same load
                if let a = r.algo { Runtime.convAlgorithm = a }
                let t0 = Date(), c0 = processCPUSeconds()
                _ = try r.rule.step(net, input: x, labels: y)
                times[i].append(Date().timeIntervalSince(t0))
                cpuTimes[i].append(processCPUSeconds() - c0)
            }
        }
        let medians = times.map { $0.sorted()[$0.count / 2] }
        let cpuMedians = cpuTimes.map { $0.sorted()[$0.count / 2] }
        let bpIndex = keys.firstIndex(where: { $0 == "bp" || $0.hasPrefix("bp/") })
        let bp = keys.firstIndex(where: { $0 == "bp" || $0.hasPrefix("bp/") }).map { medians[$0] }
        let algoNote = convAlgo ?? "\(Runtime.convAlgorithm)"
        if json {
            let rows = keys.indices.map { i in
                "{\"rule\":\"\(keys[i])\",\"name\":\"\(runs[i].rule.name)\",\"median_s\":\(medians[i]),\"images_per_s\":\(Double(batch) / medians[i])"
                    + (bp.map { ",\"ratio_to_bp\":\(medians[i] / $0)" } ?? "")
                    + ",\"median_cpu_s\":\(cpuMedians[i])"
                    + (bpIndex.map { ",\"cpu_ratio_to_bp\":\(cpuMedians[i] / cpuMedians[$0])" } ?? "") + "}"
            }
            print("{\"width\":\(width),\"batch\":\(batch),\"conv_algo\":\"\(algoNote)\",\"threads\":\(Runtime.threads),\"repeats\":\(repeats),\"rules\":[\(rows.joined(separator: ","))]}")
            return
        }
        print("VGG16 width \(width), batch \(batch), \(Runtime.threads) threads, conv \(algoNote), median of \(repeats) interleaved steps")
        print("rule      step s   images/s   / BP    CPU s   CPU / BP")
        for i in keys.indices {
            let ratio = bp.map { String(format: "%.3f", medians[i] / $0) } ?? "-"
            let cpuRatio = bpIndex.map { String(format: "%.3f", cpuMedians[i] / cpuMedians[$0]) } ?? "-"
            // `%-8@` does not pad on Linux Foundation: pad the key in Swift.
            print(keys[i].padding(toLength: max(8, keys[i].count), withPad: " ", startingAt: 0)
                  + String(format: " %7.3f   %8.1f   ", medians[i], Double(batch) / medians[i]) + ratio
                  + String(format: "  %7.3f   ", cpuMedians[i]) + cpuRatio)
        }
    }
}

/// One step per rule on a fixed batch; prints a 64-bit FNV-1a digest of each gradient's bits, so
/// that two builds (or thread counts) can be checked for bitwise-identical gradients.
struct GradientDigest: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gradient-digest",
        abstract: "Print a digest of every block's gradient bits for each rule (bitwise comparison of builds).")

    @Option(help: "VGG16 width multiplier.") var width: Double = 0.25
    @Option(help: "Batch size.") var batch: Int = 20
    @Option(help: "Threads (default: all cores).") var threads: Int?
    @Option(help: "Comma-separated rules (as for step).") var rules: String = "bp,dpT0,dpTh,dpT1,dph"
    @Option(help: "3x3 convolution algorithm: auto, direct or winograd (default: CK_CONV_ALGO, else auto).")
    var convAlgo: String?

    func run() throws {
        if let threads { Runtime.threads = threads }
        try applyConvAlgorithm(convAlgo)
        let net = Sequential.vgg16(classes: 10, widthMultiplier: width, seed: 1)
        var rng = SplitMix64(seed: 7)
        let x = Tensor(shape: [batch, 32, 32, 3]) { _ in rng.normal() }
        let y = (0..<batch).map { Int32($0 % 10) }
        for key in rules.split(separator: ",").map(String.init) {
            let r = try ruleNamed(key).step(net, input: x, labels: y)
            var all: UInt64 = 0xcbf2_9ce4_8422_2325
            var line: [String] = []
            for (w, b) in zip(r.gradients.weights, r.gradients.biases) {
                var h: UInt64 = 0xcbf2_9ce4_8422_2325
                for t in [w, b] {
                    t.withUnsafeBufferPointer { p in
                        for v in p { h = (h ^ UInt64(v.bitPattern)) &* 0x100_0000_01b3 }
                    }
                }
                all = (all ^ h) &* 0x100_0000_01b3
                line.append(String(h, radix: 16).suffix(6).description)
            }
            print("\(key) loss \(r.loss) all \(String(all, radix: 16)) blocks \(line.joined(separator: " "))")
        }
    }
}

/// CPU seconds of the whole process (every thread), for step costs on a shared machine: at one
/// thread a step's CPU time leaves out the time other processes held the core.
func processCPUSeconds() -> Double {
    var t = timespec()
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t)
    return Double(t.tv_sec) + Double(t.tv_nsec) * 1e-9
}

/// Sets `Runtime.convAlgorithm` from a `--conv-algo` value (nil: leave CK_CONV_ALGO / auto).
func applyConvAlgorithm(_ name: String?) throws {
    guard let name else { return }
    guard let algorithm = ConvAlgorithm(name: name) else {
        throw ValidationError("--conv-algo must be auto, direct, winograd, winograd2x2 or winograd4x4, got '\(name)'")
    }
    Runtime.convAlgorithm = algorithm
}

/// The rule behind a benchmark key (β and α as in the paper's best CIFAR-10 settings).
func ruleNamed(_ key: String) throws -> any LearningRule {
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

/// 200 SGD steps of a reduced-width VGG16 on CIFAR-10 per rule: does the training loss fall?
struct TrainCheck: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train-check",
        abstract: "Train a reduced-width VGG16 for a few hundred steps with each rule and report the loss curve.")

    @Option(help: "Directory with the CIFAR-10 binary files (data_batch_1.bin …).") var dataDir: String
    @Option(help: "VGG16 width multiplier.") var width: Double = 0.25
    @Option(help: "SGD steps per rule.") var steps: Int = 200
    @Option(help: "Batch size.") var batch: Int = 100
    @Option(help: "Peak learning rate (SGD momentum 0.9, weight decay 5e-4, 20-step linear warm-up from 0.001).")
    var learningRate: Float = 0.025
    @Option(help: "Comma-separated rules (bp, fbp, dpT0, dpTh, dpT1, dph, dpT001 = DP⊤ α=0 β=0.01).")
    var rules: String = "bp,fbp,dph,dpT0,dpTh,dpT1"
    @Option(help: "Threads (default: all cores).") var threads: Int?
    @Option(help: "3x3 convolution algorithm: auto, direct, winograd, winograd2x2 or winograd4x4 (default: CK_CONV_ALGO, else auto).")
    var convAlgo: String?
    @Option(help: "Seed of the network's initial weights.") var seed: UInt64 = 1

    func run() throws {
        if let threads { Runtime.threads = threads }
        try applyConvAlgorithm(convAlgo)
        let train = try CIFAR10.loadTrain(directory: dataDir)
        let assembler = BatchAssembler(normalization: .cifar10, augmentation: .cropAndFlip, layout: .nhwc, seed: 1)
        let schedule = WarmupCosineSchedule(warmupStart: 0.001, peak: learningRate, final: learningRate,
                                            warmupSteps: 20, decaySteps: 20)
        print("VGG16 width \(width), CIFAR-10 (JPEG stand-in) from \(dataDir), batch \(batch), \(steps) steps, "
              + "SGD 0.9 / wd 5e-4, lr 0.001→\(learningRate) over 20 steps, conv \(Runtime.convAlgorithm), init seed \(seed); "
              + "mean training loss per 20 steps")
        for key in rules.split(separator: ",").map(String.init) {
            let rule = key == "dpT001" ? AdjointDualPropagation(alpha: 0, beta: 0.01) : try ruleNamed(key)
            var net = Sequential.vgg16(classes: 10, widthMultiplier: width, seed: seed)
            var sgd = SGD(momentum: 0.9, weightDecay: 5e-4)
            var window: [Double] = [], curve: [Double] = []
            let t0 = Date()
            for step in 0..<steps {
                let indices = (0..<batch).map { (step * batch + $0) % train.count }
                let b = assembler.assemble(from: train, indices: indices, epoch: 0)
                let r = try rule.step(net, input: Tensor(shape: b.shape, values: b.values), labels: b.labels)
                guard r.loss.isFinite else { print("\(key): loss \(r.loss) at step \(step)"); break }
                try sgd.update(&net, gradients: r.gradients, learningRate: schedule.learningRate(step: step))
                window.append(r.loss)
                if window.count == 20 { curve.append(window.reduce(0, +) / 20); window = [] }
            }
            let seconds = Date().timeIntervalSince(t0)
            let falls = curve.count >= 2 && curve.last! < curve.first!
            print(String(format: "%-7@ %@  %@  (%.0f s)", key as NSString, falls ? "falls " : "FLAT  ",
                         curve.map { String(format: "%.3f", $0) }.joined(separator: " "), seconds))
            fflush(nil) // one line per rule as it finishes, also when piped (nil: all streams; `stdout` is not concurrency-safe)
        }
    }
}

DualPropBench.main()
