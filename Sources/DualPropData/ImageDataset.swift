/// Labelled images held as bytes, in the channel-planar layout of the official files.
///
/// `images` is (count, channels, height, width) row-major uint8: for each example all pixels of
/// channel 0 (R), then channel 1 (G), then channel 2 (B); MNIST has one channel. Labels are class
/// indices in `0..<classCount`. Conversion to floats happens per batch (``BatchAssembler``), so a
/// dataset costs one byte per pixel (ImageNet32 train: 1,281,167 × 3,072 bytes ≈ 3.9 GB).
public struct ImageDataset: Sendable {
    /// Pixels, (count, channels, height, width) row-major.
    public var images: [UInt8]
    /// Class index of each example, in `0..<classCount`.
    public var labels: [Int32]
    /// CIFAR-100 only: the coarse (20 superclass) label of each example; nil elsewhere.
    public var coarseLabels: [Int32]?
    /// Channels per image (3 for colour, 1 for MNIST).
    public let channels: Int
    /// Image height in pixels.
    public let height: Int
    /// Image width in pixels.
    public let width: Int
    /// Number of classes (labels lie in `0..<classCount`).
    public let classCount: Int
    /// Class names when the dataset ships them (may be empty).
    public var classNames: [String]

    /// Creates a dataset; `images.count` must equal `labels.count * channels * height * width`.
    public init(images: [UInt8], labels: [Int32], channels: Int, height: Int, width: Int,
                classCount: Int, classNames: [String] = [], coarseLabels: [Int32]? = nil) {
        precondition(images.count == labels.count * channels * height * width,
                     "ImageDataset: images has \(images.count) bytes, expected labels.count \(labels.count) × \(channels)×\(height)×\(width)")
        precondition(coarseLabels == nil || coarseLabels!.count == labels.count,
                     "ImageDataset: coarseLabels has \(coarseLabels?.count ?? 0) entries, labels \(labels.count)")
        self.images = images
        self.labels = labels
        self.coarseLabels = coarseLabels
        self.channels = channels
        self.height = height
        self.width = width
        self.classCount = classCount
        self.classNames = classNames
    }

    /// Number of examples.
    public var count: Int { labels.count }

    /// Bytes per example (`channels * height * width`).
    public var exampleSize: Int { channels * height * width }

    /// The pixels of example `index`, (channels, height, width).
    public func image(at index: Int) -> ArraySlice<UInt8> {
        precondition(index >= 0 && index < count, "ImageDataset.image(at:): index \(index) outside 0..<\(count)")
        return images[(index * exampleSize)..<((index + 1) * exampleSize)]
    }

    /// A new dataset holding the examples at `indices`, in that order.
    public func subset(_ indices: [Int]) -> ImageDataset {
        var px = [UInt8]()
        px.reserveCapacity(indices.count * exampleSize)
        for i in indices { px.append(contentsOf: image(at: i)) }
        return ImageDataset(images: px, labels: indices.map { labels[$0] }, channels: channels, height: height,
                            width: width, classCount: classCount, classNames: classNames,
                            coarseLabels: coarseLabels.map { c in indices.map { c[$0] } })
    }

    /// Number of examples per class (`classCount` entries).
    public func classHistogram() -> [Int] {
        var h = [Int](repeating: 0, count: classCount)
        for l in labels { h[Int(l)] += 1 }
        return h
    }

    /// Appends the examples of `other`, which must have the same image geometry and class count.
    public mutating func append(contentsOf other: ImageDataset) {
        precondition(other.channels == channels && other.height == height && other.width == width && other.classCount == classCount,
                     "ImageDataset.append: geometry \(other.channels)x\(other.height)x\(other.width)/\(other.classCount) ≠ \(channels)x\(height)x\(width)/\(classCount)")
        images.append(contentsOf: other.images)
        labels.append(contentsOf: other.labels)
        if let c = other.coarseLabels, coarseLabels != nil { coarseLabels!.append(contentsOf: c) } else { coarseLabels = nil }
    }
}
