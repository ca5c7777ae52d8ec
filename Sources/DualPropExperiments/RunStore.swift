import DualProp
import DualPropData
import Foundation

/// Finished training runs, saved one file each, so that an interrupted experiment resumes where it
/// stopped instead of starting over (a full `dp-alpha` is 21 runs and about three hours here).
///
/// A run (one configuration, one seed) is written when it finishes to
/// `<directory>/<label>-<hash>-seed<k>.safetensors`: the trained weights under PyTorch names and
/// layouts, and in the metadata the outcome's figures and a *fingerprint* — a text naming everything
/// that determines the run (label, rule with all its parameters, optimizer, rate, batch, warm-up,
/// epochs, seed, and the size and a checksum of the data). A later run of the experiment reuses a
/// saved file whose fingerprint matches exactly; a missing, unreadable or mismatched file is trained
/// again and overwritten. Files are written atomically (temporary file, fsync, rename), so a crash
/// leaves either the previous file or the new one.
///
/// The library's own code is not part of the fingerprint: after changing it, retrain with a fresh
/// folder (`mnist-mlp … --fresh`).
public struct RunStore: Sendable {
    /// The folder holding the saved runs.
    public let directory: String
    /// When true, saved runs are never reused (but finished runs are still saved).
    public let ignoreSaved: Bool

    /// Opens (creating if needed) the folder; throws a `DataError` naming it if it cannot be created.
    public init(directory: String, ignoreSaved: Bool = false) throws {
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory) {
            guard isDirectory.boolValue else {
                throw DataError(.writeFailed, file: directory, "exists but is not a folder (wanted for saved runs)")
            }
        } else {
            if let problem = makeDirectories(directory) {
                throw DataError(.writeFailed, file: directory, "cannot create the folder for saved runs: \(problem)")
            }
        }
        removeStaleTemporaryFiles(in: directory)  // of saves interrupted by a kill
        self.directory = directory
        self.ignoreSaved = ignoreSaved
    }

    /// The file of run `seed` of configuration `label`. The label is kept readable (non-ASCII and
    /// punctuation become `_`) and a hash of the exact label keeps e.g. "α=½" and "α=1" apart.
    public func path(label: String, seed: Int) -> String {
        let readable = String(label.unicodeScalars.map { s -> Character in
            s.isASCII && (CharacterSet.alphanumerics.contains(s) || s == "-" || s == ".") ? Character(s) : "_"
        })
        return (directory as NSString).appendingPathComponent(
            "\(readable)-\(String(fnv1a(Array(label.utf8)), radix: 16))-seed\(seed).safetensors")
    }

    /// The saved outcome of the run at `path` if its fingerprint equals `fingerprint`; its weights
    /// are loaded into `model` (a freshly built network of the same configuration). Returns nil,
    /// with the reason, when there is nothing usable to reuse.
    public func load(path: String, fingerprint: String, into model: Sequential) -> (outcome: TrainingOutcome?, reason: String) {
        if ignoreSaved { return (nil, "--fresh") }
        guard FileManager.default.fileExists(atPath: path) else { return (nil, "not saved yet") }
        do {
            let (tensors, metadata) = try SafeTensors.read(from: path)
            guard metadata["fingerprint"] == fingerprint else { return (nil, "\(path) was saved with other settings") }
            guard let json = metadata["outcome"]?.data(using: .utf8) else { return (nil, "\(path) has no outcome record") }
            let saved = try Self.decoder.decode(SavedOutcome.self, from: json)
            var net = model
            try net.loadPyTorchParameters(Dictionary(tensors.map { ($0.name, Tensor(shape: $0.shape, values: $0.values)) },
                                                     uniquingKeysWith: { a, _ in a }))
            return (TrainingOutcome(network: net, runningTrainAccuracy: saved.runningTrainAccuracy,
                                    testAccuracy: saved.testAccuracy, testAccuracyPerEpoch: saved.testAccuracyPerEpoch,
                                    diverged: saved.diverged, seconds: saved.seconds), "reused")
        } catch {
            return (nil, "\(path) is unusable (\(error))")
        }
    }

    /// Saves a finished run atomically.
    public func save(_ outcome: TrainingOutcome, path: String, fingerprint: String) throws {
        let tensors = try outcome.network.pytorchParameters().map {
            NamedTensor(name: $0.name, shape: $0.tensor.shape, values: $0.tensor.scalars)
        }
        let record = SavedOutcome(runningTrainAccuracy: outcome.runningTrainAccuracy, testAccuracy: outcome.testAccuracy,
                                  testAccuracyPerEpoch: outcome.testAccuracyPerEpoch, diverged: outcome.diverged,
                                  seconds: outcome.seconds)
        let json = String(decoding: try Self.encoder.encode(record), as: UTF8.self)
        try SafeTensors.write(tensors, metadata: ["fingerprint": fingerprint, "outcome": json], to: path)
    }

    /// The figures of a `TrainingOutcome` besides the network (NaN for diverged runs is kept).
    struct SavedOutcome: Codable {
        var runningTrainAccuracy: Double
        var testAccuracy: Double
        var testAccuracyPerEpoch: [Double]
        var diverged: Bool
        var seconds: Double
    }

    private static let nonFinite = (positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
    private static var encoder: JSONEncoder {
        let e = JSONEncoder()
        e.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: nonFinite.positiveInfinity,
                                                                negativeInfinity: nonFinite.negativeInfinity, nan: nonFinite.nan)
        e.outputFormatting = .sortedKeys
        return e
    }
    private static var decoder: JSONDecoder {
        let d = JSONDecoder()
        d.nonConformingFloatDecodingStrategy = .convertFromString(positiveInfinity: nonFinite.positiveInfinity,
                                                                  negativeInfinity: nonFinite.negativeInfinity, nan: nonFinite.nan)
        return d
    }
}

/// 64-bit FNV-1a of bytes (file names and data checksums; not cryptographic).
func fnv1a(_ bytes: some Sequence<UInt8>) -> UInt64 {
    var h: UInt64 = 0xcbf2_9ce4_8422_2325
    for b in bytes { h = (h ^ UInt64(b)) &* 0x0000_0100_0000_01b3 }
    return h
}

extension MNISTSplit {
    /// A checksum of the pixels' bit patterns and the labels (so a saved run is only reused on the
    /// same data, scaling included).
    var checksum: UInt64 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for v in inputs { h = (h ^ UInt64(v.bitPattern)) &* 0x0000_0100_0000_01b3 }
        for l in labels { h = (h ^ UInt64(UInt32(bitPattern: l))) &* 0x0000_0100_0000_01b3 }
        return h
    }
}
