import DualProp
import Foundation

/// Settings every experiment takes from the command line.
public struct ExperimentSettings: Sendable {
    /// Independent runs per configuration (seeds 1…n).
    public var seeds: Int
    /// Training epochs.
    public var epochs: Int
    /// Training images used (the first ones of the official split).
    public var trainCount: Int
    /// CI-sized run whose checks must pass.
    public var quick: Bool
    /// Progress lines (nil: silent).
    public var log: (@Sendable (String) -> Void)?
    /// Where finished runs are saved and reused from (nil: neither).
    public var runStore: RunStore?

    /// Settings with the given values.
    public init(seeds: Int, epochs: Int, trainCount: Int, quick: Bool, log: (@Sendable (String) -> Void)? = nil,
                runStore: RunStore? = nil) {
        precondition(seeds >= 1 && epochs >= 1 && trainCount >= 1,
                     "ExperimentSettings: seeds, epochs and trainCount must be ≥ 1, got \(seeds), \(epochs), \(trainCount)")
        self.seeds = seeds; self.epochs = epochs; self.trainCount = trainCount; self.quick = quick; self.log = log
        self.runStore = runStore
    }
}

/// What an experiment returns: its table and, for `--quick`, the checks that failed.
public struct ExperimentResult: Sendable {
    /// Our figures beside the paper's.
    public var table: ResultTable
    /// Failed "learning happened" checks (empty when all passed).
    public var failures: [String]
}

/// A named configuration to train: a model builder and a learning rule.
struct Configuration {
    let label: String
    let rule: LearningRule
    let optimizer: OptimizerKind
    let learningRate: Float
    let batchSize: Int
    var warmupEpochs = 0
    let model: (UInt64) -> Sequential
}

/// Runs a configuration for every seed; returns the outcomes (in seed order). With a run store,
/// a run saved earlier with the same fingerprint is reused and each newly finished run is saved.
func runSeeds(_ c: Configuration, train trainSplit: MNISTSplit, test: MNISTSplit,
              settings: ExperimentSettings) throws -> [TrainingOutcome] {
    let dataPrint = settings.runStore == nil ? ""
        : "train \(trainSplit.count)×\(trainSplit.features) \(String(trainSplit.checksum, radix: 16)), test \(test.count) \(String(test.checksum, radix: 16))"
    return try (1...settings.seeds).map { seed in
        let options = TrainingOptions(epochs: settings.epochs, batchSize: c.batchSize, learningRate: c.learningRate,
                                      optimizer: c.optimizer, seed: UInt64(seed), warmupEpochs: c.warmupEpochs,
                                      log: settings.log)
        guard let store = settings.runStore else {
            settings.log?("\(c.label), seed \(seed):")
            return try train(c.model(UInt64(seed)), rule: c.rule, train: trainSplit, test: test, options: options)
        }
        let fingerprint = """
            run-store 1
            label \(c.label)
            rule \(String(reflecting: c.rule))
            optimizer \(c.optimizer), lr \(c.learningRate), batch \(c.batchSize), warm-up epochs \(c.warmupEpochs)
            epochs \(settings.epochs), seed \(seed)
            data \(dataPrint)
            """
        let path = store.path(label: c.label, seed: seed)
        let saved = store.load(path: path, fingerprint: fingerprint, into: c.model(UInt64(seed)))
        if let outcome = saved.outcome {
            settings.log?("\(c.label), seed \(seed): reusing the run saved in \(path)")
            return outcome
        }
        settings.log?(saved.reason == "not saved yet" ? "\(c.label), seed \(seed):" : "\(c.label), seed \(seed): training (\(saved.reason))")
        let outcome = try train(c.model(UInt64(seed)), rule: c.rule, train: trainSplit, test: test, options: options)
        try store.save(outcome, path: path, fingerprint: fingerprint)
        return outcome
    }
}

/// `1.2 min` style durations.
func duration(_ seconds: Double) -> String {
    seconds < 120 ? String(format: "%.0f s", seconds) : String(format: "%.1f min", seconds / 60)
}
