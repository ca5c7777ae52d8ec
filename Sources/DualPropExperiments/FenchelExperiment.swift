import DualProp
import Foundation

/// Zach 2021 Fig. 1: MLP 784-256-128-64-10 ReLU, softmax-CE, Adam 1e-3, batch 50,
/// first 50,000 images; BP vs Fenchel BP for several τ from Glorot-uniform and all-negative
/// first-layer initialisation (the authors' Julia listing negates only the first layer).
public enum FenchelExperiment {
    /// The authors' listing: 50 epochs, one seed, 50,000 images.
    public static let defaults = (epochs: 50, seeds: 1, trainCount: 50_000)

    /// τ in our convention (per-example error); the Julia listing's β (on the mean loss's cotangent,
    /// batch 50) equals our τ · 50.
    public static let defaultTaus: [Float] = [0.5, 5, 50]

    /// The model; `allNegative` makes the first layer's weights `−|Glorot|`.
    public static func model(seed: UInt64, allNegative: Bool) -> Sequential {
        .mlp(widths: [784, 256, 128, 64, 10], activation: .relu, loss: .softmaxCrossEntropy,
             initializers: [allNegative ? .allNegative : .glorotUniform, .glorotUniform, .glorotUniform, .glorotUniform],
             seed: seed)
    }

    /// Runs BP and Fenchel BP for each τ, from both initialisations.
    public static func run(train: MNISTSplit, test: MNISTSplit, settings: ExperimentSettings,
                           taus: [Float] = defaultTaus) throws -> ExperimentResult {
        var table = ResultTable(title: "fenchel — Zach 2021 Fig. 1 (MNIST, 784-256-128-64-10 ReLU, softmax-CE)",
                                columns: ["init", "rule", "train err % (ours)", "test err % (ours)", "paper train/test err %", "time/run"])
        var failures: [String] = []
        for allNegative in [false, true] {
            var rules: [(String, LearningRule)] = [("BP", Backpropagation())]
            for t in taus { rules.append(("FenBP τ=\(t) (Julia β=\(t * 50))", FenchelBackpropagation(tau: t))) }
            for (label, rule) in rules {
                let c = Configuration(label: "\(allNegative ? "all-negative" : "Glorot") \(label)", rule: rule,
                                      optimizer: .adam, learningRate: 1e-3, batchSize: 50,
                                      model: { model(seed: $0, allNegative: allNegative) })
                let outcomes = try runSeeds(c, train: train, test: test, settings: settings)
                let trainErr = Summary(outcomes.map { 100 - $0.runningTrainAccuracy })
                let testErr = Summary(outcomes.map { 100 - $0.testAccuracy })
                var paper = "figure only"
                if allNegative {
                    paper = label == "BP" ? "88.66 / 88.65" : (rule as? FenchelBackpropagation)?.tau == taus.max() ? "1.7 / 2.79 (large enough τ)" : "88.66 / 88.65 if τ too small"
                }
                table.add([allNegative ? "all-negative" : "Glorot", label, trainErr.formatted(), testErr.formatted(), paper,
                           duration(outcomes.map(\.seconds).reduce(0, +) / Double(outcomes.count))])
                if settings.quick {
                    if !allNegative && label == "BP" && !(testErr.mean < 20) { failures.append("Glorot BP: test error \(fmt(testErr.mean)) ≥ 20%") }
                    if allNegative && (rule as? FenchelBackpropagation)?.tau == taus.max() && !(testErr.mean < 50) {
                        failures.append("all-negative \(label): test error \(fmt(testErr.mean)) ≥ 50% (Fenchel BP should escape)")
                    }
                }
            }
        }
        table.notes.append("Settings: \(settings.seeds) seed(s) × \(settings.epochs) epoch(s) on the first \(train.count) training images; Adam 1e-3, batch 50. Train error = running error of the last epoch (as the authors' listing prints). τ is per-example; the Julia listing's β applies to the mean loss's cotangent, so β = 50·τ.")
        return ExperimentResult(table: table, failures: failures)
    }
}
