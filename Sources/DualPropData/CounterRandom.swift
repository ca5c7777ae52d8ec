/// Counter-based random numbers: a value is a keyed hash of (seed, stream, epoch, index, draw),
/// so any example's randomness can be recomputed without replaying a sequence (a resumed run
/// sees exactly the stream an uninterrupted one would).
///
/// The hash chains the SplitMix64 finaliser (Steele, Lea, Flood 2014; the `mix64variant13`
/// constants of Stafford) over the key words. It is a statistical mixer, not a cryptographic one.
public enum CounterRandom {
    /// Independent purposes get independent streams.
    public enum Stream: UInt64, Sendable {
        /// Per-epoch shuffling.
        case shuffle = 1
        /// The train/validation split.
        case split = 2
        /// Crop offsets and flips.
        case augmentation = 3
        /// The synthetic dataset.
        case synthetic = 4
    }

    /// The SplitMix64 finaliser: a bijective 64-bit avalanche mix.
    @inline(__always)
    public static func mix(_ x: UInt64) -> UInt64 {
        var z = x
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// The 64-bit value for key (`seed`, `stream`, `epoch`, `index`, `draw`).
    @inline(__always)
    public static func value(seed: UInt64, stream: Stream, epoch: UInt64 = 0, index: UInt64 = 0, draw: UInt64 = 0) -> UInt64 {
        let golden: UInt64 = 0x9E37_79B9_7F4A_7C15
        var h = mix(seed &+ golden &* stream.rawValue)
        h = mix(h ^ (epoch &+ golden))
        h = mix(h ^ (index &+ golden &* 2))
        return mix(h ^ (draw &+ golden &* 3))
    }

    /// A number in `0..<bound` from the 64-bit `x` (multiply-high; bias below `bound / 2^64`).
    @inline(__always)
    public static func below(_ bound: Int, _ x: UInt64) -> Int {
        precondition(bound > 0, "CounterRandom.below: bound \(bound) must be positive")
        return Int(x.multipliedFullWidth(by: UInt64(bound)).high)
    }

    /// A Float in [0, 1) from the top 24 bits of `x`.
    @inline(__always)
    public static func unitFloat(_ x: UInt64) -> Float { Float(x >> 40) * (1.0 / 16_777_216.0) }
}

/// The sequential SplitMix64 generator (for loops that draw many numbers from one key).
public struct SplitMix64: RandomNumberGenerator, Sendable {
    /// The state, advanced by the golden-ratio increment at each draw.
    public var state: UInt64

    /// Starts from `seed`.
    public init(seed: UInt64) { state = seed }

    /// The next 64-bit value.
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        return CounterRandom.mix(state)
    }

    /// A number in `0..<bound`, computed the same way on every platform and Swift version
    /// (unlike the standard library's `random(in:)` / `shuffle`).
    public mutating func below(_ bound: Int) -> Int { CounterRandom.below(bound, next()) }

    /// A standard normal Float (Box–Muller).
    public mutating func normal() -> Float {
        let u1 = max(CounterRandom.unitFloat(next()), 1e-7), u2 = CounterRandom.unitFloat(next())
        return (-2 * logf(u1)).squareRoot() * cosf(2 * Float.pi * u2)
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
