internal import CKernels

/// Which algorithm 3x3 / stride 1 / pad 1 convolutions use for the forward, backward-data and
/// backward-weights passes (other geometries are unaffected).
public enum ConvAlgorithm: Int, CaseIterable, Sendable, CustomStringConvertible {
    /// Per layer and pass, by the rule measured on the VGG16 shapes (the default).
    case auto = 0
    /// Never Winograd: the direct 3x3 kernel where the ISA has one, else im2col + SGEMM.
    case direct = 1
    /// Winograd wherever it applies, with the forward / backward-data tile size of the measured
    /// rule: F(4×4, 3×3) where auto mode would run it, else F(2×2, 3×3) (also where auto would
    /// run direct); backward-weights F(2×2, 3×3).
    case winograd = 2
    /// Winograd F(2×2, 3×3) wherever it applies.
    case winograd2x2 = 3
    /// Winograd wherever it applies, F(4×4, 3×3) for forward and backward-data (its float32
    /// error is larger than F(2×2)'s: Benchmarks/README.md), F(2×2, 3×3) for backward-weights
    /// (its only tile size).
    case winograd4x4 = 4

    /// "auto", "direct", "winograd", "winograd2x2" or "winograd4x4" (the values of the
    /// `CK_CONV_ALGO` environment variable).
    public var description: String {
        switch self {
        case .auto: return "auto"
        case .direct: return "direct"
        case .winograd: return "winograd"
        case .winograd2x2: return "winograd2x2"
        case .winograd4x4: return "winograd4x4"
        }
    }

    /// Parses one of the names of `description` (case-insensitive).
    public init?(name: String) {
        guard let a = ConvAlgorithm.allCases.first(where: { $0.description == name.lowercased() }) else { return nil }
        self = a
    }
}

extension Runtime {
    /// The process-wide convolution algorithm setting. Defaults to the `CK_CONV_ALGO`
    /// environment variable (`direct`, `winograd`, `winograd2x2`, `winograd4x4` or `auto`), else
    /// `.auto`. Not to be changed
    /// while convolutions run on other threads.
    public static var convAlgorithm: ConvAlgorithm {
        get { ConvAlgorithm(rawValue: Int(ck_conv_get_algorithm().rawValue)) ?? .auto }
        set { _ = ck_conv_set_algorithm(ck_conv_algo(UInt32(newValue.rawValue))) }
    }

    /// Run `body` with the convolution algorithm set to `algorithm`, restoring the setting after.
    public static func withConvAlgorithm<T>(_ algorithm: ConvAlgorithm, _ body: () throws -> T) rethrows -> T {
        let saved = convAlgorithm
        defer { convAlgorithm = saved }
        convAlgorithm = algorithm
        return try body()
    }
}
