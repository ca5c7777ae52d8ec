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

    /// Settings with the given values.
    public init(seeds: Int, epochs: Int, trainCount: Int, quick: Bool, log: (@Sendable (String) -> Void)? = nil) {
        precondition(seeds >= 1 && epochs >= 1 && trainCount >= 1,
                     "ExperimentSettings: seeds, epochs and trainCount must be ≥ 1, got \(seeds), \(epochs), \(trainCount)")
        self.seeds = seeds; self.epochs = epochs; self.trainCount = trainCount; self.quick = quick; self.log = log
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

/// Runs a configuration for every seed; returns the outcomes (in seed order).
func runSeeds(_ c: Configuration, train trainSplit: MNISTSplit, test: MNISTSplit,
              settings: ExperimentSettings) throws -> [TrainingOutcome] {
    try (1...settings.seeds).map { seed in
        settings.log?("\(c.label), seed \(seed):")
        let options = TrainingOptions(epochs: settings.epochs, batchSize: c.batchSize, learningRate: c.learningRate,
                                      optimizer: c.optimizer, seed: UInt64(seed), warmupEpochs: c.warmupEpochs,
                                      log: settings.log)
        return try train(c.model(UInt64(seed)), rule: c.rule, train: trainSplit, test: test, options: options)
    }
}

/// `1.2 min` style durations.
func duration(_ seconds: Double) -> String {
    seconds < 120 ? String(format: "%.0f s", seconds) : String(format: "%.1f min", seconds / 60)
}
