import ArgumentParser

/// The accepted range of every numeric option of `mnist-mlp` (quoted by the errors and listed in
/// the README): wide enough for the papers' settings and any sensible experiment, narrow enough
/// that no value asks for absurd work.
enum MNISTOptionRanges {
    static let seeds = 1...1000
    static let epochs = 1...10_000
    /// At least a few batches, at most MNIST's 60,000 training images.
    static let trainCount = 100...60_000
    /// Inference sweeps of dp-stability and lifted.
    static let sweeps = 1...1000
    /// Batch size of bregman.
    static let batchSize = 1...60_000
    /// Learning rate, γ and τ: finite and > 0 (no work or memory depends on their size).

    /// The help paragraph listing every range.
    static let helpText = """
        Ranges: --seeds \(text(seeds)); --epochs \(text(epochs)); --train-count \(text(trainCount)); --sweeps \(text(sweeps)); \
        --batch-size \(text(batchSize)); --learning-rate, --gamma and each --taus value finite and > 0; --threads 1…1024. \
        A negative value must be attached with '=' (e.g. --gamma=-1), else it reads as an option.
        """

    static func text(_ r: ClosedRange<Int>) -> String { "\(r.lowerBound)…\(r.upperBound)" }

    static func check(_ v: Int?, _ range: ClosedRange<Int>, _ name: String) throws {
        if let v, !range.contains(v) { throw ValidationError("\(name) must lie in \(range.lowerBound)…\(range.upperBound), got \(v).") }
    }

    static func checkPositive(_ v: Float, _ name: String) throws {
        guard v.isFinite, v > 0 else { throw ValidationError("\(name) must be finite and > 0, got \(v).") }
    }
}

extension DPStability {
    func validate() throws { try MNISTOptionRanges.check(sweeps, MNISTOptionRanges.sweeps, "--sweeps") }
}

extension Lifted {
    func validate() throws {
        try MNISTOptionRanges.check(sweeps, MNISTOptionRanges.sweeps, "--sweeps")
        try MNISTOptionRanges.checkPositive(gamma, "--gamma")
    }
}

extension Bregman {
    func validate() throws {
        try MNISTOptionRanges.check(batchSize, MNISTOptionRanges.batchSize, "--batch-size")
        try MNISTOptionRanges.checkPositive(learningRate, "--learning-rate")
    }
}

extension Fenchel {
    func validate() throws {
        for s in taus.split(separator: ",", omittingEmptySubsequences: false) {
            guard let t = Float(s.trimmingCharacters(in: .whitespaces)) else {
                throw ValidationError("--taus: '\(s)' is not a number (give comma-separated positive values).")
            }
            try MNISTOptionRanges.checkPositive(t, "--taus value")
        }
    }
}
