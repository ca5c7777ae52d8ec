import DualProp
import Foundation

/// Høier & Zach 2024 Table 2 / Appendix A.1: MLP 784-1000×4-10 ReLU, least squares, β = ½,
/// α ∈ {0, 1}, 30 repeated inference sweeps; the original DP (plain, and damped per Appendix F)
/// against DP⊤. The paper reports that the original DP diverges and DP⊤ converges.
public enum DPStabilityExperiment {
    /// The paper's defaults (the paper gives no epoch count for this table; one epoch shows it).
    public static let defaults = (epochs: 1, seeds: 1, trainCount: 60_000)

    /// 784-1000-1000-1000-1000-10, `W₀ ~ N(0,1)/28`, later layers `N(0,1)/√1000`.
    public static func model(seed: UInt64) -> Sequential {
        let s = 1 / Float(1000).squareRoot()
        return .mlp(widths: [784, 1000, 1000, 1000, 1000, 10], activation: .relu, loss: .leastSquares,
                    initializers: [.normal(std: 1 / 28), .normal(std: s), .normal(std: s), .normal(std: s), .normal(std: s)],
                    seed: seed)
    }

    /// Row label, rule, and what the paper reports.
    public static func rules(sweeps: Int = 30) -> [(String, LearningRule, String)] {
        var out: [(String, LearningRule, String)] = []
        for a in [Float(0), 1] {
            let n = a == 0 ? "0" : "1"
            out.append(("DP α=\(n) (plain)", DualPropagation(alpha: a, beta: 0.5, schedule: .repeatedSweeps(sweeps)), "✗ diverges"))
            out.append(("DP α=\(n) (damped, App. F)",
                        DualPropagation(alpha: a, beta: 0.5, schedule: .repeatedSweeps(sweeps),
                                        damping: .powerIteration(iterations: 3, scaledByAsymmetry: false)), "(not reported)"))
            out.append(("DP⊤ α=\(n)", AdjointDualPropagation(alpha: a, beta: 0.5, schedule: .repeatedSweeps(sweeps)), "converges"))
        }
        return out
    }

    /// Runs the experiment: per rule, the cosine to BP's gradient on the first batch at
    /// initialisation (worst layer), then training and test accuracy.
    public static func run(train: MNISTSplit, test: MNISTSplit, settings: ExperimentSettings,
                           sweeps: Int = 30) throws -> ExperimentResult {
        var table = ResultTable(title: "dp-stability — Høier & Zach 2024 Table 2 (MNIST, 784-1000×4-10, β = ½, \(sweeps) sweeps)",
                                columns: ["rule", "worst-layer cos(∇, ∇BP) at init", "test acc % (ours)", "paper", "time/run"])
        var failures: [String] = []
        let (x, y) = train.batch(Array(0..<50)[...])
        // --quick keeps the α = 0 pair (plain DP vs DP⊤), the clearest contrast, to stay CI-sized.
        for (label, rule, paper) in rules(sweeps: sweeps) where !settings.quick || label == "DP α=0 (plain)" || label == "DP⊤ α=0" {
            let net0 = model(seed: 1)
            let g = try rule.step(net0, input: x, labels: y).gradients
            let bp = try Backpropagation().step(net0, input: x, labels: y).gradients
            let cos = isFinite(g) ? g.cosines(with: bp).min()! : .nan
            let c = Configuration(label: label, rule: rule, optimizer: .adam, learningRate: 1e-3, batchSize: 50,
                                  model: { model(seed: $0) })
            let outcomes = try runSeeds(c, train: train, test: test, settings: settings)
            let acc = Summary(outcomes.map(\.testAccuracy))
            table.add([label, fmt(cos, 3), acc.formatted(), paper,
                       duration(outcomes.map(\.seconds).reduce(0, +) / Double(outcomes.count))])
            if settings.quick && label.hasPrefix("DP⊤") && !(acc.mean > 40) {
                failures.append("\(label): test accuracy \(fmt(acc.mean)) ≤ 40%")
            }
        }
        table.notes.append("Settings: \(settings.seeds) seed(s) × \(settings.epochs) epoch(s) on the first \(train.count) training images; Adam 1e-3, batch 50; schedule = \(sweeps) repeated sweeps (down, up) then a final down sweep. ✗ = training stopped on a non-finite loss or gradient. The paper gives no accuracies in its text extraction, only diverges/converges.")
        return ExperimentResult(table: table, failures: failures)
    }
}
