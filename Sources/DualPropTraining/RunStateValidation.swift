import DualPropData

/// Checks of a resumable checkpoint (`last-state.safetensors`) before a run continues from it.
///
/// The file is untrusted: it may be damaged, hand-edited or from another run. Every field of the
/// ``TrainingState`` is compared with what the configuration and the data allow, and the tensors
/// with what the network has, so that an impossible state is refused with a message naming the
/// file and the field instead of trapping later or printing nonsense (an epoch beyond the run, a
/// best epoch that never happened, a loss no network could have).
public enum RunStateValidation {
    /// The `TrainingState.format` this build writes and reads.
    public static let supportedFormat = 1

    /// The largest mean loss a state may record. Losses are computed from Float32 outputs and a
    /// run stops on a non-finite one, so a larger mean cannot come from training.
    public static let largestMeanLoss = Double(Float.greatestFiniteMagnitude)

    /// Throws a ``TrainingError`` naming `path` and the first field of `state` that the
    /// configuration `config` with `trainCount` training and `validationCount` validation images
    /// makes impossible.
    public static func check(_ state: TrainingState, config: TrainingConfiguration, trainCount: Int,
                             validationCount: Int, path: String) throws {
        func refuse(_ field: String, _ problem: String) -> TrainingError {
            TrainingError("\(path): bad training state: \(field) \(problem); the checkpoint is damaged or belongs to another run (start a new --output)")
        }
        guard state.format == supportedFormat else {
            throw refuse("format", "is \(state.format); this cifar-vgg reads format \(supportedFormat)")
        }
        guard state.configHash == config.hash else {
            throw refuse("configHash", "is \(state.configHash), the settings hash to \(config.hash)")
        }
        guard state.rngSeed == config.seed else { throw refuse("rngSeed", "is \(state.rngSeed), the run's seed is \(config.seed)") }
        guard trainCount >= 1, config.batchSize >= 1 else { throw refuse("batchInEpoch", "cannot be checked: no training batch") }
        let stepsPerEpoch = (trainCount + config.batchSize - 1) / config.batchSize
        guard (0...config.epochs).contains(state.epoch) else {
            throw refuse("epoch", "is \(state.epoch), outside 0…\(config.epochs) (the run has \(config.epochs) epochs)")
        }
        let batchLimit = state.epoch == config.epochs ? 0 : stepsPerEpoch - 1
        guard (0...batchLimit).contains(state.batchInEpoch) else {
            throw refuse("batchInEpoch", "is \(state.batchInEpoch), outside 0…\(batchLimit) (\(stepsPerEpoch) batches per epoch)")
        }
        let expectedStep = state.epoch.multipliedReportingOverflow(by: stepsPerEpoch).partialValue + state.batchInEpoch
        guard state.step == expectedStep else {
            throw refuse("step", "is \(state.step), but epoch \(state.epoch) batch \(state.batchInEpoch) with \(stepsPerEpoch) batches per epoch is step \(expectedStep)")
        }
        let expectedCount = min(state.batchInEpoch * config.batchSize, trainCount)
        guard state.runningCount == expectedCount else {
            throw refuse("runningCount", "is \(state.runningCount), but \(state.batchInEpoch) batches of \(config.batchSize) hold \(expectedCount) images")
        }
        guard (0...state.runningCount).contains(state.runningCorrect) else {
            throw refuse("runningCorrect", "is \(state.runningCorrect), outside 0…\(state.runningCount)")
        }
        guard state.runningLoss.isFinite, state.runningLoss >= 0,
              state.runningLoss <= largestMeanLoss * Double(state.runningCount) else {
            throw refuse("runningLoss", "is \(state.runningLoss), not a sum of \(state.runningCount) finite non-negative losses")
        }
        for (value, field) in [(state.runningSeconds, "runningSeconds"), (state.wallSeconds, "wallSeconds")] {
            guard value.isFinite, value >= 0 else { throw refuse(field, "is \(value), not a finite duration ≥ 0") }
        }
        try checkHistory(state, validationCount: validationCount, refuse: refuse)
    }

    /// The metrics rows and the best epoch: one train row (and one validation row when there is a
    /// validation set) per finished epoch, in order, with possible figures; the best epoch is the
    /// first with the highest validation accuracy (the last epoch without validation).
    static func checkHistory(_ state: TrainingState, validationCount: Int, refuse: (String, String) -> TrainingError) throws {
        let validated = validationCount > 0
        let splits = validated ? ["train", "val"] : ["train"]
        guard state.history.count == state.epoch * splits.count else {
            throw refuse("history", "has \(state.history.count) rows, \(state.epoch) finished epochs make \(state.epoch * splits.count)")
        }
        for (k, row) in state.history.enumerated() {
            let epoch = k / splits.count + 1, split = splits[k % splits.count]
            guard row.epoch == epoch, row.split == split else {
                throw refuse("history[\(k)]", "is epoch \(row.epoch) \(row.split), expected epoch \(epoch) \(split)")
            }
            let fraction = 0.0...1.0
            guard row.loss.isFinite, row.loss >= 0, row.loss <= largestMeanLoss, fraction.contains(row.top1),
                  row.top5.map({ fraction.contains($0) }) ?? true,
                  row.learningRate.isFinite, row.learningRate >= 0,
                  row.imagesPerSecond.isFinite, row.imagesPerSecond >= 0, row.wallSeconds.isFinite, row.wallSeconds >= 0 else {
                throw refuse("history[\(k)]", "has impossible figures (loss \(row.loss), top-1 \(row.top1), top-5 \(row.top5.map { "\($0)" } ?? "nil"), learning rate \(row.learningRate))")
            }
        }
        guard state.epoch > 0 else {
            guard state.bestEpoch == nil, state.bestMetric == nil else {
                throw refuse("bestEpoch", "is \(state.bestEpoch.map(String.init) ?? "nil") before the first epoch has finished")
            }
            return
        }
        if validated {
            let accuracies = state.history.filter { $0.split == "val" }.map(\.top1)
            let best = accuracies.max()!
            let bestEpoch = accuracies.firstIndex(of: best)! + 1
            guard state.bestEpoch == bestEpoch else {
                throw refuse("bestEpoch", "is \(state.bestEpoch.map(String.init) ?? "nil"), the history's best validation epoch is \(bestEpoch) (of \(state.epoch))")
            }
            guard state.bestMetric == best else {
                throw refuse("bestMetric", "is \(state.bestMetric.map { "\($0)" } ?? "nil"), epoch \(bestEpoch)'s validation top-1 is \(best)")
            }
        } else {
            guard state.bestEpoch == state.epoch else {
                throw refuse("bestEpoch", "is \(state.bestEpoch.map(String.init) ?? "nil"); without a validation set it is the last finished epoch, \(state.epoch)")
            }
            guard state.bestMetric == nil else { throw refuse("bestMetric", "is set although the run has no validation set") }
        }
    }

    /// Throws unless `names` are exactly `model.<p>` for every parameter name `p` of the network,
    /// plus optionally `momentum.<p>` for all of them, and every value is finite.
    static func checkTensors(_ tensors: [NamedTensor], parameterNames: [String], path: String) throws {
        let model = Set(parameterNames.map { "model." + $0 }), momentum = Set(parameterNames.map { "momentum." + $0 })
        let names = Set(tensors.map(\.name))
        if let extra = names.subtracting(model).subtracting(momentum).sorted().first {
            throw TrainingError("\(path): bad training state: unexpected tensor \(extra) (the network has no such parameter)")
        }
        if let missing = model.subtracting(names).sorted().first {
            throw TrainingError("\(path): bad training state: tensor \(missing) is missing")
        }
        let velocities = names.intersection(momentum)
        if !velocities.isEmpty, let missing = momentum.subtracting(velocities).sorted().first {
            throw TrainingError("\(path): bad training state: tensor \(missing) is missing (the file has other momentum tensors)")
        }
        for t in tensors where !t.values.allSatisfy(\.isFinite) {
            throw TrainingError("\(path): bad training state: tensor \(t.name) holds non-finite values")
        }
    }
}
