// mnist-mlp: reruns the source papers' MLP experiments on MNIST, one subcommand each.
// Every subcommand prints a markdown table with our figures beside the paper's and writes a CSV.
import ArgumentParser
import DualProp
import DualPropData
import DualPropExperiments
import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// Writes a progress line to stderr.
@Sendable func printToStandardError(_ line: String) {
    FileHandle.standardError.write((line + "\n").data(using: .utf8)!)
}

/// Options shared by every experiment.
struct CommonOptions: ParsableArguments {
    @Option(help: "Independent runs (seeds 1…n) per configuration (default: the paper's).")
    var seeds: Int?

    @Option(help: "Training epochs (default: the paper's).")
    var epochs: Int?

    @Option(help: "Use only the first N training images (default: the paper's).")
    var trainCount: Int?

    @Flag(help: "CI-sized run (1 seed, 1 epoch, a few thousand images) that fails unless learning happened.")
    var quick = false

    @Option(help: "Folder with the MNIST idx files (default: the mnist folder in $DUALPROP_DATA_DIR, else in ~/.cache/dualprop).")
    var dataDir: String?

    @Option(help: ArgumentHelp("Folder for everything the command writes: <subcommand>.csv and the saved runs <subcommand>-runs/ (default: the current directory).",
                               valueName: "dir"))
    var output: String?

    @Option(help: "Where to write the CSV (default: <output>/<subcommand>.csv).")
    var csv: String?

    @Flag(help: "No per-epoch progress on stderr.")
    var noProgress = false

    /// `--silent`: the former spelling of `--no-progress`, kept as a hidden alias.
    @Flag(help: .hidden)
    var silent = false

    @Option(help: ArgumentHelp("Folder where every finished run is saved; rerunning the same command reuses them, so an interrupted experiment resumes (default: <output>/<subcommand>-runs; none with --quick).",
                               valueName: "dir"))
    var runsDir: String?

    @Flag(help: "Retrain every run even where a matching saved run exists (finished runs are still saved).")
    var fresh = false

    /// `name` inside `--output` (the current directory by default); creates the folder.
    func outputPath(_ name: String) -> String {
        guard let output else { return name }
        try? FileManager.default.createDirectory(atPath: output, withIntermediateDirectories: true)
        return output + "/" + name
    }

    @Option(help: "Kernel threads (default: the CPUs this process may use: OMP_NUM_THREADS, affinity, cgroup quota, physical cores).")
    var threads: Int?

    func validate() throws {
        try MNISTOptionRanges.check(seeds, MNISTOptionRanges.seeds, "--seeds")
        try MNISTOptionRanges.check(epochs, MNISTOptionRanges.epochs, "--epochs")
        try MNISTOptionRanges.check(trainCount, MNISTOptionRanges.trainCount, "--train-count")
        if let t = threads, t < 1 || t > 1024 { throw ValidationError("--threads must be in 1…1024, got \(t)") }
    }

    /// Loads the data and builds the settings: explicit flags win, then `--quick`'s sizes, then the paper's.
    func prepare(_ name: String, defaults: (epochs: Int, seeds: Int, trainCount: Int), quickTrainCount: Int, quickTestCount: Int = 10_000,
                 scaling: PixelScaling = .unit) throws -> (ExperimentSettings, MNISTSplit, MNISTSplit) {
        #if DEBUG
        // Measured (ARCHITECTURE.md, "Debug builds"): dp-alpha --quick --train-count 1000, one thread.
        FileHandle.standardError.write(("warning: debug build: the C kernels are compiled at -O0, so training is about 37x "
            + "slower (130 s instead of 3.5 s of CPU for `dp-alpha --quick`); use `swift run -c release mnist-mlp`\n").data(using: .utf8)!)
        #endif
        if let t = threads { Runtime.threads = t }
        printToStandardError("kernels: \(Runtime.threadChoiceDescription(requested: threads ?? 0)), \(Runtime.activeISA)")
        let dir = try MNISTData.locate(dataDir)
        let count = trainCount ?? (quick ? quickTrainCount : defaults.trainCount)
        let (train, test) = try MNISTData.load(directory: dir, trainCount: count, scaling: scaling)
        let log: (@Sendable (String) -> Void)? = silent || noProgress ? nil : printToStandardError
        var store: RunStore? = nil
        if let folder = runsDir ?? (quick ? nil : outputPath("\(name)-runs")) {
            store = try RunStore(directory: folder, ignoreSaved: fresh)
            log?("Finished runs are saved in \(folder)/; rerunning this command reuses them\(fresh ? " (--fresh: not this time)" : "").")
        }
        let settings = ExperimentSettings(seeds: seeds ?? (quick ? 1 : defaults.seeds),
                                          epochs: epochs ?? (quick ? 1 : defaults.epochs),
                                          trainCount: train.count, quick: quick, log: log, runStore: store)
        return (settings, train, quick ? test.prefix(quickTestCount) : test)
    }

    /// Prints the table, writes the CSV, and fails a `--quick` run whose checks failed.
    func finish(_ result: ExperimentResult, name: String, started: Date) throws {
        let seconds = Date().timeIntervalSince(started)
        print(result.table.markdown)
        print(String(format: "Total run time: %.0f s (%.1f min).", seconds, seconds / 60))
        let path = csv ?? outputPath("\(name).csv")
        try writeAtomically(Array(result.table.csv.utf8), to: path)  // errors name the file and the reason
        print("CSV written to \(path)")
        if quick {
            if result.failures.isEmpty {
                print("quick check: learning happened (all checks passed)")
            } else {
                for f in result.failures { FileHandle.standardError.write("quick check FAILED: \(f)\n".data(using: .utf8)!) }
                throw ExitCode(2)
            }
        }
    }
}

struct DPAlpha: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dp-alpha", abstract: "Høier & Zach (2024), Table 1: DP and DP⊤ with α ∈ {1, ½, 0} vs BP, accuracy and ‖W₂W₁W₀‖₂.")
    @OptionGroup var common: CommonOptions
    @Option(help: "Run only these rows (comma-separated labels, e.g. \"DP α=0,BP\"; ASCII works too: \"dp-a0,dpT-a0.5,bp\").")
    var only: String?

    func run() throws {
        let started = Date()
        let (settings, train, test) = try common.prepare("dp-alpha", defaults: DPAlphaExperiment.defaults, quickTrainCount: 2000)
        let subset = try only.map { try RowLabels.select($0, from: DPAlphaExperiment.rules().map(\.0)) }
        try common.finish(try DPAlphaExperiment.run(train: train, test: test, settings: settings, only: subset),
                          name: "dp-alpha", started: started)
    }
}

struct DPStability: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dp-stability", abstract: "Høier & Zach (2024), Table 2: original DP (plain, damped) vs DP⊤ with α ∈ {0, 1}, 30 sweeps, 784-1000×4-10.")
    @OptionGroup var common: CommonOptions
    @Option(help: "Repeated inference sweeps.")
    var sweeps = 30

    func run() throws {
        let started = Date()
        let (settings, train, test) = try common.prepare("dp-stability", defaults: DPStabilityExperiment.defaults, quickTrainCount: 500, quickTestCount: 2000)
        try common.finish(try DPStabilityExperiment.run(train: train, test: test, settings: settings, sweeps: sweeps),
                          name: "dp-stability", started: started)
    }
}

struct Fenchel: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fenchel", abstract: "Zach (2021), Bilevel Programs Meet Deep Learning, Fig. 1: BP vs Fenchel BP (several τ) from Glorot and all-negative initialisation.")
    @OptionGroup var common: CommonOptions
    @Option(help: "Comma-separated τ values (per-example convention; the authors' Julia code's β = 50·τ).")
    var taus = FenchelExperiment.defaultTaus.map { String($0) }.joined(separator: ",")

    func run() throws {
        let started = Date()
        let list = try taus.split(separator: ",").map { s -> Float in
            guard let t = Float(s.trimmingCharacters(in: .whitespaces)), t > 0 else { throw ValidationError("--taus: '\(s)' is not a positive number") }
            return t
        }
        let (settings, train, test) = try common.prepare("fenchel", defaults: FenchelExperiment.defaults, quickTrainCount: 6000)
        try common.finish(try FenchelExperiment.run(train: train, test: test, settings: settings, taus: list),
                          name: "fenchel", started: started)
    }
}

struct Lifted: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lifted", abstract: "Zach & Estellers (2019), Contrastive Learning for Lifted Networks, Table 1: BP vs contrastive vs standard lifted networks, 784-64-64-64-10.")
    @OptionGroup var common: CommonOptions
    @Option(help: "Feedback weight γ.")
    var gamma: Float = 0.125
    @Option(help: "Coordinate-descent sweeps per inference.")
    var sweeps = 15

    func run() throws {
        let started = Date()
        let (settings, train, test) = try common.prepare("lifted", defaults: LiftedExperiment.defaults, quickTrainCount: 3000, quickTestCount: 2000)
        try common.finish(try LiftedExperiment.run(train: train, test: test, settings: settings, gamma: gamma, sweeps: sweeps),
                          name: "lifted", started: started)
    }
}

struct Bregman: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bregman", abstract: "Frecon, Salzo & Pontil, Bilevel Learning of Deep Representations, Table 2 (MLP rows): standard / Euclidean / Bregman FFNN, 1 and 3 hidden layers of 784.")
    @OptionGroup var common: CommonOptions
    @Option(help: "Adam learning rate.")
    var learningRate: Float = 1e-3
    @Option(help: "Batch size.")
    var batchSize = 100

    func run() throws {
        let started = Date()
        let (settings, train, test) = try common.prepare("bregman", defaults: BregmanExperiment.defaults, quickTrainCount: 5000,
                                                         scaling: .openUnit)
        try common.finish(try BregmanExperiment.run(train: train, test: test, settings: settings,
                                                    learningRate: learningRate, batchSize: batchSize),
                          name: "bregman", started: started)
    }
}

struct MNISTMLP: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mnist-mlp",
        abstract: "Reproduce the source papers' MLP experiments on MNIST.",
        discussion: """
        Build with -c release. Each subcommand prints a markdown table (ours beside the paper's) and writes a CSV. \
        The MNIST idx files are read from --data-dir, else from the mnist folder of $DUALPROP_DATA_DIR, else of \
        ~/.cache/dualprop.

        """ + MNISTOptionRanges.helpText,
        version: "mnist-mlp \(Runtime.version)",
        subcommands: [DPAlpha.self, DPStability.self, Fenchel.self, Lifted.self, Bregman.self])
}

MNISTMLP.main()
