/// The CIFAR-10 binary release (`cifar-10-binary.tar.gz`, md5 c32a1d4ab5d03f1284b67883e8d87530).
///
/// Files `data_batch_1.bin` … `data_batch_5.bin` and `test_batch.bin`, each a sequence of
/// 3,073-byte records: 1 label byte (0–9), then 1,024 R, 1,024 G, 1,024 B bytes (32×32 row-major).
/// The directory may be the extracted `cifar-10-batches-bin/` or its parent.
public enum CIFAR10 {
    /// Bytes per record: 1 label + 3 × 32 × 32 pixels.
    public static let recordSize = 1 + 3072
    /// The official class names (also in `batches.meta.txt`).
    public static let classNames = ["airplane", "automobile", "bird", "cat", "deer",
                                    "dog", "frog", "horse", "ship", "truck"]
    /// The training batch file names, in order.
    public static let trainFiles = (1...5).map { "data_batch_\($0).bin" }
    /// The test batch file name.
    public static let testFile = "test_batch.bin"

    /// The 50,000 training images (all five batches, in file order).
    public static func loadTrain(directory: String) throws -> ImageDataset {
        let dir = resolve(directory)
        var all = try loadBatch(path: joinPath(dir, trainFiles[0]))
        for f in trainFiles.dropFirst() { all.append(contentsOf: try loadBatch(path: joinPath(dir, f))) }
        return all
    }

    /// The 10,000 test images.
    public static func loadTest(directory: String) throws -> ImageDataset {
        try loadBatch(path: joinPath(resolve(directory), testFile))
    }

    /// One batch file; any whole number of records is accepted.
    public static func loadBatch(path: String) throws -> ImageDataset {
        let r = try CIFARRecords.read(path: path, labelBytes: 1, classCounts: [10])
        return ImageDataset(images: r.images, labels: r.labels[0], channels: 3, height: 32, width: 32,
                            classCount: 10, classNames: classNames)
    }

    /// `directory`, or its `cifar-10-batches-bin` subfolder when the batches live there.
    static func resolve(_ directory: String) -> String {
        let sub = joinPath(directory, "cifar-10-batches-bin")
        return !fileExists(joinPath(directory, testFile)) && directoryExists(sub) ? sub : directory
    }
}

/// The CIFAR-100 binary release (`cifar-100-binary.tar.gz`): `train.bin` (50,000) and `test.bin`
/// (10,000), records of 3,074 bytes: coarse label (0–19), fine label (0–99), 3,072 pixels (R, G, B planes).
///
/// ``ImageDataset/labels`` holds the fine labels (100 classes), ``ImageDataset/coarseLabels`` the coarse ones.
/// The directory may be the extracted `cifar-100-binary/` or its parent; class names are read
/// from `fine_label_names.txt` when present.
public enum CIFAR100 {
    /// Bytes per record: coarse label, fine label, 3,072 pixels.
    public static let recordSize = 2 + 3072

    /// The 50,000 training images.
    public static func loadTrain(directory: String) throws -> ImageDataset {
        let dir = resolve(directory)
        return try loadFile(path: joinPath(dir, "train.bin"), classNames: names(dir))
    }

    /// The 10,000 test images.
    public static func loadTest(directory: String) throws -> ImageDataset {
        let dir = resolve(directory)
        return try loadFile(path: joinPath(dir, "test.bin"), classNames: names(dir))
    }

    /// One CIFAR-100 binary file.
    public static func loadFile(path: String, classNames: [String] = []) throws -> ImageDataset {
        let r = try CIFARRecords.read(path: path, labelBytes: 2, classCounts: [20, 100])
        return ImageDataset(images: r.images, labels: r.labels[1], channels: 3, height: 32, width: 32,
                            classCount: 100, classNames: classNames, coarseLabels: r.labels[0])
    }

    static func resolve(_ directory: String) -> String {
        let sub = joinPath(directory, "cifar-100-binary")
        return !fileExists(joinPath(directory, "test.bin")) && directoryExists(sub) ? sub : directory
    }

    static func names(_ dir: String) -> [String] {
        // 100 short names: a larger file is not the release's, and is not read into memory.
        guard let file = try? FileSource(path: joinPath(dir, "fine_label_names.txt")), file.size <= 1 << 16,
              let bytes = try? file.read(offset: 0, count: file.size) else { return [] }
        let lines = String(decoding: bytes, as: UTF8.self).split(separator: "\n").map { $0.trimmingCharacters() }.filter { !$0.isEmpty }
        return lines.count == 100 ? lines : []
    }
}

/// Shared reader of CIFAR-style record files: `labelBytes` label bytes then 3,072 pixel bytes.
///
/// The file size is checked first; records are then read in pieces straight into the image
/// buffer, so the peak memory is the images plus one piece.
enum CIFARRecords {
    static func read(path: String, labelBytes: Int, classCounts: [Int]) throws -> (images: [UInt8], labels: [[Int32]]) {
        try read(FileSource(path: path), labelBytes: labelBytes, classCounts: classCounts)
    }

    /// Records per read.
    static let recordsPerPiece = 1024

    static func read(_ source: ByteSource, labelBytes: Int, classCounts: [Int]) throws -> (images: [UInt8], labels: [[Int32]]) {
        let path = source.name
        let record = labelBytes + 3072
        guard source.size % record == 0, source.size > 0 else {
            throw DataError(.wrongSize, file: path,
                            "\(source.size) bytes is not a whole number of \(record)-byte records (truncated or not a CIFAR file)")
        }
        let n = source.size / record
        var images = [UInt8](repeating: 0, count: n * 3072)
        var labels = [[Int32]](repeating: [Int32](repeating: 0, count: n), count: labelBytes)
        var first = 0
        while first < n {
            let count = min(recordsPerPiece, n - first)
            let bytes = try source.read(offset: first * record, count: count * record)
            bytes.withUnsafeBufferPointer { src in
                images.withUnsafeMutableBufferPointer { dst in
                    for r in 0..<count {
                        (dst.baseAddress! + (first + r) * 3072).update(from: src.baseAddress! + r * record + labelBytes, count: 3072)
                    }
                }
            }
            for k in 0..<labelBytes {
                for r in 0..<count {
                    let i = first + r, l = bytes[r * record + k]
                    guard Int(l) < classCounts[k] else {
                        let what = labelBytes == 1 ? "label" : (k == 0 ? "coarse label" : "fine label")
                        throw DataError(.labelOutOfRange, file: path,
                                        "record \(i) (byte offset \(i * record + k)) has \(what) \(l), expected 0..<\(classCounts[k])")
                    }
                    labels[k][i] = Int32(l)
                }
            }
            first += count
        }
        return (images, labels)
    }
}
