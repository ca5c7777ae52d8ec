import DualProp
import DualPropData

/// The optimizer steps of training: each global batch is sharded over the ranks
/// (`DataParallel.shard`), each rank runs the learning rule on its share, the gradients are
/// summed in buckets, and every rank applies the same SGD update.
struct EpochStepper {
    let config: TrainingConfiguration
    let data: TrainingData
    let group: ProcessGroup
    let rule: any LearningRule
    let assembler: BatchAssembler
    /// Compare a hash of the weights across the ranks after every step.
    let checkReplicas: Bool
    var buckets: GradientBuckets?
    private var values: [Float] = [], labels: [Int32] = []

    init(config: TrainingConfiguration, data: TrainingData, group: ProcessGroup, net: Sequential, checkReplicas: Bool) {
        self.config = config; self.data = data; self.group = group; self.checkReplicas = checkReplicas
        rule = config.learningRule()
        assembler = BatchAssembler(normalization: data.normalization, augmentation: .cropAndFlip, seed: config.seed)
        buckets = nil  // made from the optimizer's parameter store at the first step (MPI only)
    }

    var stepsPerEpoch: Int { (data.split.train.count + config.batchSize - 1) / config.batchSize }

    var schedule: WarmupCosineSchedule {
        WarmupCosineSchedule(warmupStart: config.warmupLearningRate, peak: config.learningRate, final: config.learningRateFinal,
                             warmupSteps: config.warmupEpochs * stepsPerEpoch, decaySteps: config.decayEpochs * stepsPerEpoch)
    }

    /// The global batches of `epoch` (the same on every rank).
    func batches(epoch: Int) -> [ArraySlice<Int>] {
        let order = DataOrder.shuffled(data.split.train, seed: config.seed, epoch: epoch)
        return DataOrder.batches(order, batchSize: config.batchSize, dropLast: false)
    }

    /// What one global step did, summed over the ranks.
    struct Outcome {
        var lossSum: Double, correct: Int, count: Int
        /// Ranks whose loss was not finite (empty when all were).
        var nonFiniteRanks: [Int]
        /// The mean loss of this rank's share (for the message).
        var localLoss: Double
        /// This rank's gradients before the sum, and its input (for `--check-gradients`).
        var local: (gradients: Gradients, input: Tensor, labels: [Int32])?
    }

    /// One step on the global batch `batch`: gradients of this rank's share, summed over the ranks,
    /// then the SGD update with learning rate `lr` — unless a rank's loss is not finite, in which
    /// case the weights are left alone and `nonFiniteRanks` names the ranks.
    mutating func step(_ net: inout Sequential, _ optimizer: inout SGD, batch: ArraySlice<Int>, epoch: Int, learningRate lr: Float) throws -> Outcome {
        let mine = DataParallel.shard(batch, group)
        var result: StepResult? = nil
        var input = Tensor(shape: [0])
        if !mine.isEmpty {
            assembler.assemble(from: data.train, indices: mine, epoch: epoch, into: &values, labels: &labels)
            input = Tensor(shape: [labels.count, data.train.height, data.train.width, data.train.channels], values: values)
        }
        if group.size > 1 {
            // The gradients go straight into the optimizer's gradient buffer, bucket by bucket,
            // and are summed there in place; the update then reads them where they are.
            optimizer.prepare(&net)
            var b = buckets ?? GradientBuckets(optimizer.store!)
            let network = net
            try optimizer.withGradientBuffer { buffer in
                // Each share's gradient is its mean; weighting by share/batch makes the sum the batch mean.
                b.begin(scale: Float(mine.count) / Float(batch.count))
                if !mine.isEmpty {
                    result = try rule.step(network, input: input, labels: labels) { k, w, bias in
                        try b.add(block: k, weight: w, bias: bias, into: buffer, group: group)
                    }
                }
                try b.finish(buffer, group: group)
            }
            buckets = b
        } else if !mine.isEmpty {
            result = try rule.step(net, input: input, labels: labels)
        }
        let loss = result?.loss ?? 0
        // Loss sum, correct, count, then one non-finite flag per rank: one small allreduce tells
        // every rank whether to stop, and which rank to blame.
        var sums = [loss * Double(result?.count ?? 0), Double(result?.correct ?? 0), Double(result?.count ?? 0)]
            + [Double](repeating: 0, count: group.size)
        if !loss.isFinite { sums[3 + group.rank] = 1; sums[0] = 0 }
        try group.sum(&sums)
        let bad = (0..<group.size).filter { sums[3 + $0] != 0 }
        let outcome = Outcome(lossSum: sums[0], correct: Int(sums[1]), count: Int(sums[2]), nonFiniteRanks: bad, localLoss: loss,
                              local: config.checkGradients ? result.map { ($0.gradients, input, labels) } : nil)
        guard bad.isEmpty else { return outcome }
        if group.size > 1 {
            try optimizer.updateFromGradientBuffer(&net, learningRate: lr)
        } else {
            try optimizer.update(&net, gradients: result!.gradients, learningRate: lr)
        }
        if checkReplicas && group.size > 1 {
            let h = DataParallel.hash(net)
            let r = try group.range(h)
            guard r.min == r.max else {
                throw TrainingError("rank \(group.rank) of \(group.size): the weights differ across the ranks after this step (hash \(h), range \(r.min)…\(r.max))", onEveryRank: true)
            }
        }
        return outcome
    }

    /// Mean seconds per step of the gradient allreduce so far, from its first bucket's start to its
    /// end, and the part not hidden behind the rule's computation (nil for one process).
    var allreduceSecondsPerStep: (total: Double, exposed: Double)? {
        guard let b = buckets, b.reductions > 0 else { return nil }
        return (b.communicationSeconds / Double(b.reductions), b.exposedSeconds / Double(b.reductions))
    }
}
