import DualProp
import DualPropData
import Foundation

/// How a run is started (the parts of the command line that are not training settings).
public struct TrainerOptions: Sendable {
    /// The run directory.
    public var output: String
    /// Continue the run in `output`.
    public var resume: Bool
    /// Progress display on stderr.
    public var progress: ProgressMode
    /// Recorded in `config.json`.
    public var commandLine: [String]
    /// Print epoch summaries and the final line on stdout.
    public var printSummaries: Bool

    /// Options for a run.
    public init(output: String, resume: Bool = false, progress: ProgressMode = .none, commandLine: [String] = [],
                printSummaries: Bool = true) {
        self.output = output; self.resume = resume; self.progress = progress
        self.commandLine = commandLine; self.printSummaries = printSummaries
    }
}

/// The outcome of a completed run.
public struct TrainingSummary: Sendable {
    /// The run directory.
    public var runDirectory: String
    /// The 1-based epoch of the tested (best-validation) model.
    public var bestEpoch: Int
    /// Test-set result of that model.
    public var test: MetricRow
    /// Every metrics row.
    public var history: [MetricRow]
}

/// The training loop: data, VGG16, learning rule, SGD with the warm-up/cosine schedule,
/// evaluation, checkpoints, metrics and the final test of the best-validation model.
public enum Trainer {
    /// Exit code of a run stopped by a non-finite loss.
    public static let nonFiniteExitCode: Int32 = 3

    /// Runs (or resumes) training as `config` describes; returns the test result of the best model.
    public static func run(_ config: TrainingConfiguration, options: TrainerOptions) throws -> TrainingSummary {
        if config.threads > 0 { Runtime.threads = config.threads }
        let dir = options.resume ? try RunDirectory.openExisting(options.output) : try RunDirectory.createNew(options.output)
        let out = Output(dir: dir, printSummaries: options.printSummaries)
        if options.resume {
            let stored = try dir.readConfiguration()
            guard stored.configHash == config.hash else {
                let diff = config.differences(from: stored.configuration)
                throw TrainingError("""
                    \(dir.file(RunDirectory.configFile)): cannot resume: the settings differ from the run's \
                    (config hash \(config.hash) ≠ \(stored.configHash)); changed: \(diff.joined(separator: "; ")). \
                    Repeat the original options (see config.json) or start a new --output.
                    """, exitCode: 64)
            }
        }
        let start = now()
        let data = try TrainingData.load(config)
        var net = config.initialNetwork()
        var optimizer = SGD(momentum: config.momentum, weightDecay: config.weightDecay)
        var state: TrainingState
        if options.resume, let s = try dir.readState(network: &net, optimizer: &optimizer) {
            try RunStateValidation.check(s, config: config, trainCount: data.split.train.count,
                                         validationCount: data.split.validation.count, path: dir.file(RunDirectory.stateFile))
            state = s
            out.say("resumed \(dir.path) at epoch \(s.epoch + 1), batch \(s.batchInEpoch), step \(s.step) (config \(config.hash))")
        } else {
            state = TrainingState(configHash: config.hash, rngSeed: config.seed)
            if options.resume { out.say("resuming \(dir.path): no checkpoint yet, starting from the beginning") }
            let stored = RunDirectory.StoredConfiguration(
                configuration: config, configHash: config.hash, commandLine: options.commandLine,
                normalization: data.normalization, dataSource: data.source, trainImages: data.split.train.count,
                validationImages: data.split.validation.count, testImages: data.test.count, parameters: net.parameterCount)
            try dir.writeConfiguration(stored)
            try writeAtomically(canonicalJSON(data.split), to: dir.file(RunDirectory.splitFile))
            if !options.resume { dir.append("# \(options.commandLine.joined(separator: " "))", to: RunDirectory.logFile) }
        }
        ResumeThreads.noteSession(dir, resumed: options.resume && state.step > 0, storedRequest: try? dir.readConfiguration().configuration.threads)
        out.say("data: \(data.source); train \(data.split.train.count), validation \(data.split.validation.count), test \(data.test.count)")
        out.say("model: VGG16 width ×\(config.widthMultiplier) (\(config.initialization.rawValue) init), \(net.parameterCount) parameters; rule \(describe(config)); \(Runtime.threadChoiceDescription(requested: config.threads)), \(Runtime.activeISA)")
        if config.method == .dp && config.alpha != 0.5 {
            out.say("note: plain (undamped) DP is only stable for α = ½ (SPEC §5); α = \(config.alpha!) may diverge")
        }
        var loop = Loop(config: config, data: data, dir: dir, out: out, net: net, optimizer: optimizer, state: state,
                        progress: ProgressReporter(mode: options.progress, echo: { [dir] in dir.append($0, to: RunDirectory.logFile) }),
                        sessionStart: start, wallAtSessionStart: state.wallSeconds)
        try loop.train()
        return try loop.finish()
    }

    static func describe(_ c: TrainingConfiguration) -> String {
        switch c.method {
        case .bp: return "bp"
        case .fbp: return "fbp τ=\(c.tau!)"
        case .dp, .dpT:
            let sched = c.inferenceSchedule.map { $0 == .sweep ? "sweep" : "\($0.rawValue) K=\(c.inferencePasses!)" } ?? "sweep"
            return "\(c.method.rawValue) α=\(c.alpha!) β=\(c.beta!) \(sched)"
        }
    }

    /// stdout + log.
    struct Output {
        let dir: RunDirectory
        let printSummaries: Bool
        func say(_ line: String) {
            if printSummaries { print(line); fflush(nil) }  // nil: all streams (`stdout` is not concurrency-safe)
            dir.append(line, to: RunDirectory.logFile)
        }
    }

    struct Loop {
        let config: TrainingConfiguration
        let data: TrainingData
        let dir: RunDirectory
        let out: Output
        var net: Sequential
        var optimizer: SGD
        var state: TrainingState
        var progress: ProgressReporter
        let sessionStart: Double
        let wallAtSessionStart: Double

        var wall: Double { wallAtSessionStart + (now() - sessionStart) }

        var stepsPerEpoch: Int { (data.split.train.count + config.batchSize - 1) / config.batchSize }

        var schedule: WarmupCosineSchedule {
            WarmupCosineSchedule(warmupStart: config.warmupLearningRate, peak: config.learningRate, final: config.learningRateFinal,
                                 warmupSteps: config.warmupEpochs * stepsPerEpoch, decaySteps: config.decayEpochs * stepsPerEpoch)
        }

        mutating func train() throws {
            let rule = config.learningRule()
            let assembler = BatchAssembler(normalization: data.normalization, augmentation: .cropAndFlip, seed: config.seed)
            let shape = [data.train.height, data.train.width, data.train.channels]
            var values: [Float] = [], labels: [Int32] = []
            while state.epoch < config.epochs {
                let epoch = state.epoch
                let order = DataOrder.shuffled(data.split.train, seed: config.seed, epoch: epoch)
                let batches = DataOrder.batches(order, batchSize: config.batchSize, dropLast: false)
                let epochStart = now() - state.runningSeconds
                var lr = schedule.learningRate(step: state.step)
                for b in state.batchInEpoch..<batches.count {
                    lr = schedule.learningRate(step: state.step)
                    assembler.assemble(from: data.train, indices: batches[b], epoch: epoch, into: &values, labels: &labels)
                    let input = Tensor(shape: [labels.count] + shape, values: values)
                    let result = try rule.step(net, input: input, labels: labels)
                    guard result.loss.isFinite else {
                        progress.endEpoch()
                        throw nonFinite("the training loss is \(result.loss) at epoch \(epoch + 1), step \(state.step + 1) (batch \(b + 1)/\(batches.count), learning rate \(lr))")
                    }
                    if config.checkGradients && b == state.batchInEpoch && b == 0 {
                        try logCosines(result.gradients, input: input, labels: labels, epoch: epoch)
                    }
                    try optimizer.update(&net, gradients: result.gradients, learningRate: lr)
                    state.step += 1
                    state.runningLoss += result.loss * Double(result.count)
                    state.runningCorrect += result.correct
                    state.runningCount += result.count
                    state.batchInEpoch = b + 1
                    let elapsed = now() - epochStart
                    state.runningSeconds = elapsed
                    progress.update(ProgressSnapshot(epoch: epoch + 1, epochs: config.epochs, step: b + 1, steps: batches.count,
                                                     elapsed: elapsed, imagesPerSecond: Double(state.runningCount) / max(elapsed, 1e-9),
                                                     loss: state.runningLoss / Double(state.runningCount),
                                                     accuracy: Double(state.runningCorrect) / Double(state.runningCount), learningRate: lr))
                    if config.checkpointEverySteps > 0 && state.step % config.checkpointEverySteps == 0 && b + 1 < batches.count {
                        try requireFinite("after step \(state.step)")
                        state.wallSeconds = wall
                        try dir.writeWeights(net, name: RunDirectory.lastWeights, metadata: weightMetadata(epoch: epoch))
                        try dir.writeState(state, network: net, optimizer: optimizer)
                    }
                }
                progress.endEpoch()
                try endEpoch(epoch, learningRate: lr)
            }
        }

        /// Validation, metrics, checkpoints and the summary line of a finished epoch.
        mutating func endEpoch(_ epoch: Int, learningRate lr: Float) throws {
            let n = Double(max(state.runningCount, 1))
            let trainSeconds = state.runningSeconds
            let trainRow = MetricRow(epoch: epoch + 1, split: "train", loss: state.runningLoss / n,
                                     top1: Double(state.runningCorrect) / n, top5: nil, learningRate: Double(lr),
                                     imagesPerSecond: Double(state.runningCount) / max(trainSeconds, 1e-9), wallSeconds: wall)
            var rows = [trainRow]
            var improved = false
            var line = "epoch \(epoch + 1)/\(config.epochs)  train loss \(fixed(trainRow.loss, 4)) acc \(fixed(100 * trainRow.top1, 2))%"
            if !data.split.validation.isEmpty {
                let v = try evaluate(data.train, indices: data.split.validation)
                guard v.loss.isFinite else { throw nonFinite("the validation loss is \(v.loss) after epoch \(epoch + 1)") }
                let valRow = MetricRow(epoch: epoch + 1, split: "val", loss: v.loss, top1: v.top1, top5: v.top5,
                                       learningRate: Double(lr), imagesPerSecond: v.imagesPerSecond, wallSeconds: wall)
                rows.append(valRow)
                improved = state.bestMetric.map { v.top1 > $0 } ?? true
                line += "  val loss \(fixed(v.loss, 4)) acc \(fixed(100 * v.top1, 2))% top5 \(fixed(100 * v.top5, 2))%"
            } else {
                improved = true  // no validation set: the last epoch is the one tested
            }
            try requireFinite("after epoch \(epoch + 1)")
            if improved { state.bestMetric = rows.count > 1 ? rows[1].top1 : nil; state.bestEpoch = epoch + 1 }
            line += "  lr \(String(format: "%.4g", lr))  \(fixed(trainRow.imagesPerSecond, 0)) img/s  \(fixed(trainSeconds, 1)) s"
            if improved && !data.split.validation.isEmpty { line += "  *best*" }
            state.history += rows
            state.epoch = epoch + 1
            state.batchInEpoch = 0
            state.runningLoss = 0; state.runningCorrect = 0; state.runningCount = 0; state.runningSeconds = 0
            state.wallSeconds = wall
            // Order: best, last, then the resumable state (the commit point); metrics are derived.
            if improved { try dir.writeWeights(net, name: RunDirectory.bestWeights, metadata: weightMetadata(epoch: epoch + 1)) }
            try dir.writeWeights(net, name: RunDirectory.lastWeights, metadata: weightMetadata(epoch: epoch + 1))
            try dir.writeState(state, network: net, optimizer: optimizer)
            try dir.writeMetrics(state.history)
            try? CurvePlot.write(metrics: dir.file(RunDirectory.metricsFile), to: dir.file(RunDirectory.plotFile))
            out.say(line)
        }

        /// Tests the best-validation model, writes the final metrics and plot, prints the final line.
        mutating func finish() throws -> TrainingSummary {
            let bestEpoch = state.bestEpoch ?? config.epochs
            var best = net
            if FileManager.default.fileExists(atPath: dir.file(RunDirectory.bestWeights)) {
                try dir.readWeights(into: &best, name: RunDirectory.bestWeights)
            }
            let saved = net
            net = best
            let t = try evaluate(data.test, indices: Array(0..<data.test.count))
            net = saved
            let row = MetricRow(epoch: bestEpoch, split: "test", loss: t.loss, top1: t.top1, top5: t.top5, learningRate: 0,
                                imagesPerSecond: t.imagesPerSecond, wallSeconds: wall)
            state.history.removeAll { $0.split == "test" }
            state.history.append(row)
            try dir.writeMetrics(state.history)
            try CurvePlot.write(metrics: dir.file(RunDirectory.metricsFile), to: dir.file(RunDirectory.plotFile))
            out.say("test (best-validation model, epoch \(bestEpoch), \(data.test.count) images): top-1 \(fixed(100 * t.top1, 2))%  top-5 \(fixed(100 * t.top5, 2))%  loss \(fixed(t.loss, 4))  [\(clock(wall)) total; run directory \(dir.path)]")
            return TrainingSummary(runDirectory: dir.path, bestEpoch: bestEpoch, test: row, history: state.history)
        }

        /// Loss, top-1 and top-5 of the current network on `dataset[indices]` (no augmentation).
        func evaluate(_ dataset: ImageDataset, indices: [Int]) throws -> (loss: Double, top1: Double, top5: Double, imagesPerSecond: Double) {
            let started = now()
            let assembler = BatchAssembler(normalization: data.normalization)
            let chunk = config.widthMultiplier >= 0.5 ? 100 : 250
            var values: [Float] = [], labels: [Int32] = []
            var loss = 0.0, top1 = 0, top5 = 0, count = 0
            var i = 0
            while i < indices.count {
                let part = indices[i..<min(i + chunk, indices.count)]
                assembler.assemble(from: dataset, indices: part, epoch: 0, into: &values, labels: &labels)
                let e = try Evaluation(net, input: Tensor(shape: [labels.count, dataset.height, dataset.width, dataset.channels], values: values),
                                       labels: labels)
                loss += e.loss * Double(e.count); top1 += e.top1; top5 += e.top5; count += e.count
                i += chunk
            }
            let n = Double(max(count, 1))
            return (loss / n, Double(top1) / n, Double(top5) / n, Double(count) / max(now() - started, 1e-9))
        }

        func logCosines(_ gradients: Gradients, input: Tensor, labels: [Int32], epoch: Int) throws {
            let reference = try Backpropagation().step(net, input: input, labels: labels).gradients
            let cosines = gradients.cosines(with: reference)
            let names = net.parameters.map(\.name)
            if !FileManager.default.fileExists(atPath: dir.file(RunDirectory.cosinesFile)) {
                dir.append("epoch," + names.joined(separator: ","), to: RunDirectory.cosinesFile)
            }
            dir.append("\(epoch + 1)," + cosines.map { fixed($0, 6) }.joined(separator: ","), to: RunDirectory.cosinesFile)
            out.say("epoch \(epoch + 1) gradient cosine to BP (first batch): " +
                    zip(names, cosines).map { "\($0) \(fixed($1, 4))" }.joined(separator: "  "))
        }

        func weightMetadata(epoch: Int) -> [String: String] {
            ["format": "cifar-vgg VGG16 (torchvision names; conv OIHW, linear [out,in]; input NCHW normalised)",
             "epoch": String(epoch), "step": String(state.step), "config_hash": config.hash, "method": config.method.rawValue,
             "width_multiplier": String(config.widthMultiplier), "classes": String(config.classes),
             "normalization_mean": data.normalization.mean.map { "\($0)" }.joined(separator: ","),
             "normalization_std": data.normalization.std.map { "\($0)" }.joined(separator: ",")]
        }

        func requireFinite(_ when: String) throws {
            for p in net.parameters where !(p.weight.scalars + p.bias.scalars).allSatisfy(\.isFinite) {
                throw nonFinite("parameters of \(p.name) are not finite \(when)")
            }
        }

        func nonFinite(_ what: String) -> TrainingError {
            let last = dir.file(RunDirectory.lastWeights)
            let kept = FileManager.default.fileExists(atPath: last)
                ? "The last good checkpoint is kept: \(last) (and \(RunDirectory.stateFile), end of epoch \(state.history.last?.epoch ?? 0))."
                : "No checkpoint was written yet."
            let message = "stopped: \(what). \(kept) Try a lower --learning-rate or a smaller --beta."
            out.dirLog("error: " + message)
            return TrainingError(message, exitCode: Trainer.nonFiniteExitCode)
        }
    }
}

extension Trainer.Output {
    func dirLog(_ line: String) { dir.append(line, to: RunDirectory.logFile) }
}
