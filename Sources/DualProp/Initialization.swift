import DualPropData

/// Weight initialisation schemes of the source papers, drawn from a seeded generator so that a
/// model is a pure function of its seed.
public enum WeightInit: Sendable, Hashable {
    /// LeCun normal: `N(0, 1/fanIn)` (the VGG16 experiments).
    case lecunNormal
    /// Glorot (Xavier) uniform: `U(−√(6/(fanIn+fanOut)), +√(6/(fanIn+fanOut)))`.
    case glorotUniform
    /// `N(0, σ²)` with the given σ (Høier & Zach 2024 Table 1: σ = 1/28 for the first layer, 1/√512 after).
    case normal(std: Float)
    /// Every weight `−|x|` with `x` Glorot-uniform: the all-negative start of Zach 2021 Fig. 1.
    case allNegative

    /// `count` values for a layer with the given fan-in and fan-out.
    func values(count: Int, fanIn: Int, fanOut: Int, rng: inout SplitMix64) -> [Float] {
        switch self {
        case .lecunNormal:
            let std = 1 / Float(fanIn).squareRoot()
            return (0..<count).map { _ in std * rng.normal() }
        case .normal(let std):
            return (0..<count).map { _ in std * rng.normal() }
        case .glorotUniform, .allNegative:
            let limit = (6 / Float(fanIn + fanOut)).squareRoot()
            let uniform = (0..<count).map { _ in limit * (2 * CounterRandom.unitFloat(rng.next()) - 1) }
            return self == .allNegative ? uniform.map { -abs($0) } : uniform
        }
    }
}
