import ArgumentParser

/// The accepted range of every numeric option of `cifar-vgg`, in one table: the help text lists
/// it and validation quotes it. Bounds are wide enough for every recipe and any sensible
/// experiment, and narrow enough that no value asks for absurd work before the memory estimate
/// (``MemoryEstimate``) has had its say.
public enum OptionRanges {
    /// Training epochs (the longest recipe is CIFAR-100's 200).
    public static let epochs = 1...10_000
    /// Mini-batch size.
    public static let batchSize = 1...8192
    /// Warm-up epochs.
    public static let warmupEpochs = 0...10_000
    /// Epoch at which the cosine decay ends.
    public static let decayEpochs = 1...10_000
    /// K of the repeated DP/DP⊤ schedules (the paper uses 16; each pass costs about a forward pass).
    public static let inferencePasses = 1...1000
    /// `--train-limit` / `--test-limit`: at most ImageNet32's 1,281,167 training images.
    public static let imageLimit = 1...1_281_167
    /// Kernel threads.
    public static let threads = 1...1024
    /// `--checkpoint-every` steps (0: epoch ends only).
    public static let checkpointEvery = 0...1_000_000_000
    /// Width multiplier of VGG16: (0, 8]; the memory estimate decides whether a width fits.
    public static let widthMultiplier = 8.0
    // Rates, decay, β and τ only need to be finite (no work or memory depends on them; a huge
    // rate is a legitimate way to make a run diverge): peak rate, β, τ > 0, the others ≥ 0.

    /// The help paragraph listing every range.
    public static let helpText = """
        Ranges: --epochs \(text(epochs)); --batch-size \(text(batchSize)); --warmup-epochs \(text(warmupEpochs)) \
        (≤ --decay-epochs); --decay-epochs \(text(decayEpochs)); --inference-passes \(text(inferencePasses)); \
        --train-limit and --test-limit \(text(imageLimit)); --threads \(text(threads)); --width-multiplier (0, \
        \(Int(widthMultiplier))] (and the run must fit in memory: it is estimated before training); \
        --learning-rate, --beta and --tau finite and > 0; --learning-rate-final, --warmup-learning-rate and \
        --weight-decay finite and ≥ 0; --momentum [0, 1); --alpha [0, 1]; --percent-val [0, 100); \
        --seed 0…2^64−1. A negative value \
        must be attached with '=' (e.g. --learning-rate=-0.1), else it reads as an option.
        """

    static func text(_ r: ClosedRange<Int>) -> String { "\(r.lowerBound)…\(r.upperBound)" }

    /// Throws a usage error naming the option and its range for the first value outside it.
    static func check(_ c: CifarVGG) throws {
        func inRange(_ v: Int?, _ r: ClosedRange<Int>, _ name: String) throws {
            if let v, !r.contains(v) { throw ValidationError("\(name) must lie in \(text(r)), got \(v).") }
        }
        try inRange(c.epochs, epochs, "--epochs")
        try inRange(c.batchSize, batchSize, "--batch-size")
        try inRange(c.warmupEpochs, warmupEpochs, "--warmup-epochs")
        try inRange(c.decayEpochs, decayEpochs, "--decay-epochs")
        try inRange(c.inferencePasses, inferencePasses, "--inference-passes")
        try inRange(c.trainLimit, imageLimit, "--train-limit")
        try inRange(c.testLimit, imageLimit, "--test-limit")
        try inRange(c.threads, threads, "--threads")
        try inRange(c.checkpointEvery, checkpointEvery, "--checkpoint-every")
        func finite(_ v: Float?, _ name: String, positive: Bool) throws {
            guard let v else { return }
            if !(v.isFinite && (positive ? v > 0 : v >= 0)) {
                throw ValidationError("\(name) must be finite and \(positive ? ">" : "≥") 0, got \(v).")
            }
        }
        try finite(c.learningRate, "--learning-rate", positive: true)
        try finite(c.learningRateFinal, "--learning-rate-final", positive: false)
        try finite(c.warmupLearningRate, "--warmup-learning-rate", positive: false)
        try finite(c.weightDecay, "--weight-decay", positive: false)
        try finite(c.beta, "--beta", positive: true)
        try finite(c.tau, "--tau", positive: true)
    }
}
