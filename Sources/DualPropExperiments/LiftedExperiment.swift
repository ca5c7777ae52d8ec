import DualProp
import Foundation

/// Zach & Estellers 2019 Table 1: 784-64-64-64-10 with ReLU or hard sigmoid; BP vs contrastive
/// lifted vs standard lifted (γ = 1/8, 15 coordinate-descent sweeps, SGD batch 50, η = 1/20 with
/// the lifted gradients divided by γ^{L−1}), and linear regression; accuracies and the fraction of
/// hidden units in their linear regime per layer.
public enum LiftedExperiment {
    /// The paper: 100 epochs; one run.
    public static let defaults = (epochs: 100, seeds: 1, trainCount: 60_000)

    /// Paper rows: label → (train, test, linear % per layer).
    public static let paper: [String: (Double, Double, [Double])] = [
        "ReLU back-prop": (99.8, 97.7, [43.8, 39.3, 38.2]),
        "ReLU lifted": (85.2, 86.3, [99.9, 99.9, 99.9]),
        "ReLU contr.": (99.8, 97.6, [37.9, 43.6, 48.4]),
        "Hard sigm. back-prop": (99.7, 97.0, [53.5, 45.1, 34.6]),
        "Hard sigm. lifted": (85.4, 86.3, [99.9, 99.9, 99.9]),
        "Hard sigm. contr.": (99.8, 97.4, [47.0, 43.7, 50.7]),
        "Linear regression": (85.3, 86.0, []),
    ]

    /// The model: LeCun-normal weights, zero biases, squared-error loss.
    public static func model(seed: UInt64, activation: Activation) -> Sequential {
        .mlp(widths: [784, 64, 64, 64, 10], activation: activation, loss: .leastSquares, initializers: [.lecunNormal], seed: seed)
    }

    /// Accuracy (%) and per-hidden-layer linear-regime fractions (%) of `net` on `split`: by free
    /// lifted inference with `sweeps` sweeps, or (sweeps = nil) by the plain forward pass. A network
    /// whose outputs are not finite (a diverged run, or a saved run with NaN weights) has
    /// accuracy NaN: its row of the table shows it as diverged.
    public static func assess(_ net: Sequential, on split: MNISTSplit, gamma: Float, sweeps: Int?) throws -> (accuracy: Double, linear: [Double]) {
        let lifted = LiftedNetwork(net, gamma: gamma)
        var correct = 0, sums = [Double](repeating: 0, count: lifted.depth - 1)
        var start = 0
        while start < split.count {
            let end = min(start + 500, split.count)
            let (x, y) = split.batch(Array(start..<end)[...])
            let st = try sweeps.map { try lifted.infer(x, sweeps: $0) } ?? lifted.forwardStates(x)
            let out = st.z.last!.scalars, n = out.count / max(y.count, 1)
            guard out.allSatisfy(\.isFinite) else { return (.nan, sums.map { _ in .nan }) }
            for (i, label) in y.enumerated() {
                let row = out[(i * n)..<((i + 1) * n)]
                if let top = row.indices.max(by: { row[$0] < row[$1] }), top - i * n == Int(label) { correct += 1 }
            }
            for (k, f) in lifted.linearFractions(st).enumerated() { sums[k] += f * Double(end - start) }
            start = end
        }
        return (100 * Double(correct) / Double(split.count), sums.map { 100 * $0 / Double(split.count) })
    }

    /// Runs every row of the table.
    public static func run(train: MNISTSplit, test: MNISTSplit, settings: ExperimentSettings,
                           gamma: Float = 0.125, sweeps: Int = 15) throws -> ExperimentResult {
        var table = ResultTable(title: "lifted — Zach & Estellers 2019 Table 1 (MNIST, 784-64-64-64-10, γ = 1/8, \(sweeps) sweeps)",
                                columns: ["model", "train % (ours)", "test % (ours)", "paper train/test", "linear % L1/L2/L3 (ours)", "paper linear %", "time/run"])
        var failures: [String] = []
        var rows: [(String, Activation?, LearningRule)] = []
        for (name, f) in [("ReLU", Activation.relu), ("Hard sigm.", .hardSigmoid)] {
            rows.append(("\(name) back-prop", f, Backpropagation()))
            rows.append(("\(name) lifted", f, LiftedTraining(.standard, gamma: gamma, sweeps: sweeps, layerwise: true)))
            rows.append(("\(name) contr.", f, LiftedTraining(.contrastive, gamma: gamma, sweeps: sweeps)))
        }
        rows.append(("Linear regression", nil, Backpropagation()))
        for (label, f, rule) in rows {
            let isLifted = rule is LiftedTraining
            let c = Configuration(label: label, rule: rule, optimizer: .sgd, learningRate: 1.0 / 20, batchSize: 50,
                                  warmupEpochs: (rule as? LiftedTraining)?.objective == .standard ? min(5, max(1, settings.epochs / 10)) : 0,
                                  model: { seed in f.map { model(seed: seed, activation: $0) }
                                      ?? .mlp(widths: [784, 10], activation: .identity, loss: .leastSquares, seed: seed) })
            let outcomes = try runSeeds(c, train: train, test: test, settings: settings)
            var trainAcc: [Double] = [], testAcc: [Double] = [], linear: [[Double]] = []
            for o in outcomes {
                if o.diverged { trainAcc.append(.nan); testAcc.append(.nan); continue }
                let tr = try assess(o.network, on: train, gamma: gamma, sweeps: isLifted ? sweeps : nil)
                let te = try assess(o.network, on: test, gamma: gamma, sweeps: isLifted ? sweeps : nil)
                trainAcc.append(tr.accuracy); testAcc.append(te.accuracy)
                if te.accuracy.isFinite { linear.append(te.linear) }
            }
            let lin = linear.isEmpty || linear[0].isEmpty ? "—"
                : (0..<linear[0].count).map { k in fmt(linear.map { $0[k] }.reduce(0, +) / Double(linear.count), 1) }.joined(separator: " / ")
            let p = paper[label]!
            let tacc = Summary(testAcc)
            table.add([label, Summary(trainAcc).formatted(), tacc.formatted(), "\(p.0) / \(p.1)", lin,
                       p.2.isEmpty ? "—" : p.2.map { String($0) }.joined(separator: " / "),
                       duration(outcomes.map(\.seconds).reduce(0, +) / Double(outcomes.count))])
            if settings.quick && (label.hasSuffix("back-prop") || label.hasSuffix("contr.")) && !(tacc.mean > 40) {
                failures.append("\(label): test accuracy \(fmt(tacc.mean)) ≤ 40%")
            }
        }
        table.notes.append("Settings: \(settings.seeds) seed(s) × \(settings.epochs) epoch(s) on the first \(train.count) training images; SGD η = 1/20, batch 50, squared error on one-hot targets; lifted gradients divided by γ³ (η_contr = η_BP/γ^{L−1}); standard lifted (J₀) divides layer k's gradient by γᵏ (not γ³: its gradient on inactive lower units is O(1) and η/γ³ diverges) and ramps its rate geometrically from η·10⁻⁴ over the first epoch(s). Lifted models are assessed by free coordinate-descent inference (\(sweeps) sweeps), BP by the forward pass; linear % = hidden units strictly inside their constraint set (ReLU: z > 0; hard sigmoid: 0 < z < 1) on the test set.")
        return ExperimentResult(table: table, failures: failures)
    }
}
