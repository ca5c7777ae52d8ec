/// MNIST-style idx files (MNIST, Fashion-MNIST): a big-endian header, then uint8 data.
///
/// Images: magic 2051, count, rows, columns, then count × rows × columns bytes.
/// Labels: magic 2049, count, then count bytes (0–9). Files may be gzip-compressed (`.gz`,
/// decompressed with the system zlib) or plain.
public enum IDX {
    /// Reads an idx3 image file: returns the pixels (count, rows, columns) and the geometry.
    public static func readImages(path: String) throws -> (pixels: [UInt8], count: Int, rows: Int, columns: Int) {
        let b = try load(path)
        guard b.count >= 4 && b.be32(0) == 2051 else {
            throw DataError(.badMagic, file: path, "magic \(b.count >= 4 ? String(b.be32(0)) : "missing"), expected 2051 (idx3 unsigned-byte images)")
        }
        guard b.count >= 16 else { throw DataError(.wrongSize, file: path, "\(b.count) bytes is shorter than the 16-byte idx3 header") }
        let n = Int(b.be32(4)), rows = Int(b.be32(8)), cols = Int(b.be32(12))
        let need = 16 + n * rows * cols
        guard b.count == need else {
            throw DataError(.wrongSize, file: path, "\(b.count) bytes, the header (\(n) images of \(rows)x\(cols)) needs \(need)")
        }
        return (Array(b[16...]), n, rows, cols)
    }

    /// Reads an idx1 label file; every label must be below `classCount`.
    public static func readLabels(path: String, classCount: Int = 10) throws -> [Int32] {
        let b = try load(path)
        guard b.count >= 4 && b.be32(0) == 2049 else {
            throw DataError(.badMagic, file: path, "magic \(b.count >= 4 ? String(b.be32(0)) : "missing"), expected 2049 (idx1 unsigned-byte labels)")
        }
        guard b.count >= 8 else { throw DataError(.wrongSize, file: path, "\(b.count) bytes is shorter than the 8-byte idx1 header") }
        let n = Int(b.be32(4))
        guard b.count == 8 + n else {
            throw DataError(.wrongSize, file: path, "\(b.count) bytes, the header (\(n) labels) needs \(8 + n)")
        }
        var labels = [Int32](repeating: 0, count: n)
        for i in 0..<n {
            let l = b[8 + i]
            guard Int(l) < classCount else {
                throw DataError(.labelOutOfRange, file: path, "label \(i) is \(l), expected 0..<\(classCount)")
            }
            labels[i] = Int32(l)
        }
        return labels
    }

    /// The file's bytes, gunzipped when it starts with the gzip signature.
    static func load(_ path: String) throws -> [UInt8] {
        let raw = try readWholeFile(path)
        return raw.count >= 2 && raw[0] == 0x1f && raw[1] == 0x8b ? try Inflate.gunzip(raw, name: path) : raw
    }
}

/// MNIST and Fashion-MNIST (same file names and format) as ``ImageDataset`` (1 channel, 28×28).
public enum MNIST {
    /// Which half of the release.
    public enum Split: String, Sendable, CaseIterable {
        /// `train-images-idx3-ubyte` / `train-labels-idx1-ubyte` (60,000).
        case train
        /// `t10k-images-idx3-ubyte` / `t10k-labels-idx1-ubyte` (10,000).
        case test
    }

    /// Loads `split` from `directory`, taking `<name>.gz` when present, else the plain file.
    public static func load(directory: String, split: Split, classNames: [String] = (0...9).map(String.init)) throws -> ImageDataset {
        let stem = split == .train ? "train" : "t10k"
        let imagesPath = find(directory, "\(stem)-images-idx3-ubyte")
        let labelsPath = find(directory, "\(stem)-labels-idx1-ubyte")
        let img = try IDX.readImages(path: imagesPath)
        let labels = try IDX.readLabels(path: labelsPath)
        guard labels.count == img.count else {
            throw DataError(.wrongSize, file: labelsPath, "\(labels.count) labels but \(imagesPath) has \(img.count) images")
        }
        return ImageDataset(images: img.pixels, labels: labels, channels: 1, height: img.rows, width: img.columns,
                            classCount: 10, classNames: classNames)
    }

    /// Fashion-MNIST's class names.
    public static let fashionClassNames = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
                                           "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"]

    /// `dir/name.gz` if it exists, else `dir/name` (whose absence the reader reports).
    static func find(_ dir: String, _ name: String) -> String {
        let gz = joinPath(dir, name + ".gz")
        if fileExists(gz) { return gz }
        let plain = joinPath(dir, name)
        return fileExists(plain) ? plain : gz
    }
}
