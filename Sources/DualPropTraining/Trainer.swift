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
    /// The processes training together (`.single` without mpirun).
    public var group: ProcessGroup
    /// After every step, check that every rank holds bitwise the same weights (a hash compared
    /// across the ranks; for tests).
    public var checkReplicas: Bool

    /// Options for a run.
    public init(output: String, resume: Bool = false, progress: ProgressMode = .none, commandLine: [String] = [],
                printSummaries: Bool = true, group: ProcessGroup = .single, checkReplicas: Bool = false) {
        self.output = output; self.resume = resume; self.progress = progress
        self.commandLine = commandLine; self.printSummaries = printSummaries
        self.group = group; self.checkReplicas = checkReplicas
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

/// Runs a training: sets the run up (files, data, network, resume point) and hands it to a
/// `TrainingSession`, whose parts each do one thing: `EpochStepper` (the steps of an epoch,
/// sharded over the ranks), `Evaluator` (validation and test, sharded, counts reduced),
/// `Checkpointer` (rank 0's run directory) and `Reporter` (rank 0's lines and progress).
public enum Trainer {
    /// Exit code of a run stopped by a non-finite loss.
    public static let nonFiniteExitCode: Int32 = 3

    /// Runs (or resumes) training as `config` describes; returns the test result of the best model.
    /// Under `mpirun -np N` every rank calls this with its `options.group`; only rank 0 writes files.
    public static func run(_ config: TrainingConfiguration, options: TrainerOptions) throws -> TrainingSummary {
        let group = options.group
        try DataParallel.checkBatch(config.batchSize, ranks: group.size)
        if config.threads > 0 {
            Runtime.threads = config.threads
        } else if group.localSize > 1 {
            // N ranks on one machine share its cores (more threads than cores would thrash).
            Runtime.threads = max(1, ProcessInfo.processInfo.activeProcessorCount / group.localSize)
        }
        let dir: RunDirectory? = group.isRoot
            ? (options.resume ? try RunDirectory.openExisting(options.output) : try RunDirectory.createNew(options.output)) : nil
        let report = Reporter(dir: dir, printSummaries: options.printSummaries && group.isRoot,
                              progress: ProgressReporter(mode: group.isRoot ? options.progress : .none,
                                                         echo: { [dir] in dir?.append($0, to: RunDirectory.logFile) }))
        if options.resume, let dir {
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
        var resumed: TrainingState? = nil
        if options.resume, let dir {
            resumed = try dir.readState(network: &net, optimizer: &optimizer)
            if let s = resumed {
                try RunStateValidation.check(s, config: config, trainCount: data.split.train.count,
                                             validationCount: data.split.validation.count, path: dir.file(RunDirectory.stateFile))
            }
        }
        if options.resume { resumed = try DataParallel.broadcastResumePoint(resumed, net: &net, optimizer: &optimizer, group) }
        var state: TrainingState
        if let s = resumed {
            let ranks = s.ranks ?? 1
            guard ranks == group.size else {
                throw TrainingError("""
                    \(dir?.file(RunDirectory.stateFile) ?? RunDirectory.stateFile): cannot resume: the run was trained by \
                    \(ranks) process\(ranks == 1 ? "" : "es") and this is \(group.size). The process count decides the order \
                    in which gradients are summed, so only the same count continues the run exactly: resume with \
                    \(ranks == 1 ? "no mpirun" : "mpirun -np \(ranks)"), or start a new --output.
                    """, exitCode: 64)
            }
            state = s
            report.say("resumed \(options.output) at epoch \(s.epoch + 1), batch \(s.batchInEpoch), step \(s.step) (config \(config.hash))")
        } else {
            state = TrainingState(configHash: config.hash, rngSeed: config.seed)
            state.ranks = group.size
            if options.resume { report.say("resuming \(options.output): no checkpoint yet, starting from the beginning") }
            if let dir {
                let stored = RunDirectory.StoredConfiguration(
                    configuration: config, configHash: config.hash, commandLine: options.commandLine,
                    normalization: data.normalization, dataSource: data.source, trainImages: data.split.train.count,
                    validationImages: data.split.validation.count, testImages: data.test.count, parameters: net.parameterCount)
                try dir.writeConfiguration(stored)
                try writeAtomically(canonicalJSON(data.split), to: dir.file(RunDirectory.splitFile))
                if !options.resume { dir.append("# \(options.commandLine.joined(separator: " "))", to: RunDirectory.logFile) }
            }
        }
        if let dir {
            ResumeThreads.noteSession(dir, resumed: options.resume && state.step > 0, storedRequest: try? dir.readConfiguration().configuration.threads)
        }
        report.say("data: \(data.source); train \(data.split.train.count), validation \(data.split.validation.count), test \(data.test.count)")
        let threads = config.threads == 0 && group.localSize > 1
            ? "\(Runtime.threads) threads (default: the cores shared by \(group.localSize) ranks on this machine)"
            : Runtime.threadChoiceDescription(requested: config.threads)
        let parallel = group.size > 1 ? "; \(group.size) MPI processes, \(config.batchSize / group.size) images each per step" : ""
        report.say("model: VGG16 width ×\(config.widthMultiplier) (\(config.initialization.rawValue) init), \(net.parameterCount) parameters; rule \(describe(config)); \(threads), \(Runtime.activeISA)\(parallel)")
        if config.method == .dp && config.alpha != 0.5 {
            report.say("note: plain (undamped) DP is only stable for α = ½; α = \(config.alpha!) may diverge")
        }
        var session = TrainingSession(
            config: config, data: data, group: group, net: net, optimizer: optimizer, state: state,
            stepper: EpochStepper(config: config, data: data, group: group, net: net, checkReplicas: options.checkReplicas),
            evaluator: Evaluator(data: data, widthMultiplier: config.widthMultiplier, group: group),
            checkpointer: Checkpointer(dir: dir, config: config, data: data), report: report,
            wallClock: WallClock(sessionStart: start, wallAtSessionStart: state.wallSeconds))
        try session.train()
        return try session.finish()
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
}
