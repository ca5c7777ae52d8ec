#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A seeded 10-class 32×32 colour dataset for runs without data files: learnable by a small
/// convolutional network, but not by comparing raw pixels.
///
/// Class k is a windowed sinusoidal grating with orientation `(k mod 5) · 36°` and spatial
/// period 12.8 px (k < 5) or 6.4 px (k ≥ 5). Every example draws, independently of its class: the
/// grating's phase, an orientation jitter of ±7°, a period jitter of ±10 %, two colours the grating
/// alternates between, a background colour, contrast, the centre of the Gaussian window (shifted
/// up to ±6 px), two distractor colour blobs, and nearly Gaussian pixel noise (σ = 0.06, Irwin–Hall of 4 uniforms). Random phase
/// and shift make class means nearly identical, so a raw-pixel nearest-mean classifier is close to
/// chance; orientation and frequency energy separate the classes.
/// Example i depends only on (`seed`, i), so any prefix or subset can be regenerated.
public enum SyntheticImages {
    /// The class names: `"<angle>deg-<low|high>"`.
    public static let classNames = (0..<10).map { k in "\((k % 5) * 36)deg-\(k < 5 ? "low" : "high")" }

    /// `count` examples from `seed`; labels are drawn uniformly from the 10 classes.
    public static func make(count: Int, seed: UInt64) -> ImageDataset {
        var images = [UInt8](repeating: 0, count: count * 3072)
        var labels = [Int32](repeating: 0, count: count)
        images.withUnsafeMutableBufferPointer { out in
            for i in 0..<count {
                labels[i] = Int32(render(index: i, seed: seed, into: out.baseAddress! + i * 3072))
            }
        }
        return ImageDataset(images: images, labels: labels, channels: 3, height: 32, width: 32,
                            classCount: 10, classNames: classNames)
    }

    /// A unit-variance, nearly Gaussian value from one 64-bit draw: the sum of its four 16-bit
    /// uniforms (Irwin–Hall, variance 4/12), centred and scaled by √3.
    @inline(__always)
    static func approximateNormal(_ r: UInt64) -> Float {
        let s = Float(r & 0xFFFF) + Float((r >> 16) & 0xFFFF) + Float((r >> 32) & 0xFFFF) + Float(r >> 48)
        return (s * (1 / 65_536) - 2) * 1.732_050_8
    }

    /// Draws example `index` into `dst` (3, 32, 32) and returns its label.
    static func render(index: Int, seed: UInt64, into dst: UnsafeMutablePointer<UInt8>) -> Int {
        var g = SplitMix64(seed: CounterRandom.value(seed: seed, stream: .synthetic, index: UInt64(index)))
        func uniform(_ lo: Float, _ hi: Float) -> Float { lo + (hi - lo) * CounterRandom.unitFloat(g.next()) }
        let label = g.below(10)
        let angle = Float(label % 5) * (Float.pi / 5) + uniform(-0.12, 0.12)
        let period: Float = (label < 5 ? 12.8 : 6.4) * uniform(0.9, 1.1)
        let (kx, ky) = (cosf(angle) * 2 * Float.pi / period, sinf(angle) * 2 * Float.pi / period)
        let phase = uniform(0, 2 * Float.pi)
        func colour(_ lo: Float, _ hi: Float) -> SIMD3<Float> { SIMD3(uniform(lo, hi), uniform(lo, hi), uniform(lo, hi)) }
        let colourA = colour(0.2, 1), colourB = colour(0, 0.8)
        let background = colour(0.2, 0.8)
        let contrast = uniform(0.6, 1)
        let (cx, cy) = (uniform(9.5, 21.5), uniform(9.5, 21.5))
        let radius = uniform(7, 10)
        // Two distractor blobs: centre, radius, colour.
        let blobs = (0..<2).map { _ in (x: uniform(0, 31), y: uniform(0, 31), r: uniform(2, 5), rgb: colour(0, 1)) }
        for y in 0..<32 {
            for x in 0..<32 {
                let (fx, fy) = (Float(x), Float(y))
                let d2 = (fx - cx) * (fx - cx) + (fy - cy) * (fy - cy)
                let window = contrast * expf(-d2 / (2 * radius * radius))
                let wave = 0.5 + 0.5 * sinf(kx * fx + ky * fy + phase)
                var rgb = background * (1 - window) + window * (wave * colourA + (1 - wave) * colourB)
                for b in blobs {
                    let e = 0.6 * expf(-((fx - b.x) * (fx - b.x) + (fy - b.y) * (fy - b.y)) / (2 * b.r * b.r))
                    rgb = rgb * (1 - e) + e * b.rgb
                }
                for c in 0..<3 {
                    let v = rgb[c] + 0.06 * approximateNormal(g.next())
                    dst[c * 1024 + y * 32 + x] = UInt8(max(0, min(255, (v * 255).rounded())))
                }
            }
        }
        return label
    }
}
