internal import CKernels

/// An error reported by a C kernel: its status code and the library's description of it.
public struct KernelError: Error, CustomStringConvertible {
    /// The raw `ck_status` value.
    public let code: Int
    /// What failed (the Swift entry point) and the library's explanation.
    public let description: String

    init(_ status: ck_status, _ context: String) {
        code = Int(status.rawValue)
        description = "\(context): \(String(cString: ck_status_string(status)))"
    }
}

/// Throw a `KernelError` unless `status` is `CK_OK`.
@inline(__always)
func check(_ status: ck_status, _ context: @autoclosure () -> String) throws {
    if status != CK_OK { throw KernelError(status, context()) }
}

/// Instruction-set levels of the kernel library, in increasing order.
public enum ISA: Int, CaseIterable, Comparable, Sendable, CustomStringConvertible {
    /// Portable scalar C (the reference path).
    case ref = 0
    /// AVX2 + FMA.
    case avx2 = 1
    /// AVX-512 F/BW/VL/DQ.
    case avx512 = 2

    /// Ordered by capability: `ref` < `avx2` < `avx512`.
    public static func < (a: ISA, b: ISA) -> Bool { a.rawValue < b.rawValue }

    /// "ref", "avx2" or "avx512".
    public var description: String { String(cString: ck_isa_name(ck_isa(UInt32(rawValue)))) }
}

/// Kernel families whose chosen implementation can be queried.
public enum KernelFamily: Int, CaseIterable, Sendable {
    /// Single-precision GEMM (dense layers, im2col convolutions).
    case sgemm = 0
    /// The im2col/col2im packing of convolutions.
    case im2col
    /// 2x2 max pooling.
    case pool
    /// Element-wise arithmetic (axpy, scaling, sums).
    case eltwise
    /// Activation functions and their derivatives, and the fused nudge kernels.
    case activation
    /// Softmax and the output losses.
    case loss
    /// Coordinate-descent inference of lifted networks.
    case lifted
    /// Winograd F(2×2, 3×3) convolution transforms.
    case winograd
}

/// Process-wide control of the kernel library: ISA selection, threads and denormals.
public enum Runtime {
    /// The best ISA this CPU supports.
    public static var detectedISA: ISA { ISA(rawValue: Int(ck_isa_detected().rawValue))! }

    /// The ISA the kernels use now (the detected one, capped by `CK_MAX_ISA` or `setMaxISA`).
    public static var activeISA: ISA { ISA(rawValue: Int(ck_isa_active().rawValue))! }

    /// Every ISA this machine can run, lowest first: tests sweep these.
    public static var availableISAs: [ISA] { ISA.allCases.filter { $0 <= detectedISA } }

    /// Cap the ISA used by subsequent kernel calls. Throws if the CPU lacks `isa`.
    public static func setMaxISA(_ isa: ISA) throws {
        try check(ck_set_max_isa(ck_isa(UInt32(isa.rawValue))), "Runtime.setMaxISA(\(isa))")
    }

    /// Threads used by kernels (default: all cores, or `OMP_NUM_THREADS`). Set 0 to restore the default.
    public static var threads: Int {
        get { Int(ck_get_num_threads()) }
        set { ck_set_num_threads(Int32(newValue)) }
    }

    /// Whether kernels flush denormals to zero (default true).
    public static var flushDenormals: Bool {
        get { ck_get_flush_denormals() }
        set { ck_set_flush_denormals(newValue) }
    }

    /// Most bytes of freed large tensor buffers kept for reuse (the step arena; default 2 GiB).
    /// A training step allocates the same buffers every step; kept buffers are handed out again
    /// for the same size without page faults. Lowering it frees the oldest kept buffers; 0 turns
    /// reuse off. See `ck_buffer_alloc`.
    public static var bufferCacheLimit: Int {
        get { Int(ck_buffer_cache_limit()) }
        set {
            precondition(newValue >= 0, "Runtime.bufferCacheLimit must be ≥ 0, got \(newValue)")
            ck_buffer_cache_set_limit(newValue)
        }
    }

    /// Bytes of freed tensor buffers the cache holds now.
    public static var bufferCacheHeld: Int { Int(ck_buffer_cache_held()) }

    /// The implementation the active kernel table uses for `family`, e.g. "avx512 16x28".
    public static func implementationName(_ family: KernelFamily) -> String {
        String(cString: ck_impl_name(ck_op(UInt32(family.rawValue))))
    }

    /// The kernel library's version string.
    public static var version: String { String(cString: ck_version()) }

    /// How the kernel library was compiled: version, compiler, optimisation, ISAs compiled in,
    /// e.g. "ckernels 0.1.0; compiler clang 21.0.0; optimized yes; isas ref avx2 avx512".
    public static var buildInfo: String { String(cString: ck_build_info()) }

    /// Whether the C kernels were compiled with optimisation. False in a SwiftPM debug build
    /// (`swift build` without `-c release` compiles C at -O0), where training is many times slower.
    public static var kernelsOptimized: Bool { ck_build_optimized() }

    /// Run `body` once with the ISA capped at each available ISA, restoring the cap afterwards.
    public static func forEachISA(_ body: (ISA) throws -> Void) rethrows {
        let saved = activeISA
        defer { try? setMaxISA(saved) }
        for isa in availableISAs {
            try! setMaxISA(isa)
            try body(isa)
        }
    }
}
