/// MNIST-style idx files (MNIST, Fashion-MNIST): a big-endian header, then uint8 data.
///
/// Images: magic 2051, count, rows, columns, then count × rows × columns bytes.
/// Labels: magic 2049, count, then count bytes (0–9). Files may be gzip-compressed (`.gz`,
/// decompressed with the system zlib) or plain.
public enum IDX {
    /// Reads an idx3 image file: returns the pixels (count, rows, columns) and the geometry.
    ///
    /// The header decides the size the file must have; a plain file's size is compared with it
    /// before the pixels are read, a gzip file is inflated no further than that size (plus one byte
    /// to detect extra data), so a damaged or crafted file never costs more memory than the images
    /// its header describes.
    public static func readImages(path: String) throws -> (pixels: [UInt8], count: Int, rows: Int, columns: Int) {
        try readImages(FileSource(path: path))
    }

    /// Reads an idx1 label file; every label must be below `classCount`.
    public static func readLabels(path: String, classCount: Int = 10) throws -> [Int32] {
        try readLabels(FileSource(path: path), classCount: classCount)
    }

    /// ``readImages(path:)`` for any byte source (a file, or bytes in memory).
    static func readImages(_ source: ByteSource) throws -> (pixels: [UInt8], count: Int, rows: Int, columns: Int) {
        let path = source.name
        let stream = try IDXStream(source)
        let head = try stream.read(upTo: 16)
        guard head.count >= 4 && head.be32(0) == 2051 else {
            throw DataError(.badMagic, file: path, "magic \(head.count >= 4 ? String(head.be32(0)) : "missing"), expected 2051 (idx3 unsigned-byte images)")
        }
        guard head.count == 16 else { throw DataError(.wrongSize, file: path, "\(head.count) bytes is shorter than the 16-byte idx3 header") }
        let n = Int(head.be32(4)), rows = Int(head.be32(8)), cols = Int(head.be32(12))
        let pixels = try stream.payload(DeclaredSize.product([n, rows, cols], "image data", file: path),
                                        headerBytes: 16, describing: "\(n) images of \(rows)x\(cols)")
        return (pixels, n, rows, cols)
    }

    /// ``readLabels(path:classCount:)`` for any byte source.
    static func readLabels(_ source: ByteSource, classCount: Int = 10) throws -> [Int32] {
        let path = source.name
        let stream = try IDXStream(source)
        let head = try stream.read(upTo: 8)
        guard head.count >= 4 && head.be32(0) == 2049 else {
            throw DataError(.badMagic, file: path, "magic \(head.count >= 4 ? String(head.be32(0)) : "missing"), expected 2049 (idx1 unsigned-byte labels)")
        }
        guard head.count == 8 else { throw DataError(.wrongSize, file: path, "\(head.count) bytes is shorter than the 8-byte idx1 header") }
        let n = Int(head.be32(4))
        let b = try stream.payload(n, headerBytes: 8, describing: "\(n) labels")
        var labels = [Int32](repeating: 0, count: n)
        for i in 0..<n {
            let l = b[i]
            guard Int(l) < classCount else {
                throw DataError(.labelOutOfRange, file: path, "label \(i) is \(l), expected 0..<\(classCount)")
            }
            labels[i] = Int32(l)
        }
        return labels
    }
}

/// An idx file's bytes in order, plain or gzip-decompressed on the fly.
final class IDXStream {
    let source: ByteSource
    private let gzip: GzipStream?
    private var offset = 0

    init(_ source: ByteSource) throws {
        self.source = source
        let head = try source.read(offset: 0, count: min(source.size, 2))
        gzip = head == [0x1f, 0x8b] ? try GzipStream(source) : nil
    }

    /// Up to `count` further bytes (fewer only at the end).
    func read(upTo count: Int) throws -> [UInt8] {
        if let gzip { return try gzip.read(upTo: count) }
        let n = min(count, source.size - offset)
        let bytes = try source.read(offset: offset, count: n)
        offset += n
        return bytes
    }

    /// The `count` data bytes after a `headerBytes` header, which must end the file. The size is
    /// checked before anything is allocated: against the file size (plain) or against the most the
    /// compressed file can expand to (gzip); a gzip stream is inflated at most one byte further.
    func payload(_ count: Int, headerBytes: Int, describing what: String) throws -> [UInt8] {
        let path = source.name
        if gzip == nil {
            let need = headerBytes.addingReportingOverflow(count)
            guard !need.overflow, source.size == need.partialValue else {
                throw DataError(.wrongSize, file: path, "\(source.size) bytes, the header (\(what)) needs \(need.overflow ? "more than \(Int.max)" : String(need.partialValue))")
            }
            return try read(upTo: count)
        }
        guard count <= DeclaredSize.deflateBound(compressed: source.size) else {
            throw DataError(.wrongSize, file: path,
                            "the header (\(what)) needs \(count) data bytes, more than the \(source.size)-byte gzip file can decompress to")
        }
        let data = try read(upTo: count)
        guard data.count == count else {
            throw DataError(.wrongSize, file: path, "decompresses to \(headerBytes + data.count) bytes, the header (\(what)) needs \(headerBytes + count) (truncated?)")
        }
        guard try read(upTo: 1).isEmpty else {
            throw DataError(.wrongSize, file: path, "decompresses to more than the \(headerBytes + count) bytes the header (\(what)) describes")
        }
        return data
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
    public static func find(_ dir: String, _ name: String) -> String {
        let gz = joinPath(dir, name + ".gz")
        if fileExists(gz) { return gz }
        let plain = joinPath(dir, name)
        return fileExists(plain) ? plain : gz
    }
}
