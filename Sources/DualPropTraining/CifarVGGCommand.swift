import ArgumentParser
import DualProp
import Foundation

extension Method: ExpressibleByArgument {
    /// Accepts `bp`, `fbp`, `dp`, `dpT` (any letter case), and `dp⊤` as the papers write it.
    public init?(argument: String) {
        let word = argument.replacingOccurrences(of: "⊤", with: "t").lowercased()
        guard let m = Method.allCases.first(where: { $0.rawValue.lowercased() == word }) else { return nil }
        self = m
    }
}
extension DatasetKind: ExpressibleByArgument {}
extension ScheduleKind: ExpressibleByArgument {}
extension InitKind: ExpressibleByArgument {}

/// `cifar-vgg`: train VGG16 with BP, Fenchel BP, DP or DP⊤ on synthetic data, CIFAR-10/100 or
/// ImageNet32x32; `cifar-vgg plot RUN_DIR` redraws a run's curves.
public struct CifarVGG: ParsableCommand {
    /// Name, help text and the `plot` subcommand.
    public static let configuration = CommandConfiguration(
        commandName: "cifar-vgg",
        abstract: "Train VGG16 with back-propagation, Fenchel BP, dual propagation (dp) or its adjoint variant (dpT).",
        usage: """
        cifar-vgg [--method bp|fbp|dp|dpT] [--dataset synthetic|cifar10|cifar100|imagenet32 --data-dir DIR] [options]
        cifar-vgg evaluate RUN_DIR [--dataset … --data-dir DIR]
        cifar-vgg plot RUN_DIR
        """,
        discussion: """
        With no --dataset it trains a reduced-width VGG16 on a built-in synthetic 10-class 32x32 colour \
        dataset for a few minutes. With --dataset cifar10|cifar100|imagenet32 every unset option takes \
        the VGG16 recipe of Høier & Zach (2024, "Two Tales of Single-Phase Contrastive Hebbian \
        Learning") for that dataset: e.g. CIFAR-10 130 epochs, batch 100, peak LR \
        0.025, warm-up 10 epochs from 0.001, cosine decay to 2e-6 at epoch 120, SGD momentum 0.9, weight \
        decay 5e-4, 10% of the training set held out. Build with `-c release`. Without --data-dir the \
        files are looked for in the dataset's folder (cifar10, cifar100, imagenet32) of \
        $DUALPROP_DATA_DIR, else of ~/.cache/dualprop.

        The run directory holds config.json, split.json, metrics.csv, steps.jsonl (one line per \
        step: step, epoch, loss, learning rate, images/s), train.log, curves.svg, \
        last.safetensors / best.safetensors (weights with PyTorch names and layouts) and \
        last-state.safetensors (everything --resume needs).

        \(OptionRanges.helpText)
        """,
        version: "cifar-vgg \(Runtime.version)",
        subcommands: [Evaluate.self, Plot.self])

    /// `--method`: Learning rule: bp (back-propagation), fbp (Fenchel BP), dp (dual propagation), dpT …
    @Option(help: "Learning rule: bp (back-propagation), fbp (Fenchel BP), dp (dual propagation), dpT (adjoint dual propagation, DP⊤).")
    public var method: Method = .dpT

    /// `--alpha`: DP/DP⊤ weight α ∈ [0,1] of s⁺ in s̄ = α s⁺ + (1−α) s⁻ (default 0.5).
    @Option(help: "DP/DP⊤ weight α ∈ [0,1] of s⁺ in s̄ = α s⁺ + (1−α) s⁻ (default 0.5).")
    public var alpha: Float?

    /// `--beta`: DP/DP⊤ nudging strength β > 0 (default 0.01).
    @Option(help: "DP/DP⊤ nudging strength β > 0 (default 0.01).")
    public var beta: Float?

    /// `--tau`: Fenchel BP spacing τ > 0 (default 0.01; τ = β gives DP⊤ with α = 0).
    @Option(help: "Fenchel BP spacing τ > 0 (default 0.01; τ = β gives DP⊤ with α = 0).")
    public var tau: Float?

    /// `--dataset`: Data: synthetic (built in, no files), cifar10, cifar100 or imagenet32.
    @Option(help: "Data: synthetic (built in, no files), cifar10, cifar100 or imagenet32.")
    public var dataset: DatasetKind = .synthetic

    /// `--data-dir`: Directory of the dataset's official files: CIFAR-10 data_batch_{1..5}.bin + …
    @Option(help: "Directory of the dataset's official files: CIFAR-10 data_batch_{1..5}.bin + test_batch.bin; CIFAR-100 train.bin + test.bin; ImageNet32 Imagenet32_{train,val}_npz.zip or the extracted .npz files. Default: the dataset's folder (cifar10, cifar100, imagenet32) in $DUALPROP_DATA_DIR, else in ~/.cache/dualprop.")
    public var dataDir: String?

    /// `--epochs`: Training epochs (recipe: CIFAR-10 130, CIFAR-100 200, ImageNet32 130, synthetic 10).
    @Option(help: "Training epochs (recipe: CIFAR-10 130, CIFAR-100 200, ImageNet32 130, synthetic 10).")
    public var epochs: Int?

    /// `--batch-size`: Mini-batch size (recipe: 100, 50, 250; synthetic 16).
    @Option(help: "Mini-batch size (recipe: 100, 50, 250; synthetic 16).")
    public var batchSize: Int?

    /// `--learning-rate`: Peak learning rate, reached at the end of warm-up (recipe: 0.025, 0.015, 0.02; …
    @Option(help: "Peak learning rate, reached at the end of warm-up (recipe: 0.025, 0.015, 0.02; synthetic 0.01).")
    public var learningRate: Float?

    /// `--learning-rate-final`: Final learning rate of the cosine decay (default 2e-6).
    @Option(help: "Final learning rate of the cosine decay (default 2e-6).")
    public var learningRateFinal: Float?

    /// `--warmup-learning-rate`: Learning rate at step 0, rising linearly to the peak over the warm-up (default 0.001).
    @Option(help: "Learning rate at step 0, rising linearly to the peak over the warm-up (default 0.001).")
    public var warmupLearningRate: Float?

    /// `--warmup-epochs`: Warm-up epochs (recipe 10; synthetic 1).
    @Option(help: "Warm-up epochs (recipe 10; synthetic 1).")
    public var warmupEpochs: Int?

    /// `--decay-epochs`: Epoch at which the cosine decay reaches the final learning rate; flat after (recipe: …
    @Option(help: "Epoch at which the cosine decay reaches the final learning rate; flat after (recipe: 120, 190, 120; synthetic 10).")
    public var decayEpochs: Int?

    /// `--momentum`: SGD momentum in [0, 1)
    @Option(help: "SGD momentum in [0, 1) (default 0.9).")
    public var momentum: Float?

    /// `--weight-decay`: Weight decay added to every gradient, biases too (default 5e-4).
    @Option(help: "Weight decay added to every gradient, biases too (default 5e-4).")
    public var weightDecay: Float?

    /// `--inference-schedule`: DP/DP⊤ inference schedule: sweep (one top-down sweep, ≈ BP cost), forward-passes (K …
    @Option(help: "DP/DP⊤ inference schedule: sweep (one top-down sweep, ≈ BP cost), forward-passes (K forward-only passes, the paper's VGG16 setting with K = 16) or repeated-sweeps (K down-and-up rounds).")
    public var inferenceSchedule: ScheduleKind?

    /// `--inference-passes`: K for --inference-schedule forward-passes (default 16)
    @Option(help: "K for --inference-schedule forward-passes (default 16) or repeated-sweeps (default 1).")
    public var inferencePasses: Int?

    /// `--width-multiplier`: Scale every hidden width of VGG16 (1 = the paper's 64…512/4096; synthetic default 0.125).
    @Option(help: "Scale every hidden width of VGG16 (1 = the paper's 64…512/4096; synthetic default 0.125).")
    public var widthMultiplier: Double?

    /// `--initialization`: Weight initialisation: lecun (N(0,1/fan-in), the paper's; default for real data)
    @Option(help: "Weight initialisation: lecun (N(0,1/fan-in), the paper's; default for real data) or he (N(0,2/fan-in) for the ReLU layers; default for synthetic data, leaves the initial plateau of the 16-layer net quickly).")
    public var initialization: InitKind?

    /// `--train-limit`: Use only the first N training images (synthetic: generate N; default 4000).
    @Option(help: "Use only the first N training images (synthetic: generate N; default 4000).")
    public var trainLimit: Int?

    /// `--test-limit`: Use only the first N test images (synthetic: generate N; default 1000).
    @Option(help: "Use only the first N test images (synthetic: generate N; default 1000).")
    public var testLimit: Int?

    /// `--percent-val`: Percentage of the training set held out for validation, in [0, 100)
    @Option(help: "Percentage of the training set held out for validation, in [0, 100) (recipe: 10; ImageNet32 5). The best-validation model is tested.")
    public var percentVal: Double?

    /// `--seed`: Seed of the initial weights, the validation split, the shuffles, the augmentation and …
    @Option(help: "Seed of the initial weights, the validation split, the shuffles, the augmentation and the synthetic data.")
    public var seed: UInt64 = 0

    /// `--threads`: Kernel threads (default: the CPUs this process may use).
    @Option(help: "Kernel threads (default: the CPUs this process may use: OMP_NUM_THREADS, affinity mask, cgroup quota, physical cores; the model line says which). Runs are bit-reproducible for a given seed and thread count.")
    public var threads: Int?

    /// `--output`: Run directory (default runs/<timestamp>-<method>).
    @Option(help: "Run directory (default runs/<timestamp>-<method>). An existing non-empty directory is refused unless --resume.")
    public var output: String?

    /// `--resume`: Continue the run in --output from its last checkpoint; the settings must hash to the …
    @Flag(help: "Continue the run in --output from its last checkpoint; the settings must hash to the run's config hash.")
    public var resume = false

    /// `--no-progress`: No progress bar or periodic progress lines (epoch summaries are still printed).
    @Flag(help: "No progress bar or periodic progress lines (epoch summaries are still printed).")
    public var noProgress = false

    /// `--silent`: the spelling `mnist-mlp` used for `--no-progress`, kept as a hidden alias.
    @Flag(help: .hidden)
    public var silent = false

    /// `--check-gradients`: Each epoch, log the per-layer cosine between this rule's gradients and BP's on one batch.
    @Flag(help: "Each epoch, log the per-layer cosine between this rule's gradients and BP's on one batch.")
    public var checkGradients = false

    /// `--checkpoint-every`: Also save the resumable checkpoint every N steps inside an epoch (default 0: at epoch …
    @Option(help: "Also save the resumable checkpoint every N steps inside an epoch (default 0: at epoch ends only).")
    public var checkpointEvery: Int = 0

    @Flag(help: ArgumentHelp("Under mpirun, check after every step that all ranks hold bitwise the same weights (tests).", visibility: .hidden))
    public var checkReplicas = false

    /// Defaults (for ArgumentParser).
    public init() {}

    /// Rejects impossible values with a message naming the option (usage exit code 64).
    public func validate() throws {
        let dual = method == .dp || method == .dpT
        if let a = alpha {
            guard dual else { throw ValidationError("--alpha is only used by --method dp or dpT, not \(method.rawValue).") }
            guard a.isFinite, (0...1).contains(a) else { throw ValidationError("--alpha must lie in [0, 1], got \(a).") }
        }
        if let b = beta {
            guard dual else { throw ValidationError("--beta is only used by --method dp or dpT, not \(method.rawValue).") }
            guard b.isFinite, b > 0 else { throw ValidationError("--beta must be finite and > 0, got \(b).") }
        }
        if let t = tau {
            guard method == .fbp else { throw ValidationError("--tau is only used by --method fbp, not \(method.rawValue).") }
            guard t.isFinite, t > 0 else { throw ValidationError("--tau must be finite and > 0, got \(t).") }
        }
        if inferenceSchedule != nil || inferencePasses != nil {
            guard dual else { throw ValidationError("--inference-schedule/--inference-passes are only used by --method dp or dpT.") }
        }
        if let k = inferencePasses {
            guard k >= 1 else { throw ValidationError("--inference-passes must be ≥ 1, got \(k).") }
            guard (inferenceSchedule ?? .sweep) != .sweep else {
                throw ValidationError("--inference-passes needs --inference-schedule forward-passes or repeated-sweeps.")
            }
        }
        if dataset == .synthetic {
            if dataDir != nil { throw ValidationError("--data-dir is only used with --dataset cifar10, cifar100 or imagenet32.") }
        } else {
            guard let d = dataDir ?? dataset.defaultDataDirectory else { throw ValidationError(dataset.missingDataDirectoryMessage) }
            var isDir: ObjCBool = false
            guard FileManager.default.fileExists(atPath: d, isDirectory: &isDir) else {
                throw ValidationError("--data-dir \(d): no such directory.")
            }
            guard isDir.boolValue else { throw ValidationError("--data-dir \(d): not a directory.") }
        }
        func positive(_ v: Int?, _ name: String) throws {
            if let v, v < 1 { throw ValidationError("\(name) must be ≥ 1, got \(v).") }
        }
        try positive(epochs, "--epochs"); try positive(batchSize, "--batch-size")
        try positive(trainLimit, "--train-limit"); try positive(testLimit, "--test-limit")
        try positive(threads, "--threads")
        if let t = threads, t > 1024 { throw ValidationError("--threads must be ≤ 1024, got \(t).") }
        if let lr = learningRate, !(lr.isFinite && lr > 0) { throw ValidationError("--learning-rate must be finite and > 0, got \(lr).") }
        for (v, name) in [(learningRateFinal, "--learning-rate-final"), (warmupLearningRate, "--warmup-learning-rate"),
                          (weightDecay, "--weight-decay")] {
            if let v, !(v.isFinite && v >= 0) { throw ValidationError("\(name) must be finite and ≥ 0, got \(v).") }
        }
        if let m = momentum, !(m >= 0 && m < 1) { throw ValidationError("--momentum must lie in [0, 1), got \(m).") }
        if let w = warmupEpochs, w < 0 { throw ValidationError("--warmup-epochs must be ≥ 0, got \(w).") }
        if let d = decayEpochs, d < 1 { throw ValidationError("--decay-epochs must be ≥ 1, got \(d).") }
        let recipe = Recipe.of(dataset)
        let (w, d) = (warmupEpochs ?? recipe.warmupEpochs, decayEpochs ?? recipe.decayEpochs)
        if w > d {
            throw ValidationError("--warmup-epochs (\(w)) must not exceed --decay-epochs (\(d)).")
        }
        if let m = widthMultiplier, !(m.isFinite && m > 0 && m <= 8) {
            throw ValidationError("--width-multiplier must lie in (0, 8], got \(m).")
        }
        if let p = percentVal, !(p >= 0 && p < 100) { throw ValidationError("--percent-val must lie in [0, 100), got \(p).") }
        if checkpointEvery < 0 { throw ValidationError("--checkpoint-every must be ≥ 0, got \(checkpointEvery).") }
        if resume && output == nil { throw ValidationError("--resume needs --output RUN_DIR (the run to continue).") }
        if checkGradients && method == .bp { throw ValidationError("--check-gradients compares a rule with BP; --method bp has nothing to compare.") }
        try OptionRanges.check(self)
        if let ranks = ProcessGroup.launcherSize(), ranks > 1 {
            let b = batchSize ?? Recipe.of(dataset).batchSize
            guard b % ranks == 0 else {
                throw ValidationError("--batch-size \(b) is the global batch and must be divisible by the \(ranks) MPI processes (each takes an equal share); use a multiple of \(ranks) or another -np.")
            }
        }
    }

    /// The configuration with every unset option taken from the dataset's recipe.
    public func resolved() -> TrainingConfiguration {
        let r = Recipe.of(dataset)
        let dual = method == .dp || method == .dpT
        let schedule: ScheduleKind? = dual ? (inferenceSchedule ?? .sweep) : nil
        let passes: Int? = switch schedule {
        case .forwardPasses?: inferencePasses ?? 16
        case .repeatedSweeps?: inferencePasses ?? 1
        default: nil
        }
        return TrainingConfiguration(
            method: method, alpha: dual ? (alpha ?? 0.5) : nil, beta: dual ? (beta ?? 0.01) : nil,
            tau: method == .fbp ? (tau ?? 0.01) : nil, dataset: dataset,
            dataDirectory: (dataDir ?? dataset.defaultDataDirectory).map { URL(fileURLWithPath: $0).standardized.path },
            epochs: epochs ?? r.epochs, batchSize: batchSize ?? r.batchSize,
            learningRate: learningRate ?? r.learningRate, learningRateFinal: learningRateFinal ?? r.learningRateFinal,
            warmupLearningRate: warmupLearningRate ?? r.warmupLearningRate, warmupEpochs: warmupEpochs ?? r.warmupEpochs,
            decayEpochs: decayEpochs ?? r.decayEpochs, momentum: momentum ?? r.momentum,
            weightDecay: weightDecay ?? r.weightDecay, inferenceSchedule: schedule, inferencePasses: passes,
            widthMultiplier: widthMultiplier ?? r.widthMultiplier, initialization: initialization ?? r.initialization,
            trainLimit: trainLimit ?? (dataset == .synthetic ? r.syntheticTrain : nil),
            testLimit: testLimit ?? (dataset == .synthetic ? r.syntheticTest : nil),
            percentVal: percentVal ?? r.percentVal, seed: seed, threads: threads ?? 0,
            checkpointEverySteps: checkpointEvery, checkGradients: checkGradients)
    }

    /// The run directory: `--output` or `runs/<timestamp>-<method>`.
    public func outputDirectory() -> String {
        if let output { return output }
        var t = time(nil), parts = tm()
        localtime_r(&t, &parts)
        let stamp = String(format: "%04d%02d%02d-%02d%02d%02d", parts.tm_year + 1900, parts.tm_mon + 1, parts.tm_mday,
                           parts.tm_hour, parts.tm_min, parts.tm_sec)
        return "runs/\(stamp)-\(method.rawValue)"
    }

    /// Trains; a failure prints `cifar-vgg: error: <file or setting>: <problem>` and exits non-zero
    /// (1, or 3 for a non-finite loss). Under mpirun a failing rank names itself and ends the whole
    /// job (MPI_Abort), so no rank is left waiting in a collective.
    public mutating func run() throws {
        var group = ProcessGroup.single
        var cleanup: FailedStartCleanup? = nil
        do {
            try MemoryEstimate.check(resolved())
            group = try ProcessGroup.join()
            // Every rank parses the same command line; all but rank 0 use the same default --output.
            let output = group.size > 1 && output == nil ? try agreedOutputDirectory(group) : outputDirectory()
            if group.isRoot { cleanup = FailedStartCleanup(runDirectory: output, resume: resume) }
            let options = TrainerOptions(output: output, resume: resume,
                                         progress: noProgress || silent ? .none : (isatty(2) != 0 ? .bar : .lines),
                                         commandLine: CommandLine.arguments, group: group, checkReplicas: checkReplicas)
            let summary = try Trainer.run(resolved(), options: options)
            _ = summary
            group.finalize()
        } catch {
            cleanup?.removeEmptyFolders()
            let code = (error as? TrainingError)?.exitCode ?? 1
            let text = (error as? TrainingError)?.description ?? "\(error)"
            let shared = (error as? TrainingError)?.onEveryRank ?? false
            if group.isRoot || !shared {
                var err = StandardError()
                print("cifar-vgg: error: \(shared ? "" : group.messagePrefix)\(text)", to: &err)
            }
            if group.size > 1 {
                // An error every rank meets is reported by rank 0, whose MPI_Abort ends the others.
                if shared && !group.isRoot { sleep(10) }
                group.abort(code: code)
            }
            throw ExitCode(code)
        }
    }

    /// Rank 0's default run directory name (the timestamp may differ by a second across ranks).
    func agreedOutputDirectory(_ group: ProcessGroup) throws -> String {
        var bytes = Array(outputDirectory().utf8)
        try group.broadcast(&bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// `cifar-vgg plot RUN_DIR`: redraw `curves.svg` from the run's `metrics.csv`.
    public struct Plot: ParsableCommand {
        /// Help text.
        public static let configuration = CommandConfiguration(
            abstract: "Write RUN_DIR/curves.svg (loss and accuracy per epoch) from RUN_DIR/metrics.csv.")

        /// `RUN_DIRECTORY`: A run directory written by cifar-vgg.
        @Argument(help: "A run directory written by cifar-vgg.")
        public var runDirectory: String

        /// `--output`: Where to write the SVG (default RUN_DIR/curves.svg).
        @Option(help: "Where to write the SVG (default RUN_DIR/curves.svg).")
        public var output: String?

        /// Defaults (for ArgumentParser).
        public init() {}

        /// Writes the SVG.
        public func run() throws {
            do {
                let path = output ?? join(runDirectory, "curves.svg")
                try CurvePlot.write(metrics: join(runDirectory, "metrics.csv"), to: path)
                print("wrote \(path)")
            } catch {
                var err = StandardError()
                print("cifar-vgg plot: error: \(error)", to: &err)
                throw ExitCode(1)
            }
        }
    }
}
