import DualProp
import DualPropData
import Foundation

/// How pixel bytes become inputs.
public enum PixelScaling: String, Sendable, CaseIterable {
    /// `p / 255` in [0, 1] (Zach 2021, Zach & Estellers 2019, Høier & Zach 2024).
    case unit
    /// `0.001 + 0.998 · p / 255` in ]0, 1[ (Frecon et al.: inputs inside the sigmoid's open range).
    case openUnit
}

/// A split of MNIST as flat float rows `[count, 784]` and labels.
public struct MNISTSplit: Sendable {
    /// Pixels, `count × features`, row-major.
    public let inputs: [Float]
    /// Labels 0–9.
    public let labels: [Int32]
    /// Features per example (784).
    public let features: Int

    /// Examples.
    public var count: Int { labels.count }

    /// A split from flat rows (used by tests with synthetic data).
    public init(inputs: [Float], labels: [Int32], features: Int) {
        precondition(inputs.count == labels.count * features,
                     "MNISTSplit: \(inputs.count) inputs for \(labels.count) labels × \(features) features")
        self.inputs = inputs; self.labels = labels; self.features = features
    }

    /// The first `n` examples.
    public func prefix(_ n: Int) -> MNISTSplit {
        let m = min(n, count)
        return MNISTSplit(inputs: Array(inputs[0..<(m * features)]), labels: Array(labels[0..<m]), features: features)
    }

    /// The examples at `indices` as a `[indices.count, features]` tensor and their labels.
    public func batch(_ indices: ArraySlice<Int>) -> (input: Tensor, labels: [Int32]) {
        var values = [Float](repeating: 0, count: indices.count * features)
        var labels = [Int32](repeating: 0, count: indices.count)
        inputs.withUnsafeBufferPointer { src in
            values.withUnsafeMutableBufferPointer { dst in
                for (row, i) in indices.enumerated() {
                    for f in 0..<features { dst[row * features + f] = src[i * features + f] }
                    labels[row] = self.labels[i]
                }
            }
        }
        return (Tensor(shape: [indices.count, features], values: values), labels)
    }
}

/// Errors of the experiment driver.
public struct ExperimentError: Error, CustomStringConvertible {
    /// What went wrong and what to do.
    public let description: String
    /// An error with the given message.
    public init(_ message: String) { description = message }
}

/// Finding and loading the official MNIST idx files.
public enum MNISTData {
    /// The MNIST folder: `explicit` if given, else the `mnist` subfolder of `$DUALPROP_DATA_DIR`
    /// or of the cache folder `~/.cache/dualprop` (see `DataLocation`); a data folder that holds
    /// the idx files itself is accepted too. Throws a message naming every place tried.
    public static func locate(_ explicit: String?) throws -> String {
        let fm = FileManager.default
        func holdsMNIST(_ d: String) -> Bool {
            ["train-images-idx3-ubyte", "train-images-idx3-ubyte.gz"].contains { fm.fileExists(atPath: d + "/" + $0) }
        }
        if let explicit {
            if holdsMNIST(explicit) { return explicit }
            throw ExperimentError("--data-dir \(explicit): no train-images-idx3-ubyte[.gz] there. Put the four MNIST idx files (train/t10k images and labels, gzip or plain) in that folder.")
        }
        var tried: [String] = []
        for root in DataLocation.searchedDirectories {
            for d in [root + "/mnist", root] {
                if holdsMNIST(d) { return URL(fileURLWithPath: d).standardized.path }
                tried.append(d)
            }
        }
        throw ExperimentError("MNIST not found (tried \(tried.joined(separator: ", "))). Pass --data-dir DIR holding train-images-idx3-ubyte[.gz], train-labels-idx1-ubyte[.gz], t10k-images-idx3-ubyte[.gz], t10k-labels-idx1-ubyte[.gz], set \(DataLocation.environmentVariable) to a folder with an mnist/ subfolder, or put the files in \(DataLocation.cacheDirectory)/mnist.")
    }

    /// The training split (its first `trainCount` images, all when nil) and the test split.
    public static func load(directory: String, trainCount: Int?, scaling: PixelScaling) throws -> (train: MNISTSplit, test: MNISTSplit) {
        func convert(_ d: ImageDataset, limit: Int?) -> MNISTSplit {
            let n = min(limit ?? d.count, d.count), f = d.exampleSize
            let (scale, offset): (Float, Float) = scaling == .unit ? (1 / 255, 0) : (0.998 / 255, 0.001)
            let pixels = d.images[0..<(n * f)].map { Float($0) * scale + offset }
            return MNISTSplit(inputs: pixels, labels: Array(d.labels[0..<n]), features: f)
        }
        let train = try MNIST.load(directory: directory, split: .train)
        let test = try MNIST.load(directory: directory, split: .test)
        try checkGeometry(train, file: MNIST.find(directory, "train-images-idx3-ubyte"))
        try checkGeometry(test, file: MNIST.find(directory, "t10k-images-idx3-ubyte"))
        return (convert(train, limit: trainCount), convert(test, limit: nil))
    }

    /// The image geometry every model of the experiments takes: 28×28 single-channel (784 inputs).
    public static let imageSide = 28

    /// Throws unless `d` holds at least one image of exactly 28×28 pixels: the models' first layer
    /// has 784 inputs in MNIST's row order, so other shapes (even 14×56, also 784 pixels) are not
    /// MNIST and are refused rather than trained on.
    static func checkGeometry(_ d: ImageDataset, file: String) throws {
        guard d.height == imageSide, d.width == imageSide, d.channels == 1 else {
            throw DataError(.wrongShape, file: file,
                            "images are \(d.height)x\(d.width), the MNIST models need \(imageSide)x\(imageSide)")
        }
        guard d.count >= 1 else { throw DataError(.wrongSize, file: file, "holds no images") }
    }
}
