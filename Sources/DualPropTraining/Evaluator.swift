import DualProp
import DualPropData

/// Loss, top-1 and top-5 of a network on part of a dataset (no augmentation). Under MPI each rank
/// evaluates the images rank, rank + N, … and the sums are reduced, so every rank gets the
/// numbers a single process would (counts exactly; the loss up to the order of summation).
struct Evaluator {
    let data: TrainingData
    let widthMultiplier: Double
    let group: ProcessGroup

    struct Result { var loss: Double, top1: Double, top5: Double, imagesPerSecond: Double }

    func evaluate(_ net: Sequential, _ dataset: ImageDataset, indices: [Int]) throws -> Result {
        let started = now()
        let assembler = BatchAssembler(normalization: data.normalization)
        let chunk = widthMultiplier >= 0.5 ? 100 : 250
        let mine = DataParallel.shard(indices, group)
        var values: [Float] = [], labels: [Int32] = []
        var sums = [0.0, 0, 0, 0]  // loss·count, top-1, top-5, count
        var i = 0
        while i < mine.count {
            let part = mine[i..<min(i + chunk, mine.count)]
            assembler.assemble(from: dataset, indices: part, epoch: 0, into: &values, labels: &labels)
            let e = try Evaluation(net, input: Tensor(shape: [labels.count, dataset.height, dataset.width, dataset.channels], values: values),
                                   labels: labels)
            sums[0] += e.loss * Double(e.count); sums[1] += Double(e.top1); sums[2] += Double(e.top5); sums[3] += Double(e.count)
            i += chunk
        }
        try group.sum(&sums)
        let n = max(sums[3], 1)
        return Result(loss: sums[0] / n, top1: sums[1] / n, top5: sums[2] / n, imagesPerSecond: sums[3] / max(now() - started, 1e-9))
    }
}
