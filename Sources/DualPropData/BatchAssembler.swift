/// Memory layout of an assembled float batch.
public enum BatchLayout: String, Sendable, Codable, CaseIterable {
    /// (batch, height, width, channels) row-major.
    case nhwc
    /// (batch, channels, height, width) row-major.
    case nchw
}

/// Random-crop and flip augmentation of the CIFAR recipe: the normalised image is zero-padded by
/// `padding` pixels on every side, a window of the original size is cropped at a uniformly random
/// offset in `0...2*padding` (each axis), and the result is mirrored left–right with probability ½
/// when `horizontalFlip` is set.
public struct Augmentation: Sendable, Equatable, Codable {
    /// Zero padding on each side (4 in the recipe); 0 disables cropping.
    public var padding: Int
    /// Whether to mirror horizontally with probability ½.
    public var horizontalFlip: Bool

    /// Creates an augmentation.
    public init(padding: Int, horizontalFlip: Bool) {
        precondition(padding >= 0, "Augmentation: padding \(padding) must be ≥ 0")
        self.padding = padding
        self.horizontalFlip = horizontalFlip
    }

    /// No augmentation (evaluation).
    public static let none = Augmentation(padding: 0, horizontalFlip: false)
    /// The CIFAR / ImageNet32 training recipe: pad 4, random crop, flip p = ½.
    public static let cropAndFlip = Augmentation(padding: 4, horizontalFlip: true)

    /// Whether this changes anything.
    public var isIdentity: Bool { padding == 0 && !horizontalFlip }
}

/// The augmentation drawn for one example: crop offsets and flip.
public struct CropChoice: Sendable, Equatable {
    /// Column offset of the crop window in the padded image, in `0...2*padding`.
    public var dx: Int
    /// Row offset of the crop window in the padded image, in `0...2*padding`.
    public var dy: Int
    /// Whether the crop is mirrored left–right.
    public var flip: Bool

    /// Creates a choice.
    public init(dx: Int, dy: Int, flip: Bool) { self.dx = dx; self.dy = dy; self.flip = flip }
}

/// A float batch and its labels.
public struct Batch: Sendable {
    /// Pixel values in ``layout`` order; `shape` gives the dimensions.
    public var values: [Float]
    /// Class labels, one per example.
    public var labels: [Int32]
    /// The dataset indices the batch was made from.
    public var indices: [Int]
    /// [batch, height, width, channels] for NHWC, [batch, channels, height, width] for NCHW.
    public var shape: [Int]
    /// The layout of ``values``.
    public var layout: BatchLayout
}

/// Turns dataset examples into normalised (and, for training, augmented) float batches.
///
/// Each output pixel is `lut[c][pixel]` (see ``ChannelNormalization/lookupTable()``) or 0 where
/// the crop window reaches into the padding (padding is applied after normalisation, so it is 0
/// in normalised units). Output pixel (y, x) of example i reads source pixel
/// `(y + dy − padding, x' + dx − padding)` with `x' = flip ? width − 1 − x : x`. The choice for
/// an example depends only on (`seed`, `epoch`, dataset index), never on batch composition.
public struct BatchAssembler: Sendable {
    /// The normalisation applied to every pixel.
    public let normalization: ChannelNormalization
    /// The augmentation (``Augmentation/none`` for evaluation).
    public let augmentation: Augmentation
    /// The output layout.
    public let layout: BatchLayout
    /// The augmentation seed.
    public let seed: UInt64
    private let table: [Float]

    /// Creates an assembler.
    public init(normalization: ChannelNormalization, augmentation: Augmentation = .none,
                layout: BatchLayout = .nhwc, seed: UInt64 = 0) {
        self.normalization = normalization
        self.augmentation = augmentation
        self.layout = layout
        self.seed = seed
        self.table = normalization.lookupTable()
    }

    /// The crop offsets and flip of dataset example `index` in `epoch` (stream
    /// ``CounterRandom/Stream/augmentation``; draws 0, 1, 2 give dx, dy, flip).
    public func choice(epoch: Int, index: Int) -> CropChoice {
        let p = augmentation.padding
        func draw(_ k: UInt64) -> UInt64 {
            CounterRandom.value(seed: seed, stream: .augmentation, epoch: UInt64(epoch), index: UInt64(index), draw: k)
        }
        return CropChoice(dx: p == 0 ? 0 : CounterRandom.below(2 * p + 1, draw(0)),
                          dy: p == 0 ? 0 : CounterRandom.below(2 * p + 1, draw(1)),
                          flip: augmentation.horizontalFlip && draw(2) >> 63 == 1)
    }

    /// Number of floats for `batchSize` examples of `dataset`.
    public func valueCount(batchSize: Int, dataset: ImageDataset) -> Int { batchSize * dataset.exampleSize }

    /// Fills `values` (resized to `indices.count * exampleSize`) and `labels` with the examples at
    /// `indices`, augmented for `epoch`. Reusing the arrays across batches avoids allocation.
    public func assemble<C: Collection>(from dataset: ImageDataset, indices: C, epoch: Int,
                                        into values: inout [Float], labels: inout [Int32]) where C.Element == Int {
        precondition(normalization.mean.count == dataset.channels,
                     "BatchAssembler: normalisation has \(normalization.mean.count) channels, dataset \(dataset.channels)")
        let n = indices.count, size = dataset.exampleSize
        if values.count != n * size { values = [Float](repeating: 0, count: n * size) }
        labels.removeAll(keepingCapacity: true)
        let C = dataset.channels, H = dataset.height, W = dataset.width, pad = augmentation.padding
        let nhwc = layout == .nhwc
        dataset.images.withUnsafeBufferPointer { px in
            table.withUnsafeBufferPointer { lut in
                values.withUnsafeMutableBufferPointer { out in
                    for (b, index) in indices.enumerated() {
                        precondition(index >= 0 && index < dataset.count,
                                     "BatchAssembler: index \(index) outside 0..<\(dataset.count)")
                        labels.append(dataset.labels[index])
                        let ch = augmentation.isIdentity ? CropChoice(dx: pad, dy: pad, flip: false) : choice(epoch: epoch, index: index)
                        let src = px.baseAddress! + index * size   // (C, H, W)
                        let dst = out.baseAddress! + b * size       // (H, W, C) or (C, H, W)
                        for y in 0..<H {
                            let sy = y + ch.dy - pad
                            let rowInside = sy >= 0 && sy < H
                            for x in 0..<W {
                                let sx = (ch.flip ? W - 1 - x : x) + ch.dx - pad
                                let inside = rowInside && sx >= 0 && sx < W
                                for c in 0..<C {
                                    let v: Float = inside ? lut[c * 256 + Int(src[(c * H + sy) * W + sx])] : 0
                                    if nhwc { dst[(y * W + x) * C + c] = v } else { dst[(c * H + y) * W + x] = v }
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    /// The examples at `indices` as a new ``Batch``.
    public func assemble(from dataset: ImageDataset, indices: [Int], epoch: Int) -> Batch {
        var values: [Float] = [], labels: [Int32] = []
        assemble(from: dataset, indices: indices, epoch: epoch, into: &values, labels: &labels)
        let shape = layout == .nhwc ? [indices.count, dataset.height, dataset.width, dataset.channels]
                                    : [indices.count, dataset.channels, dataset.height, dataset.width]
        return Batch(values: values, labels: labels, indices: indices, shape: shape, layout: layout)
    }
}
