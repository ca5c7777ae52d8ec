/// The official ImageNet32x32 release (Chrabaszcz, Loshchilov, Hutter 2017, "Downsampled ImageNet"),
/// npz format: `Imagenet32_train_npz.zip` / `Imagenet32_val_npz.zip`, or the extracted
/// `train_data_batch_1.npz` … `train_data_batch_10.npz` and `val_data.npz`.
///
/// Each `.npz` is a zip holding `data.npy` (uint8, N × 3072, channel-planar R, G, B 32×32; an
/// (N, 3, 32, 32) shape is accepted too), `labels.npy` (integers 1…1000, any little-endian integer
/// dtype; stored here as 0…999) and optionally `mean.npy` (ignored). Members may be STORED or
/// DEFLATE; zip64 archives are read. Extracted `.npz` files are preferred over the zips, looked
/// for in the directory and in its `Imagenet32_train_npz` / `Imagenet32_val_npz` subfolders.
/// Pixels stay uint8: the training set takes about 3.9 GB.
public enum ImageNet32 {
    /// The training npz files, in order.
    public static let trainFiles = (1...10).map { "train_data_batch_\($0).npz" }
    /// The validation npz file.
    public static let validationFile = "val_data.npz"
    /// The training release zip.
    public static let trainZip = "Imagenet32_train_npz.zip"
    /// The validation release zip.
    public static let validationZip = "Imagenet32_val_npz.zip"

    /// The 1,281,167 training images (batches 1…10 concatenated).
    public static func loadTrain(directory: String) throws -> ImageDataset {
        try load(directory: directory, npzNames: trainFiles, zipName: trainZip, subfolder: "Imagenet32_train_npz")
    }

    /// The 50,000 validation images (the public validation set, used as the test set).
    public static func loadValidation(directory: String) throws -> ImageDataset {
        try load(directory: directory, npzNames: [validationFile], zipName: validationZip, subfolder: "Imagenet32_val_npz")
    }

    /// One `.npz` file (e.g. `train_data_batch_3.npz`).
    public static func loadNPZ(path: String) throws -> ImageDataset {
        try decodeNPZ(ZipArchive(FileSource(path: path)))
    }

    static func load(directory: String, npzNames: [String], zipName: String, subfolder: String) throws -> ImageDataset {
        for dir in [directory, joinPath(directory, subfolder)] where fileExists(joinPath(dir, npzNames[0])) {
            var all = try loadNPZ(path: joinPath(dir, npzNames[0]))
            for name in npzNames.dropFirst() { all.append(contentsOf: try loadNPZ(path: joinPath(dir, name))) }
            return all
        }
        let zipPath = joinPath(directory, zipName)
        guard fileExists(zipPath) else {
            throw DataError(.missingFile, file: joinPath(directory, npzNames[0]),
                            "neither the extracted npz files nor \(zipName) are in \(directory)")
        }
        let outer = try ZipArchive(FileSource(path: zipPath))
        var result: ImageDataset?
        for name in npzNames {
            guard let e = outer.entry(named: name) else {
                throw DataError(.missingMember, file: zipPath, "no member \(name); members: \(outer.entries.map(\.name).prefix(12))")
            }
            let inner = try ZipArchive(MemorySource(name: outer.memberPath(e), bytes: try outer.extract(e)))
            let part = try decodeNPZ(inner)
            if result == nil { result = part } else { result!.append(contentsOf: part) }
        }
        return result!
    }

    /// `data.npy` + `labels.npy` of one npz archive.
    static func decodeNPZ(_ zip: ZipArchive) throws -> ImageDataset {
        func member(_ name: String) throws -> (NPYArray, String) {
            guard let e = zip.entry(named: name) else {
                throw DataError(.missingMember, file: zip.source.name,
                                "no member \(name) (members: \(zip.entries.map(\.name).joined(separator: ", ")))")
            }
            let path = zip.memberPath(e)
            return (try NPYArray(bytes: try zip.extract(e), name: path), path)
        }
        let (data, dataPath) = try member("data.npy")
        let pixels = try data.uint8Values(name: dataPath)
        guard data.shape.count >= 1, DeclaredSize.checkedProduct(Array(data.shape.dropFirst())) == 3072,
              data.shape.count == 2 || data.shape == [data.shape[0], 3, 32, 32] else {
            throw DataError(.wrongShape, file: dataPath, "shape \(data.shape), expected (N, 3072) or (N, 3, 32, 32)")
        }
        let n = data.shape[0]
        let (labelsArray, labelsPath) = try member("labels.npy")
        guard labelsArray.shape == [n] || labelsArray.shape == [n, 1] else {
            throw DataError(.wrongShape, file: labelsPath, "shape \(labelsArray.shape), expected (\(n),) to match data.npy")
        }
        let raw = try labelsArray.integerValues(name: labelsPath)
        var labels = [Int32](repeating: 0, count: n)
        for i in 0..<n {
            guard raw[i] >= 1 && raw[i] <= 1000 else {
                throw DataError(.labelOutOfRange, file: labelsPath, "label \(i) is \(raw[i]), expected 1…1000")
            }
            labels[i] = Int32(raw[i] - 1)
        }
        return ImageDataset(images: Array(pixels), labels: labels, channels: 3, height: 32, width: 32, classCount: 1000)
    }
}
