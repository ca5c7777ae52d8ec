import DualProp
import Foundation

/// Høier & Zach 2024 Table 1: MLP 784-512-512-10 ReLU, squared error on one-hot targets, β = ½,
/// Adam 1e-3, batch 50, first 50,000 training images; DP (damped, 15 MLP rounds) and DP⊤ (5 rounds)
/// for α ∈ {1, ½, 0}, and BP. Reports test accuracy and `‖W₂W₁W₀‖₂`.
public enum DPAlphaExperiment {
    /// The paper's MNIST figures per row label: (accuracy, Lipschitz estimate).
    public static let paper: [String: (PaperFigure, PaperFigure)] = [
        "DP α=1": (PaperFigure(95.85, 0.68), PaperFigure(522, 288)),
        "DP α=½": (PaperFigure(98.09, 0.06), PaperFigure(67.2, 12.6)),
        "DP α=0": (PaperFigure(98.46, 0.07), PaperFigure(29.9, 4.2)),
        "DP⊤ α=1": (PaperFigure(98.06, 0.15), PaperFigure(73.4, 2.7)),
        "DP⊤ α=½": (PaperFigure(97.9, 0.1), PaperFigure(78.1, 9.9)),
        "DP⊤ α=0": (PaperFigure(98.21, 0.13), PaperFigure(43.2, 19.4)),
        "BP": (PaperFigure(98.05, 0.12), PaperFigure(55.1, 14.4)),
    ]

    /// The paper's defaults: 20 epochs, 3 seeds, 50,000 images.
    public static let defaults = (epochs: 20, seeds: 3, trainCount: 50_000)

    /// The model of the table: `W₀ ~ N(0,1)/28`, `W₁, W₂ ~ N(0,1)/√512`, zero biases.
    public static func model(seed: UInt64) -> Sequential {
        .mlp(widths: [784, 512, 512, 10], activation: .relu, loss: .leastSquares,
             initializers: [.normal(std: 1 / 28), .normal(std: 1 / Float(512).squareRoot()), .normal(std: 1 / Float(512).squareRoot())],
             seed: seed)
    }

    /// The seven configurations (row label, rule); `dpRounds`/`dpTRounds` are the MLP rounds.
    public static func rules(dpRounds: Int = 15, dpTRounds: Int = 5) -> [(String, LearningRule)] {
        var out: [(String, LearningRule)] = []
        for (a, name) in [(Float(1), "1"), (0.5, "½"), (0, "0")] {
            out.append(("DP α=\(name)", DualPropagation(alpha: a, beta: 0.5, schedule: .repeatedSweeps(dpRounds),
                                                         damping: .powerIteration(iterations: 3, scaledByAsymmetry: true))))
        }
        for (a, name) in [(Float(1), "1"), (0.5, "½"), (0, "0")] {
            out.append(("DP⊤ α=\(name)", AdjointDualPropagation(alpha: a, beta: 0.5, schedule: .repeatedSweeps(dpTRounds))))
        }
        out.append(("BP", Backpropagation()))
        return out
    }

    /// Runs the experiment (`only`: a subset of row labels).
    public static func run(train: MNISTSplit, test: MNISTSplit, settings: ExperimentSettings,
                           only: Set<String>? = nil) throws -> ExperimentResult {
        var table = ResultTable(title: "dp-alpha — Høier & Zach 2024 Table 1 (MNIST, 784-512-512-10, β = ½)",
                                columns: ["rule", "test acc % (ours)", "paper", "", "L̂ = ‖W₂W₁W₀‖₂ (ours)", "paper L̂", "", "time/run"])
        var failures: [String] = []
        for (label, rule) in rules() where only?.contains(label) ?? true {
            let c = Configuration(label: label, rule: rule, optimizer: .adam, learningRate: 1e-3, batchSize: 50,
                                  model: { model(seed: $0) })
            let outcomes = try runSeeds(c, train: train, test: test, settings: settings)
            let acc = Summary(outcomes.map(\.testAccuracy))
            let lip = Summary(try outcomes.map { $0.diverged ? .nan : try productSpectralNorm($0.network) })
            let p = paper[label]!
            table.add([label, acc.formatted(), p.0.text, settings.quick ? "" : agreement(acc.mean, p.0),
                       lip.formatted(1), p.1.text, settings.quick ? "" : agreement(lip.mean, p.1),
                       duration(outcomes.map(\.seconds).reduce(0, +) / Double(outcomes.count))])
            if settings.quick && !(acc.mean > 60) { failures.append("\(label): test accuracy \(fmt(acc.mean)) ≤ 60%") }
        }
        table.notes.append("Settings: \(settings.seeds) seed(s) × \(settings.epochs) epoch(s) on the first \(train.count) training images; Adam 1e-3, batch 50, squared error on one-hot targets; DP damped (3 power iterations per batch, L_k·|1−2α|) with 15 MLP rounds, DP⊤ 5 rounds. Agreement: `ok` = inside the paper's mean ± 2 std.")
        return ExperimentResult(table: table, failures: failures)
    }
}
