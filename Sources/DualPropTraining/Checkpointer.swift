import DualProp
import Foundation

/// Rank 0's run directory: weights, the resumable state, metrics and the plot. On the other ranks
/// `dir` is nil and every write is skipped (they hold the same weights and state).
/// The order of writes keeps the last good checkpoint: best, last, then the state (the commit
/// point); metrics are derived from the state.
struct Checkpointer {
    let dir: RunDirectory?
    let config: TrainingConfiguration
    let data: TrainingData

    /// The resumable checkpoint inside an epoch (`--checkpoint-every`).
    func writeMidEpoch(_ net: Sequential, _ optimizer: SGD, _ state: TrainingState, epoch: Int) throws {
        guard let dir else { return }
        try dir.writeWeights(net, name: RunDirectory.lastWeights, metadata: metadata(epoch: epoch, state: state))
        try dir.writeState(state, network: net, optimizer: optimizer)
    }

    /// The checkpoints, metrics and plot of a finished epoch (`state.epoch` already advanced).
    func writeEpochEnd(_ net: Sequential, _ optimizer: SGD, _ state: TrainingState, improved: Bool) throws {
        guard let dir else { return }
        if improved { try dir.writeWeights(net, name: RunDirectory.bestWeights, metadata: metadata(epoch: state.epoch, state: state)) }
        try dir.writeWeights(net, name: RunDirectory.lastWeights, metadata: metadata(epoch: state.epoch, state: state))
        try dir.writeState(state, network: net, optimizer: optimizer)
        try dir.writeMetrics(state.history)
        try? CurvePlot.write(metrics: dir.file(RunDirectory.metricsFile), to: dir.file(RunDirectory.plotFile))
    }

    /// The final metrics (with the test row) and plot.
    func writeFinal(_ history: [MetricRow]) throws {
        guard let dir else { return }
        try dir.writeMetrics(history)
        try CurvePlot.write(metrics: dir.file(RunDirectory.metricsFile), to: dir.file(RunDirectory.plotFile))
    }

    /// The best-validation weights on every rank: rank 0 reads them (when saved) and broadcasts.
    func bestNetwork(current net: Sequential, group: ProcessGroup) throws -> Sequential {
        var best = net
        if let dir, FileManager.default.fileExists(atPath: dir.file(RunDirectory.bestWeights)) {
            try dir.readWeights(into: &best, name: RunDirectory.bestWeights)
        }
        try DataParallel.broadcastWeights(&best, group)
        return best
    }

    /// Where the last good checkpoint is, for an error message.
    func lastGood(_ state: TrainingState) -> String {
        guard let dir else { return "The last good checkpoint is kept by rank 0." }
        let last = dir.file(RunDirectory.lastWeights)
        return FileManager.default.fileExists(atPath: last)
            ? "The last good checkpoint is kept: \(last) (and \(RunDirectory.stateFile), end of epoch \(state.history.last?.epoch ?? 0))."
            : "No checkpoint was written yet."
    }

    /// Gradient cosines to BP, appended to `gradient-cosines.csv`.
    func appendCosines(names: [String], cosines: [Double], epoch: Int) {
        guard let dir else { return }
        if !FileManager.default.fileExists(atPath: dir.file(RunDirectory.cosinesFile)) {
            dir.append("epoch," + names.joined(separator: ","), to: RunDirectory.cosinesFile)
        }
        dir.append("\(epoch + 1)," + cosines.map { fixed($0, 6) }.joined(separator: ","), to: RunDirectory.cosinesFile)
    }

    func metadata(epoch: Int, state: TrainingState) -> [String: String] {
        ["format": "cifar-vgg VGG16 (torchvision names; conv OIHW, linear [out,in]; input NCHW normalised)",
         "epoch": String(epoch), "step": String(state.step), "config_hash": config.hash, "method": config.method.rawValue,
         "width_multiplier": String(config.widthMultiplier), "classes": String(config.classes),
         "normalization_mean": data.normalization.mean.map { "\($0)" }.joined(separator: ","),
         "normalization_std": data.normalization.std.map { "\($0)" }.joined(separator: ",")]
    }
}
