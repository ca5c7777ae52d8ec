import Foundation
import XCTest
import DualProp
import DualPropData
import DualPropTraining

/// Command-line conventions shared by the tools: `--version`, help without references to
/// documents users lack, `cifar-vgg evaluate`, the per-step log, ASCII spellings of Greek
/// letters, and no empty run directory after a failed start.
final class CLIConventionTests: XCTestCase {
    /// A run of a few seconds: 1/16 width, 60 synthetic images, 3 steps per epoch, 2 epochs.
    let tiny = ["--width-multiplier", "0.0625", "--train-limit", "60", "--test-limit", "20", "--batch-size", "20",
                "--epochs", "2", "--decay-epochs", "2", "--threads", "1", "--no-progress"]

    func train(_ args: [String], output: String) throws -> TrainingSummary {
        let cmd = try XCTUnwrap(TestSupport.command(args + ["--output", output]))
        return try Trainer.run(cmd.resolved(), options: TrainerOptions(output: output, printSummaries: false))
    }

    /// An executable of this package built beside `cifar-vgg`, or an XCTSkip.
    func sibling(_ name: String) throws -> String {
        let p = URL(fileURLWithPath: try TestSupport.executable()).deletingLastPathComponent().appendingPathComponent(name).path
        guard FileManager.default.isExecutableFile(atPath: p) else { throw XCTSkip("\(name) not built beside cifar-vgg (\(p))") }
        return p
    }

    func testVersionOnEveryExecutable() throws {
        for name in ["cifar-vgg", "mnist-mlp", "ck-bench", "dualprop-bench"] {
            let exe: String
            do { exe = try sibling(name) } catch { print("skipped --version of \(name): \(error)"); continue }
            let r = try TestSupport.runProcess(exe, ["--version"])
            XCTAssertEqual(r.status, 0, "\(name) --version: \(r.output)")
            XCTAssertEqual(r.output.trimmingCharacters(in: .whitespacesAndNewlines), "\(name) \(Runtime.version)")
        }
        XCTAssertTrue(CifarVGG.helpMessage().contains("--version"))
    }

    func testHelpCitesNoInternalDocumentsAndShowsEveryOption() {
        // Help is wrapped at the terminal width: compare with single spaces.
        let texts = [CifarVGG.helpMessage(), CifarVGG.helpMessage(for: CifarVGG.Evaluate.self),
                     CifarVGG.helpMessage(for: CifarVGG.Plot.self)].map { $0.split(whereSeparator: \.isWhitespace).joined(separator: " ") }
        for text in texts {
            for banned in ["SPEC", "seed 00", "Seed 00", "../shared", "shared/data"] {
                XCTAssertFalse(text.contains(banned), "help cites \"\(banned)\": \(text)")
            }
        }
        let help = texts[0]
        for phrase in ["--checkpoint-every", "evaluate", "steps.jsonl", "DUALPROP_DATA_DIR", "Høier & Zach (2024"] {
            XCTAssertTrue(help.contains(phrase), "--help should mention \(phrase)")
        }
        XCTAssertFalse(help.contains("--silent"), "--silent is a hidden alias")
    }

    func testGreekLettersHaveASCIISpellings() throws {
        for word in ["dpT", "dpt", "DPT", "dp⊤", "DP⊤"] {
            XCTAssertEqual(TestSupport.command(["--method", word])?.method, .dpT, word)
        }
        XCTAssertEqual(TestSupport.command(["--method", "dp"])?.method, .dp)
        XCTAssertEqual(TestSupport.command(["--silent"])?.silent, true, "--silent stays accepted")
    }

    func testEvaluateReproducesTheRunsTestResult() throws {
        let out = TestSupport.temporaryDirectory() + "/run"
        let summary = try train(tiny + ["--method", "bp"], output: out)
        let e = try RunEvaluation.run(runDirectory: out)
        XCTAssertEqual(e.images, 20)
        XCTAssertEqual(e.top1, summary.test.top1, accuracy: 1e-12, "evaluate tests the same best model on the same images")
        XCTAssertEqual(e.top5, summary.test.top5 ?? -1, accuracy: 1e-12)
        XCTAssertEqual(e.loss, summary.test.loss, accuracy: 1e-9)
        XCTAssertTrue(e.weightsFile.hasSuffix("best.safetensors"))
        let last = try RunEvaluation.run(runDirectory: out, weights: .last, testLimit: 10)
        XCTAssertEqual(last.images, 10)
        XCTAssertTrue(last.weightsFile.hasSuffix("last.safetensors"))
        // Through the executable: prints top-1 and top-5.
        if let exe = try? TestSupport.executable() {
            let r = try TestSupport.runProcess(exe, ["evaluate", out, "--threads", "1"])
            XCTAssertEqual(r.status, 0, r.output)
            XCTAssertTrue(r.output.contains("top-1 ") && r.output.contains("top-5 "), r.output)
            let bad = try TestSupport.runProcess(exe, ["evaluate", TestSupport.temporaryDirectory()])
            XCTAssertEqual(bad.status, 1)
            XCTAssertTrue(bad.output.contains("config.json") && bad.output.contains("not a cifar-vgg run directory"), bad.output)
        }
        // Another dataset with more classes than the model is refused with both numbers.
        let fixture = TestSupport.fixture("cifar100")
        if FileManager.default.fileExists(atPath: fixture) {
            XCTAssertThrowsError(try RunEvaluation.run(runDirectory: out, dataset: .cifar100, dataDirectory: fixture)) { error in
                XCTAssertTrue("\(error)".contains("classes"), "\(error)")
            }
        }
    }

    func testStepsLogHasOneLinePerStep() throws {
        let out = TestSupport.temporaryDirectory() + "/run"
        let cmd = try XCTUnwrap(TestSupport.command(tiny + ["--method", "bp", "--output", out]))
        _ = try Trainer.run(cmd.resolved(), options: TrainerOptions(output: out, printSummaries: false))
        let lines = try String(contentsOfFile: out + "/steps.jsonl", encoding: .utf8).split(separator: "\n")
        // 60 images, 10% held out: 54 training images in batches of 20 = 3 steps per epoch.
        XCTAssertEqual(lines.count, 6)
        let config = cmd.resolved()
        let schedule = WarmupCosineSchedule(warmupStart: config.warmupLearningRate, peak: config.learningRate,
                                            final: config.learningRateFinal, warmupSteps: config.warmupEpochs * 3,
                                            decaySteps: config.decayEpochs * 3)
        for (i, line) in lines.enumerated() {
            let o = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any], String(line))
            XCTAssertEqual(Set(o.keys), ["step", "epoch", "batch", "loss", "learning_rate", "images_per_second"])
            XCTAssertEqual(o["step"] as? Int, i + 1)
            XCTAssertEqual(o["epoch"] as? Int, i / 3 + 1)
            XCTAssertEqual(o["batch"] as? Int, i % 3 + 1)
            let loss = try XCTUnwrap(o["loss"] as? Double), ips = try XCTUnwrap(o["images_per_second"] as? Double)
            XCTAssertTrue(loss.isFinite && loss > 0 && ips > 0, String(line))
            // %.6g keeps 6 significant digits of the step's learning rate.
            let lr = Double(schedule.learningRate(step: i))
            XCTAssertEqual(try XCTUnwrap(o["learning_rate"] as? Double), lr, accuracy: lr * 1e-5, "step \(i + 1)")
        }
    }

    func testFailedStartLeavesNoEmptyRunDirectory() throws {
        let base = TestSupport.temporaryDirectory()
        let emptyData = TestSupport.temporaryDirectory()  // exists, holds no CIFAR-10 files
        let run = base + "/runs/first"
        var cmd = try XCTUnwrap(TestSupport.command(["--dataset", "cifar10", "--data-dir", emptyData, "--output", run,
                                                     "--epochs", "1", "--no-progress"]))
        XCTAssertThrowsError(try cmd.run())
        XCTAssertFalse(FileManager.default.fileExists(atPath: run), "the failed start left \(run)")
        XCTAssertFalse(FileManager.default.fileExists(atPath: base + "/runs"), "the failed start left the parent it created")
        XCTAssertTrue(FileManager.default.fileExists(atPath: base), "a folder that existed before is kept")
        // An empty directory the user made beforehand is kept too.
        let own = base + "/mine"
        try FileManager.default.createDirectory(atPath: own, withIntermediateDirectories: false)
        cmd = try XCTUnwrap(TestSupport.command(["--dataset", "cifar10", "--data-dir", emptyData, "--output", own, "--no-progress"]))
        XCTAssertThrowsError(try cmd.run())
        XCTAssertTrue(FileManager.default.fileExists(atPath: own))
    }
}
