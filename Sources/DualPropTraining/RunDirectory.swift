import DualProp
import DualPropData
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Everything a resumed run needs besides the weights and momentum: where in the data stream the
/// run stands (the data order and augmentation are counter-based functions of (seed, epoch,
/// index), so the RNG position is (`epoch`, `batchInEpoch`)), the running sums of the current
/// epoch, the best validation result and the metrics so far.
public struct TrainingState: Codable, Equatable, Sendable {
    /// File format version.
    public var format = 1
    /// The hash of the configuration that produced the state.
    public var configHash: String
    /// The epoch in progress (0-based); `epochs` when training is complete.
    public var epoch = 0
    /// The next batch of `epoch` (0 at an epoch boundary).
    public var batchInEpoch = 0
    /// Optimizer steps taken.
    public var step = 0
    /// The data-stream seed (shuffle, augmentation, split streams of `CounterRandom`).
    public var rngSeed: UInt64
    /// Sums over the steps of the current epoch so far.
    public var runningLoss = 0.0, runningCorrect = 0, runningCount = 0, runningSeconds = 0.0
    /// Best validation top-1 (fraction) and its 1-based epoch; nil before the first evaluation.
    public var bestMetric: Double?, bestEpoch: Int?
    /// Cumulative wall seconds spent training and evaluating.
    public var wallSeconds = 0.0
    /// Every metrics row so far (`metrics.csv` is rewritten from it).
    public var history: [MetricRow] = []
    /// The number of MPI processes that trained the run (nil in states written before MPI: 1).
    /// `--resume` needs the same number: it decides the order in which gradients are summed.
    public var ranks: Int?
}

/// A run directory: configuration, split, log, metrics and checkpoints.
public struct RunDirectory {
    /// The directory.
    public let path: String

    /// File names inside the run directory.
    public static let configFile = "config.json", splitFile = "split.json", metricsFile = "metrics.csv",
                      logFile = "train.log", plotFile = "curves.svg", lastWeights = "last.safetensors",
                      bestWeights = "best.safetensors", stateFile = "last-state.safetensors",
                      cosinesFile = "gradient-cosines.csv"

    /// `path/name`.
    public func file(_ name: String) -> String { join(path, name) }

    /// Opens `path` for a new run: creates it (and parents) unless it exists; an existing
    /// directory must be empty. Throws `TrainingError` naming the directory and the problem.
    public static func createNew(_ path: String) throws -> RunDirectory {
        var isDir: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDir) {
            guard isDir.boolValue else { throw TrainingError("output \(path): exists and is not a directory") }
            let contents: [String]
            do { contents = try FileManager.default.contentsOfDirectory(atPath: path) } catch {
                throw TrainingError("output \(path): unreadable directory: \(errnoText(error))")
            }
            guard contents.isEmpty else {
                throw TrainingError("output \(path): the run directory already exists and is not empty; pass --resume to continue it or choose another --output")
            }
        } else {
            if let problem = makeDirectories(path) {
                throw TrainingError("output \(path): cannot create the run directory: \(problem)")
            }
        }
        let dir = RunDirectory(path: path)
        try dir.checkWritable()
        return dir
    }

    /// Opens an existing run for `--resume`.
    public static func openExisting(_ path: String) throws -> RunDirectory {
        guard isDirectory(path) else { throw TrainingError("output \(path): no such run directory to resume") }
        let dir = RunDirectory(path: path)
        guard FileManager.default.fileExists(atPath: dir.file(configFile)) else {
            throw TrainingError("\(dir.file(configFile)): missing file: \(path) is not a cifar-vgg run directory")
        }
        try dir.checkWritable()
        // Checkpoint writes interrupted by a kill leave `<file>.tmp-<pid>-<n>` behind (up to the
        // size of a checkpoint each); remove those of writers that are gone.
        removeStaleTemporaryFiles(in: path)
        return dir
    }

    /// Opens a run directory to read its configuration and weights (`cifar-vgg evaluate`).
    public static func openForReading(_ path: String) throws -> RunDirectory {
        guard isDirectory(path) else { throw TrainingError("\(path): no such run directory") }
        let dir = RunDirectory(path: path)
        guard FileManager.default.fileExists(atPath: dir.file(configFile)) else {
            throw TrainingError("\(dir.file(configFile)): missing file: \(path) is not a cifar-vgg run directory")
        }
        return dir
    }

    /// Fails with a clear message when files cannot be created in the directory.
    func checkWritable() throws {
        let probe = file(".write-test-\(getpid())")
        let fd = open(probe, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else {
            throw TrainingError("output \(path): cannot write in the run directory: \(String(cString: strerror(errno)))")
        }
        close(fd); unlink(probe)
    }

    // MARK: configuration

    /// What `config.json` holds.
    struct StoredConfiguration: Codable {
        var configuration: TrainingConfiguration
        var configHash: String
        var commandLine: [String]
        var normalization: ChannelNormalization
        var dataSource: String
        var trainImages: Int, validationImages: Int, testImages: Int
        var parameters: Int
    }

    func writeConfiguration(_ stored: StoredConfiguration) throws {
        try writeAtomically(canonicalJSON(stored, pretty: true) + [10], to: file(Self.configFile))
    }

    func readConfiguration() throws -> StoredConfiguration {
        let path = file(Self.configFile)
        let stored = try decodeJSON(StoredConfiguration.self, from: try readAll(path), file: path)
        try RunStateValidation.checkStoredConfiguration(stored.configuration, path: path)
        return stored
    }

    // MARK: checkpoints

    /// Writes weights in PyTorch names and layouts (loadable by `safetensors.torch.load_file` into
    /// torchvision-style VGG16) with descriptive metadata.
    func writeWeights(_ net: Sequential, name: String, metadata: [String: String]) throws {
        let tensors = try net.pytorchParameters().map { NamedTensor(name: $0.name, shape: $0.tensor.shape, values: $0.tensor.scalars) }
        try SafeTensors.write(tensors, metadata: metadata, to: file(name))
    }

    /// Reads PyTorch-layout weights into `net` (which fixes the architecture).
    func readWeights(into net: inout Sequential, name: String) throws {
        let path = file(name)
        let (tensors, _) = try SafeTensors.read(from: path)
        do { try net.loadPyTorchParameters(Dictionary(tensors.map { ($0.name, Tensor(shape: $0.shape, values: $0.values)) },
                                                      uniquingKeysWith: { a, _ in a })) }
        catch { throw TrainingError("\(path): does not fit the network: \(error)") }
    }

    /// The resumable checkpoint: weights (`model.*`) and momentum (`momentum.*`), both in PyTorch
    /// layout, and the `TrainingState` as JSON metadata; one file, written atomically, so a kill
    /// leaves either the previous checkpoint or this one.
    func writeState(_ state: TrainingState, network net: Sequential, optimizer: SGD) throws {
        var tensors = try net.pytorchParameters().map { NamedTensor(name: "model." + $0.name, shape: $0.tensor.shape, values: $0.tensor.scalars) }
        if optimizer.hasMomentum {
            var carrier = net
            let velocities = optimizer.velocities  // one copy out of the momentum buffer
            carrier.withParameters { k, w, b in w = velocities[k].weight; b = velocities[k].bias }
            tensors += try carrier.pytorchParameters().map { NamedTensor(name: "momentum." + $0.name, shape: $0.tensor.shape, values: $0.tensor.scalars) }
        }
        let json = String(decoding: try canonicalJSON(state), as: UTF8.self)
        try SafeTensors.write(tensors, metadata: ["training_state": json, "config_hash": state.configHash], to: file(Self.stateFile))
    }

    /// Reads the resumable checkpoint into `net` and `optimizer`; nil when there is none yet.
    /// The tensors are checked (``RunStateValidation/load(_:into:optimizer:path:)``); the caller
    /// checks the state against the configuration (``RunStateValidation/check(_:config:trainCount:validationCount:path:)``).
    func readState(network net: inout Sequential, optimizer: inout SGD) throws -> TrainingState? {
        let path = file(Self.stateFile)
        guard FileManager.default.fileExists(atPath: path) else { return nil }
        return try RunStateValidation.load(SafeTensors.read(from: path), into: &net, optimizer: &optimizer, path: path)
    }

    // MARK: metrics and log

    func writeMetrics(_ rows: [MetricRow]) throws {
        try writeText(([MetricRow.header] + rows.map(\.csv)).joined(separator: "\n") + "\n", to: file(Self.metricsFile))
    }

    /// Appends a line to `name` (creating it), flushed at once.
    func append(_ line: String, to name: String) {
        guard let f = fopen(file(name), "a") else { return }
        fputs(line.hasSuffix("\n") ? line : line + "\n", f)
        fclose(f)
    }
}

func readAll(_ path: String) throws -> [UInt8] {
    guard let d = FileManager.default.contents(atPath: path) else {
        throw TrainingError("\(path): \(FileManager.default.fileExists(atPath: path) ? "unreadable" : "missing file")")
    }
    return Array(d)
}

/// The POSIX reason inside a Foundation file error, when there is one.
func errnoText(_ error: Error) -> String {
    let ns = error as NSError
    if let u = ns.userInfo[NSUnderlyingErrorKey] as? NSError, u.domain == NSPOSIXErrorDomain {
        return String(cString: strerror(Int32(u.code)))
    }
    return ns.localizedDescription
}
