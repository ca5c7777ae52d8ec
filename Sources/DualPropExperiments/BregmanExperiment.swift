import DualProp
import Foundation

/// Frecon et al. Table 2, MLP rows: standard / Euclidean / Bregman feed-forward networks
/// with 1 and 3 hidden layers of width 784 and sigmoid activation, inputs scaled into ]0, 1[,
/// softmax-CE on a linear classifier, trained with BP.
public enum BregmanExperiment {
    /// The paper averages 5 realisations; it gives no epoch count or optimizer for MNIST.
    public static let defaults = (epochs: 10, seeds: 5, trainCount: 60_000)

    /// Paper rows: (hidden layers, skip) → test accuracy.
    public static let paper: [Int: [SkipConnection: Double]] = [
        1: [.standard: 95.27, .euclidean: 93.98, .bregman: 97.40],
        3: [.standard: 97.89, .euclidean: 98.32, .bregman: 98.41],
    ]

    /// The model.
    public static func model(seed: UInt64, hiddenLayers: Int, skip: SkipConnection) -> Sequential {
        .bregmanMLP(width: 784, hiddenLayers: hiddenLayers, classes: 10, activation: .sigmoid, skip: skip,
                    initializer: .lecunNormal, loss: .softmaxCrossEntropy, seed: seed)
    }

    /// Runs the six rows.
    public static func run(train: MNISTSplit, test: MNISTSplit, settings: ExperimentSettings,
                           learningRate: Float = 1e-3, batchSize: Int = 100) throws -> ExperimentResult {
        var table = ResultTable(title: "bregman — Frecon et al. Table 2 (MNIST FFNN, width 784, sigmoid)",
                                columns: ["hidden layers", "layer", "test acc % (ours)", "paper", "", "time/run"])
        var failures: [String] = []
        for depth in [1, 3] {
            for skip in [SkipConnection.standard, .euclidean, .bregman] {
                let c = Configuration(label: "\(depth) hidden, \(skip.rawValue)", rule: Backpropagation(), optimizer: .adam,
                                      learningRate: learningRate, batchSize: batchSize,
                                      model: { model(seed: $0, hiddenLayers: depth, skip: skip) })
                let outcomes = try runSeeds(c, train: train, test: test, settings: settings)
                let acc = Summary(outcomes.map(\.testAccuracy))
                let p = PaperFigure(paper[depth]![skip]!)
                table.add(["\(depth)", skip.rawValue, acc.formatted(), p.text, settings.quick ? "" : agreement(acc.mean, p),
                           duration(outcomes.map(\.seconds).reduce(0, +) / Double(outcomes.count))])
                if settings.quick && !(acc.mean > 50) { failures.append("\(c.label): test accuracy \(fmt(acc.mean)) ≤ 50%") }
            }
        }
        table.notes.append("Settings: \(settings.seeds) seed(s) × \(settings.epochs) epoch(s) on the first \(train.count) training images; BP, Adam \(learningRate), batch \(batchSize) (the paper names neither optimizer, rate, batch nor epochs for MNIST: our choice); LeCun-normal weights, zero biases; pixels mapped to 0.001 + 0.998·p/255. Agreement without a reported std: within 1 point.")
        return ExperimentResult(table: table, failures: failures)
    }
}
