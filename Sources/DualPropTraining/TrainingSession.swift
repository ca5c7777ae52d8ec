import DualProp
import DualPropData
import Foundation

/// Wall time of a run across resumed sessions.
struct WallClock {
    let sessionStart: Double
    let wallAtSessionStart: Double
    var wall: Double { wallAtSessionStart + (now() - sessionStart) }
}

/// One training run in progress: the model, the optimizer and the run state, driven through the
/// epochs by its parts (stepping, evaluation, checkpoints, reporting).
struct TrainingSession {
    let config: TrainingConfiguration
    let data: TrainingData
    let group: ProcessGroup
    var net: Sequential
    var optimizer: SGD
    var state: TrainingState
    var stepper: EpochStepper
    let evaluator: Evaluator
    let checkpointer: Checkpointer
    var report: Reporter
    let wallClock: WallClock

    mutating func train() throws {
        // steps.jsonl: only the process that owns the run directory (rank 0) writes it.
        var stepLog = checkpointer.dir.map { StepLog(directory: $0, resumedAt: state.step) }
        while state.epoch < config.epochs {
            let epoch = state.epoch
            let batches = stepper.batches(epoch: epoch)
            let epochStart = now() - state.runningSeconds
            var lr = stepper.schedule.learningRate(step: state.step)
            stepLog?.restartClock()
            for b in state.batchInEpoch..<batches.count {
                lr = stepper.schedule.learningRate(step: state.step)
                let firstOfEpoch = b == state.batchInEpoch && b == 0
                let o = try stepper.step(&net, &optimizer, batch: batches[b], epoch: epoch, learningRate: lr)
                guard o.nonFiniteRanks.isEmpty else {
                    report.progress.endEpoch()
                    let loss = o.nonFiniteRanks.contains(group.rank) ? o.localLoss : Double.nan
                    let where_ = group.size > 1 ? " on rank\(o.nonFiniteRanks.count > 1 ? "s" : "") \(o.nonFiniteRanks.map(String.init).joined(separator: ", ")) of \(group.size)" : ""
                    throw nonFinite("the training loss is \(loss)\(where_) at epoch \(epoch + 1), step \(state.step + 1) (batch \(b + 1)/\(batches.count), learning rate \(lr))")
                }
                if config.checkGradients && firstOfEpoch, let local = o.local {
                    try logCosines(local.gradients, input: local.input, labels: local.labels, epoch: epoch)
                }
                state.step += 1
                stepLog?.record(step: state.step, epoch: epoch + 1, batch: b + 1, loss: o.lossSum / Double(max(o.count, 1)),
                                learningRate: lr, images: o.count)
                state.runningLoss += o.lossSum
                state.runningCorrect += o.correct
                state.runningCount += o.count
                state.batchInEpoch = b + 1
                let elapsed = now() - epochStart
                state.runningSeconds = elapsed
                report.progress.update(ProgressSnapshot(epoch: epoch + 1, epochs: config.epochs, step: b + 1, steps: batches.count,
                                                        elapsed: elapsed, imagesPerSecond: Double(state.runningCount) / max(elapsed, 1e-9),
                                                        loss: state.runningLoss / Double(max(state.runningCount, 1)),
                                                        accuracy: Double(state.runningCorrect) / Double(max(state.runningCount, 1)), learningRate: lr))
                if config.checkpointEverySteps > 0 && state.step % config.checkpointEverySteps == 0 && b + 1 < batches.count {
                    try requireFinite("after step \(state.step)")
                    state.wallSeconds = wallClock.wall
                    try checkpointer.writeMidEpoch(net, optimizer, state, epoch: epoch)
                }
            }
            report.progress.endEpoch()
            try endEpoch(epoch, learningRate: lr)
        }
        if stepper.checkReplicas && group.size > 1 {
            report.log("replica check: the weights were bitwise identical on all \(group.size) ranks after every step")
        }
    }

    /// Validation, metrics, checkpoints and the summary line of a finished epoch.
    mutating func endEpoch(_ epoch: Int, learningRate lr: Float) throws {
        let n = Double(max(state.runningCount, 1))
        let trainSeconds = state.runningSeconds
        let trainRow = MetricRow(epoch: epoch + 1, split: "train", loss: state.runningLoss / n,
                                 top1: Double(state.runningCorrect) / n, top5: nil, learningRate: Double(lr),
                                 imagesPerSecond: Double(state.runningCount) / max(trainSeconds, 1e-9), wallSeconds: wallClock.wall)
        var rows = [trainRow]
        var improved = false
        var line = "epoch \(epoch + 1)/\(config.epochs)  train loss \(fixed(trainRow.loss, 4)) acc \(fixed(100 * trainRow.top1, 2))%"
        if !data.split.validation.isEmpty {
            let v = try evaluator.evaluate(net, data.train, indices: data.split.validation)
            guard v.loss.isFinite else { throw nonFinite("the validation loss is \(v.loss) after epoch \(epoch + 1)") }
            let valRow = MetricRow(epoch: epoch + 1, split: "val", loss: v.loss, top1: v.top1, top5: v.top5,
                                   learningRate: Double(lr), imagesPerSecond: v.imagesPerSecond, wallSeconds: wallClock.wall)
            rows.append(valRow)
            improved = state.bestMetric.map { v.top1 > $0 } ?? true
            line += "  val loss \(fixed(v.loss, 4)) acc \(fixed(100 * v.top1, 2))% top5 \(fixed(100 * v.top5, 2))%"
        } else {
            improved = true  // no validation set: the last epoch is the one tested
        }
        try requireFinite("after epoch \(epoch + 1)")
        if improved { state.bestMetric = rows.count > 1 ? rows[1].top1 : nil; state.bestEpoch = epoch + 1 }
        line += "  lr \(String(format: "%.4g", lr))  \(fixed(trainRow.imagesPerSecond, 0)) img/s  \(fixed(trainSeconds, 1)) s"
        if let t = stepper.allreduceSecondsPerStep {
            line += "  allreduce \(fixed(1000 * t.total, 1)) ms/step (\(fixed(1000 * t.exposed, 1)) ms not overlapped)"
        }
        if improved && !data.split.validation.isEmpty { line += "  *best*" }
        state.history += rows
        state.epoch = epoch + 1
        state.batchInEpoch = 0
        state.runningLoss = 0; state.runningCorrect = 0; state.runningCount = 0; state.runningSeconds = 0
        state.wallSeconds = wallClock.wall
        try checkpointer.writeEpochEnd(net, optimizer, state, improved: improved)
        report.say(line)
    }

    /// Tests the best-validation model, writes the final metrics and plot, prints the final line.
    mutating func finish() throws -> TrainingSummary {
        let bestEpoch = state.bestEpoch ?? config.epochs
        let best = try checkpointer.bestNetwork(current: net, group: group)
        let t = try evaluator.evaluate(best, data.test, indices: Array(0..<data.test.count))
        let row = MetricRow(epoch: bestEpoch, split: "test", loss: t.loss, top1: t.top1, top5: t.top5, learningRate: 0,
                            imagesPerSecond: t.imagesPerSecond, wallSeconds: wallClock.wall)
        state.history.removeAll { $0.split == "test" }
        state.history.append(row)
        try checkpointer.writeFinal(state.history)
        report.say("test (best-validation model, epoch \(bestEpoch), \(data.test.count) images): top-1 \(fixed(100 * t.top1, 2))%  top-5 \(fixed(100 * t.top5, 2))%  loss \(fixed(t.loss, 4))  [\(clock(wallClock.wall)) total; run directory \(checkpointer.dir?.path ?? "on rank 0")]")
        return TrainingSummary(runDirectory: checkpointer.dir?.path ?? "", bestEpoch: bestEpoch, test: row, history: state.history)
    }

    /// The per-layer cosine of this rank's gradients to BP's on the same images (rank 0 logs it).
    func logCosines(_ gradients: Gradients, input: Tensor, labels: [Int32], epoch: Int) throws {
        guard group.isRoot else { return }
        let reference = try Backpropagation().step(net, input: input, labels: labels).gradients
        let cosines = gradients.cosines(with: reference)
        let names = net.parameters.map(\.name)
        checkpointer.appendCosines(names: names, cosines: cosines, epoch: epoch)
        report.say("epoch \(epoch + 1) gradient cosine to BP (first batch): " +
                   zip(names, cosines).map { "\($0) \(fixed($1, 4))" }.joined(separator: "  "))
    }

    func requireFinite(_ when: String) throws {
        for p in net.parameters where !(p.weight.scalars + p.bias.scalars).allSatisfy(\.isFinite) {
            throw nonFinite("parameters of \(p.name) are not finite \(when)")
        }
    }

    func nonFinite(_ what: String) -> TrainingError {
        let message = "stopped: \(what). \(checkpointer.lastGood(state)) Try a lower --learning-rate or a smaller --beta."
        report.log("error: " + message)
        return TrainingError(message, exitCode: Trainer.nonFiniteExitCode, onEveryRank: true)
    }
}
