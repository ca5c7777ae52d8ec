import DualProp
import DualPropData
import Foundation

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
        if let ranks = state.ranks, ranks < 1 { throw refuse("ranks", "is \(ranks), not a process count ≥ 1") }
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

    /// Throws unless every setting in a run's `config.json` lies in the range the command line
    /// accepts (``OptionRanges``): `cifar-vgg evaluate` builds the network and the data split from
    /// it, so a damaged or crafted value (a width of 10⁶, a validation percentage of 150) must be
    /// refused before it is allocated or trips a precondition.
    static func checkStoredConfiguration(_ c: TrainingConfiguration, path: String) throws {
        func refuse(_ field: String, _ value: Any, _ range: String) -> TrainingError {
            TrainingError("\(path): bad configuration: \(field) is \(value), outside \(range) (damaged or not written by cifar-vgg)")
        }
        func inRange(_ v: Int?, _ r: ClosedRange<Int>, _ field: String) throws {
            if let v, !r.contains(v) { throw refuse(field, v, OptionRanges.text(r)) }
        }
        try inRange(c.epochs, OptionRanges.epochs, "epochs")
        try inRange(c.batchSize, OptionRanges.batchSize, "batchSize")
        try inRange(c.warmupEpochs, OptionRanges.warmupEpochs, "warmupEpochs")
        try inRange(c.decayEpochs, OptionRanges.decayEpochs, "decayEpochs")
        try inRange(c.inferencePasses, OptionRanges.inferencePasses, "inferencePasses")
        try inRange(c.trainLimit, OptionRanges.imageLimit, "trainLimit")
        try inRange(c.testLimit, OptionRanges.imageLimit, "testLimit")
        try inRange(c.threads, 0...OptionRanges.threads.upperBound, "threads")
        try inRange(c.checkpointEverySteps, OptionRanges.checkpointEvery, "checkpointEverySteps")
        guard c.widthMultiplier.isFinite, c.widthMultiplier > 0, c.widthMultiplier <= OptionRanges.widthMultiplier else {
            throw refuse("widthMultiplier", c.widthMultiplier, "(0, \(Int(OptionRanges.widthMultiplier))]")
        }
        guard c.percentVal >= 0, c.percentVal < 100 else { throw refuse("percentVal", c.percentVal, "[0, 100)") }
        guard c.momentum >= 0, c.momentum < 1 else { throw refuse("momentum", c.momentum, "[0, 1)") }
        for (v, field) in [(c.learningRate, "learningRate"), (c.learningRateFinal, "learningRateFinal"),
                           (c.warmupLearningRate, "warmupLearningRate"), (c.weightDecay, "weightDecay")] where !(v.isFinite && v >= 0) {
            throw refuse(field, v, "finite values ≥ 0")
        }
        let dual = c.method == .dp || c.method == .dpT
        if dual {
            guard let a = c.alpha, a >= 0, a <= 1 else { throw refuse("alpha", c.alpha.map { "\($0)" } ?? "missing", "[0, 1]") }
            guard let b = c.beta, b.isFinite, b > 0 else { throw refuse("beta", c.beta.map { "\($0)" } ?? "missing", "finite values > 0") }
        }
        if c.method == .fbp {
            guard let t = c.tau, t.isFinite, t > 0 else { throw refuse("tau", c.tau.map { "\($0)" } ?? "missing", "finite values > 0") }
        }
    }

    /// The ``TrainingState`` of a decoded checkpoint file, its weights loaded into `net` and its
    /// momentum into `optimizer`, after checking the metadata and every tensor (names, shapes,
    /// finite values). `path` is named in errors.
    static func load(_ file: (tensors: [NamedTensor], metadata: [String: String]), into net: inout Sequential,
                     optimizer: inout SGD, path: String) throws -> TrainingState {
        let (tensors, metadata) = file
        guard let json = metadata["training_state"] else {
            throw TrainingError("\(path): bad header: no training_state metadata (not a cifar-vgg checkpoint)")
        }
        let state = try decodeJSON(TrainingState.self, from: Array(json.utf8), file: path)
        if let hash = metadata["config_hash"], hash != state.configHash {
            throw TrainingError("\(path): bad training state: config_hash \(hash) in the metadata ≠ configHash \(state.configHash) of the state")
        }
        try checkTensors(tensors, parameterNames: net.pytorchParameters().map(\.name), path: path)
        func group(_ prefix: String) -> [String: Tensor] {
            Dictionary(tensors.filter { $0.name.hasPrefix(prefix) }
                .map { (String($0.name.dropFirst(prefix.count)), Tensor(shape: $0.shape, values: $0.values)) },
                       uniquingKeysWith: { a, _ in a })
        }
        do {
            try net.loadPyTorchParameters(group("model."))
            let momentum = group("momentum.")
            if !momentum.isEmpty {
                var carrier = net
                try carrier.loadPyTorchParameters(momentum)
                optimizer.velocities = carrier.parameters.map { ($0.weight, $0.bias) }
            }
        } catch { throw TrainingError("\(path): does not fit the network: \(error)") }
        return state
    }

    /// The fuzz target's and the mutation tests' entry: the bytes of a `last-state.safetensors`
    /// decoded, loaded into `network` and checked against `config` with `trainCount` /
    /// `validationCount` images. Returns nil when accepted, the message when refused with a
    /// ``TrainingError`` or ``DataError``; any other error is returned prefixed with "unexpected".
    package static func probe(_ bytes: [UInt8], config: TrainingConfiguration, network: Sequential,
                              trainCount: Int, validationCount: Int) -> String? {
        var net = network, optimizer = SGD(momentum: config.momentum, weightDecay: config.weightDecay)
        do {
            let state = try load(SafeTensors.decode(bytes, name: "last-state.safetensors"), into: &net,
                                 optimizer: &optimizer, path: "last-state.safetensors")
            try check(state, config: config, trainCount: trainCount, validationCount: validationCount, path: "last-state.safetensors")
            return nil
        } catch let e as TrainingError { return e.description } catch let e as DataError { return e.description } catch {
            return "unexpected \(type(of: error)): \(error)"
        }
    }

    /// A state file of `net` and `state` as `RunDirectory` writes it (for seeds and tests).
    package static func encode(_ state: TrainingState, network net: Sequential, withMomentum: Bool) throws -> [UInt8] {
        var tensors = try net.pytorchParameters().map { NamedTensor(name: "model." + $0.name, shape: $0.tensor.shape, values: $0.tensor.scalars) }
        if withMomentum {
            tensors += try net.pytorchParameters().map { NamedTensor(name: "momentum." + $0.name, shape: $0.tensor.shape, values: $0.tensor.scalars.map { $0 * 0.01 }) }
        }
        let json = String(decoding: try canonicalJSON(state), as: UTF8.self)
        return SafeTensors.encode(tensors, metadata: ["training_state": json, "config_hash": state.configHash])
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

/// The small run the run-state fuzz target and the mutation tests check states against:
/// synthetic data, VGG16 at width 1/32, 3 epochs of batch 16 over 90 training and 10 validation images.
package enum RunStateFixture {
    /// The configuration (every field resolved, as `cifar-vgg` would).
    package static let config: TrainingConfiguration = {
        // These arguments are valid (a test parses them), so parsing cannot fail.
        try! CifarVGG.parse(["--epochs", "3", "--batch-size", "16", "--width-multiplier", "0.03125",
                             "--train-limit", "100", "--test-limit", "20"]).resolved()
    }()
    /// Training and validation images of the run.
    package static let trainCount = 90, validationCount = 10
    /// The run's initial network.
    package static let network = config.initialNetwork()

    /// ``RunStateValidation/probe(_:config:network:trainCount:validationCount:)`` for this run.
    package static func probe(_ bytes: [UInt8]) -> String? {
        RunStateValidation.probe(bytes, config: config, network: network, trainCount: trainCount, validationCount: validationCount)
    }

    /// A valid state after `epoch` finished epochs and `batch` batches of the next.
    package static func state(epoch: Int, batch: Int) -> TrainingState {
        var s = TrainingState(configHash: config.hash, rngSeed: config.seed)
        let steps = (trainCount + config.batchSize - 1) / config.batchSize
        s.epoch = epoch; s.batchInEpoch = batch; s.step = epoch * steps + batch
        s.runningCount = batch * config.batchSize; s.runningCorrect = s.runningCount / 3
        s.runningLoss = 2.3 * Double(s.runningCount); s.runningSeconds = Double(batch); s.wallSeconds = Double(epoch * 10 + batch)
        for e in 0..<epoch {
            let accuracy = [0.2, 0.4, 0.3][e % 3]
            s.history.append(MetricRow(epoch: e + 1, split: "train", loss: 2.2, top1: 0.15, top5: nil, learningRate: 0.01,
                                       imagesPerSecond: 50, wallSeconds: Double(e * 10 + 9)))
            s.history.append(MetricRow(epoch: e + 1, split: "val", loss: 2.1, top1: accuracy, top5: 0.6, learningRate: 0.01,
                                       imagesPerSecond: 200, wallSeconds: Double(e * 10 + 10)))
        }
        if epoch > 0 {
            let vals = s.history.filter { $0.split == "val" }.map(\.top1)
            s.bestMetric = vals.max(); s.bestEpoch = vals.firstIndex(of: vals.max()!)! + 1
        }
        return s
    }
}
