import Foundation
import XCTest
import DualProp
import DualPropData
import DualPropTraining

/// End-to-end runs on tiny configurations: the run directory's files, checkpoints in PyTorch
/// layout, the NaN stop, the plot, and exact resumption after SIGKILL.
final class RunTests: XCTestCase {
    /// A run of a few seconds: 1/16 width, 60 synthetic images, 3 steps per epoch.
    let tiny = ["--width-multiplier", "0.0625", "--train-limit", "60", "--test-limit", "20", "--batch-size", "20",
                "--epochs", "2", "--decay-epochs", "2", "--threads", "1", "--no-progress"]

    func train(_ args: [String], output: String) throws -> TrainingSummary {
        let cmd = try XCTUnwrap(TestSupport.command(args + ["--output", output]))
        return try Trainer.run(cmd.resolved(), options: TrainerOptions(output: output, printSummaries: false))
    }

    func testRunDirectoryHoldsEveryFile() throws {
        let out = TestSupport.temporaryDirectory() + "/run"
        let summary = try train(tiny + ["--method", "dpT", "--alpha", "0", "--beta", "0.1", "--check-gradients"], output: out)
        for f in ["config.json", "split.json", "metrics.csv", "train.log", "curves.svg", "last.safetensors",
                  "best.safetensors", "last-state.safetensors", "gradient-cosines.csv"] {
            XCTAssertTrue(FileManager.default.fileExists(atPath: out + "/" + f), "missing \(f)")
        }
        // metrics.csv: train and val rows per epoch, then the test row of the best epoch.
        let text = try String(contentsOfFile: out + "/metrics.csv", encoding: .utf8)
        let rows = try MetricRow.parse(csv: text, file: "metrics.csv")
        XCTAssertEqual(rows.map(\.split), ["train", "val", "train", "val", "test"])
        XCTAssertEqual(rows.map(\.epoch), [1, 1, 2, 2, summary.bestEpoch])
        XCTAssertEqual(rows.last?.top1 ?? -1, summary.test.top1, accuracy: 1e-6)
        XCTAssertEqual(rows.last?.loss ?? -1, summary.test.loss, accuracy: 1e-6)
        XCTAssertEqual(summary.test.top5.map { $0 >= summary.test.top1 }, true)
        // The best checkpoint has torchvision's VGG16 names and PyTorch layouts.
        let (tensors, metadata) = try SafeTensors.read(from: out + "/best.safetensors")
        let byName = Dictionary(uniqueKeysWithValues: tensors.map { ($0.name, $0.shape) })
        XCTAssertEqual(byName["features.0.weight"], [4, 3, 3, 3], "conv weights are OIHW")
        XCTAssertEqual(byName["features.28.bias"], [32])
        XCTAssertEqual(byName["classifier.0.weight"], [256, 32], "linear weights are [out, in]")
        XCTAssertEqual(byName["classifier.6.weight"], [10, 256])
        XCTAssertEqual(tensors.count, 32)
        // Reloading the checkpoint reproduces the tested model's test accuracy.
        let cmd = try XCTUnwrap(TestSupport.command(tiny + ["--method", "dpT", "--alpha", "0", "--beta", "0.1"]))
        XCTAssertEqual(metadata["config_hash"], cmd.resolved().hash)
        var net = cmd.resolved().initialNetwork()
        try net.loadPyTorchParameters(Dictionary(uniqueKeysWithValues: tensors.map { ($0.name, Tensor(shape: $0.shape, values: $0.values)) }))
        let data = try TrainingData.load(cmd.resolved())
        let batch = BatchAssembler(normalization: data.normalization).assemble(from: data.test, indices: Array(0..<data.test.count), epoch: 0)
        let e = try Evaluation(net, input: Tensor(shape: batch.shape, values: batch.values), labels: batch.labels)
        XCTAssertEqual(Double(e.top1) / Double(e.count), summary.test.top1, accuracy: 1e-12)
        // The log and the cosines file say what happened.
        let log = try String(contentsOfFile: out + "/train.log", encoding: .utf8)
        XCTAssertTrue(log.contains("epoch 2/2") && log.contains("test (best-validation model"), log)
        let cosines = try String(contentsOfFile: out + "/gradient-cosines.csv", encoding: .utf8).split(separator: "\n")
        XCTAssertEqual(cosines.count, 3)
        XCTAssertTrue(cosines[0].hasPrefix("epoch,features.0,"))
    }

    func testParametersRoundTripThroughPyTorchLayout() throws {
        let net = Sequential.vgg16(classes: 10, widthMultiplier: 0.0625, seed: 7)
        var other = Sequential.vgg16(classes: 10, widthMultiplier: 0.0625, seed: 8)
        let tensors = try net.pytorchParameters()
        try other.loadPyTorchParameters(Dictionary(uniqueKeysWithValues: tensors.map { ($0.name, $0.tensor) }))
        for (a, b) in zip(net.parameters, other.parameters) {
            XCTAssertEqual(a.weight.scalars.map(\.bitPattern), b.weight.scalars.map(\.bitPattern), a.name)
            XCTAssertEqual(a.bias.scalars.map(\.bitPattern), b.bias.scalars.map(\.bitPattern), a.name)
        }
        var broken = Dictionary(uniqueKeysWithValues: tensors.map { ($0.name, $0.tensor) })
        broken["features.2.weight"] = Tensor(shape: [1, 2, 3, 3])
        XCTAssertThrowsError(try other.loadPyTorchParameters(broken)) { e in
            XCTAssertTrue("\(e)".contains("features.2.weight") && "\(e)".contains("shape"), "\(e)")
        }
        broken["features.2.weight"] = nil
        XCTAssertThrowsError(try other.loadPyTorchParameters(broken)) { e in XCTAssertTrue("\(e)".contains("missing"), "\(e)") }
    }

    func testRealFormatFixtureRun() throws {
        // The committed CIFAR-10 fixture (official binary layout, 60 training images).
        let out = TestSupport.temporaryDirectory() + "/run"
        let summary = try train(["--dataset", "cifar10", "--data-dir", TestSupport.fixture("cifar10"), "--method", "fbp", "--warmup-epochs", "1"] + tiny, output: out)
        XCTAssertEqual(summary.test.split, "test")
        let config = try String(contentsOfFile: out + "/config.json", encoding: .utf8)
        XCTAssertTrue(config.contains("\"trainImages\" : 54") && config.contains("\"validationImages\" : 6"), config)
        XCTAssertTrue(config.contains("0.4914"), "CIFAR-10 normalisation recorded: \(config)")
    }

    func testNonFiniteLossStopsAndKeepsTheLastGoodCheckpoint() throws {
        let out = TestSupport.temporaryDirectory() + "/run"
        // Step 1 uses the warm-up start 0.001 (good, checkpointed every step); the LR then explodes
        // (100, the largest --learning-rate accepted, diverges within the epoch).
        let args = tiny + ["--method", "bp", "--warmup-epochs", "1", "--learning-rate", "100", "--checkpoint-every", "1"]
        var message = "", code: Int32 = 0
        do { _ = try train(args, output: out) } catch let e as TrainingError { message = e.description; code = e.exitCode }
        XCTAssertEqual(code, Trainer.nonFiniteExitCode, message)
        XCTAssertTrue(message.hasPrefix("stopped: ") && message.contains("epoch 1"), message)
        XCTAssertTrue(message.contains("last good checkpoint is kept") && message.contains("last.safetensors"), message)
        let (tensors, _) = try SafeTensors.read(from: out + "/last.safetensors")
        XCTAssertTrue(tensors.allSatisfy { $0.values.allSatisfy(\.isFinite) }, "the kept checkpoint must be finite")
        XCTAssertTrue(try String(contentsOfFile: out + "/train.log", encoding: .utf8).contains("error: stopped:"))
    }

    func testPlotCommand() throws {
        let dir = TestSupport.temporaryDirectory()
        let rows = [MetricRow(epoch: 1, split: "train", loss: 2.3, top1: 0.1, top5: nil, learningRate: 0.01, imagesPerSecond: 100, wallSeconds: 1),
                    MetricRow(epoch: 1, split: "val", loss: 2.2, top1: 0.2, top5: 0.6, learningRate: 0.01, imagesPerSecond: 100, wallSeconds: 2),
                    MetricRow(epoch: 2, split: "train", loss: 1.9, top1: 0.3, top5: nil, learningRate: 0.01, imagesPerSecond: 100, wallSeconds: 3),
                    MetricRow(epoch: 2, split: "val", loss: 1.8, top1: 0.35, top5: 0.8, learningRate: 0.01, imagesPerSecond: 100, wallSeconds: 4),
                    MetricRow(epoch: 2, split: "test", loss: 1.8, top1: 0.33, top5: 0.8, learningRate: 0, imagesPerSecond: 100, wallSeconds: 5)]
        let csv = ([MetricRow.header] + rows.map(\.csv)).joined(separator: "\n") + "\n"
        try csv.write(toFile: dir + "/metrics.csv", atomically: true, encoding: .utf8)
        XCTAssertEqual(try MetricRow.parse(csv: csv, file: "m"), rows)
        let plot = try XCTUnwrap(try CifarVGG.parseAsRoot(["plot", dir]) as? CifarVGG.Plot)
        try plot.run()
        let svg = try String(contentsOfFile: dir + "/curves.svg", encoding: .utf8)
        XCTAssertTrue(svg.hasPrefix("<svg") && svg.contains("<polyline") && svg.contains("<circle") && svg.hasSuffix("</svg>\n"))
        // A file that is not a metrics file is refused with its name.
        try "hello\n".write(toFile: dir + "/metrics.csv", atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try CurvePlot.write(metrics: dir + "/metrics.csv", to: dir + "/x.svg")) { e in
            XCTAssertTrue("\(e)".contains("metrics.csv") && "\(e)".contains("not a cifar-vgg metrics file"), "\(e)")
        }
    }
}

/// The CIFAR-10 stand-in of ../shared/data (official binary layout) loads unchanged through the
/// driver; skipped with a message when the shared data folder is absent.
final class SharedDataTests: XCTestCase {
    func testStandInLoadsUnchanged() throws {
        guard let dir = DataLocation.dataset("cifar10-standin", alsoTrying: [TestSupport.packageRoot + "/../shared/data"]) else {
            throw XCTSkip("cifar10-standin not found (looked in \(DataLocation.searchDescription(for: "cifar10-standin")) and \(TestSupport.packageRoot)/../shared/data); skipping")
        }
        let cmd = try XCTUnwrap(TestSupport.command(["--dataset", "cifar10", "--data-dir", dir, "--train-limit", "1000", "--test-limit", "300"]))
        let data = try TrainingData.load(cmd.resolved())
        XCTAssertEqual(data.train.count, 1000); XCTAssertEqual(data.test.count, 300)
        XCTAssertEqual(data.split.validation.count, 100); XCTAssertEqual(data.split.train.count, 900)
        XCTAssertEqual(data.normalization, .cifar10)
        XCTAssertEqual(data.train.classNames.first, "airplane")
        XCTAssertTrue(data.train.labels.allSatisfy { (0..<10).contains($0) })
    }
}
