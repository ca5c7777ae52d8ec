import XCTest
import DualPropTraining

/// `validate()` refuses impossible settings with a message naming the option, and exit code 64
/// (EX_USAGE); the recipes fill in the paper's values.
final class ValidationTests: XCTestCase {
    func assertRefused(_ args: [String], mentions: String..., file: StaticString = #filePath, line: UInt = #line) {
        guard let r = TestSupport.refusal(args) else {
            XCTFail("\(args) was accepted", file: file, line: line); return
        }
        for m in mentions { XCTAssertTrue(r.message.contains(m), "message for \(args) should mention '\(m)': \(r.message)", file: file, line: line) }
        XCTAssertEqual(r.code, 64, "usage errors exit with 64: \(r.message)", file: file, line: line)
    }

    func testRejectsImpossibleValues() {
        assertRefused(["--alpha", "1.5"], mentions: "--alpha", "[0, 1]", "1.5")
        assertRefused(["--alpha=-0.1"], mentions: "--alpha", "[0, 1]")
        assertRefused(["--beta", "0"], mentions: "--beta", "> 0")
        assertRefused(["--beta=-1"], mentions: "--beta", "> 0")
        assertRefused(["--method", "fbp", "--tau", "0"], mentions: "--tau", "> 0")
        assertRefused(["--method", "bp", "--alpha", "0.5"], mentions: "--alpha", "dp or dpT")
        assertRefused(["--method", "dpT", "--tau", "0.1"], mentions: "--tau", "fbp")
        assertRefused(["--method", "backprop"], mentions: "method", "backprop")
        assertRefused(["--epochs", "0"], mentions: "--epochs", "≥ 1")
        assertRefused(["--batch-size", "0"], mentions: "--batch-size")
        assertRefused(["--learning-rate", "0"], mentions: "--learning-rate", "> 0")
        assertRefused(["--learning-rate", "nan"], mentions: "--learning-rate")
        assertRefused(["--weight-decay=-1"], mentions: "--weight-decay", "≥ 0")
        assertRefused(["--momentum", "1"], mentions: "--momentum", "[0, 1)")
        assertRefused(["--warmup-epochs", "9", "--decay-epochs", "3"], mentions: "--warmup-epochs", "--decay-epochs")
        assertRefused(["--percent-val", "100"], mentions: "--percent-val", "[0, 100)")
        assertRefused(["--width-multiplier", "0"], mentions: "--width-multiplier")
        assertRefused(["--train-limit", "0"], mentions: "--train-limit")
        assertRefused(["--threads", "0"], mentions: "--threads")
        assertRefused(["--inference-passes", "4"], mentions: "--inference-passes", "forward-passes")
        assertRefused(["--inference-schedule", "forward-passes", "--inference-passes", "0"], mentions: "--inference-passes", "≥ 1")
        assertRefused(["--method", "bp", "--inference-schedule", "sweep"], mentions: "--inference-schedule")
        assertRefused(["--resume"], mentions: "--resume", "--output")
        assertRefused(["--method", "bp", "--check-gradients"], mentions: "--check-gradients")
    }

    func testRejectsMissingOrWrongDataDirectory() throws {
        assertRefused(["--dataset", "cifar10"], mentions: "--dataset cifar10", "--data-dir")
        let missing = TestSupport.temporaryDirectory() + "/does-not-exist"
        assertRefused(["--dataset", "cifar10", "--data-dir", missing], mentions: missing, "no such directory")
        let file = TestSupport.temporaryDirectory() + "/plain-file"
        _ = FileManager.default.createFile(atPath: file, contents: Data([1]))
        assertRefused(["--dataset", "cifar100", "--data-dir", file], mentions: file, "not a directory")
        assertRefused(["--data-dir", TestSupport.temporaryDirectory()], mentions: "--data-dir", "cifar10")
    }

    func testRecipes() throws {
        let dir = TestSupport.temporaryDirectory()
        let c10 = try XCTUnwrap(TestSupport.command(["--dataset", "cifar10", "--data-dir", dir])).resolved()
        XCTAssertEqual([c10.epochs, c10.decayEpochs, c10.warmupEpochs, c10.batchSize], [130, 120, 10, 100])
        XCTAssertEqual([c10.learningRate, c10.learningRateFinal, c10.warmupLearningRate, c10.momentum, c10.weightDecay],
                       [0.025, 2e-6, 0.001, 0.9, 5e-4])
        XCTAssertEqual(c10.percentVal, 10); XCTAssertEqual(c10.widthMultiplier, 1); XCTAssertEqual(c10.initialization, .lecun)
        XCTAssertNil(c10.trainLimit)
        let c100 = try XCTUnwrap(TestSupport.command(["--dataset", "cifar100", "--data-dir", dir])).resolved()
        XCTAssertEqual([c100.epochs, c100.decayEpochs, c100.batchSize], [200, 190, 50]); XCTAssertEqual(c100.learningRate, 0.015)
        XCTAssertEqual(c100.classes, 100)
        let i32 = try XCTUnwrap(TestSupport.command(["--dataset", "imagenet32", "--data-dir", dir])).resolved()
        XCTAssertEqual([i32.epochs, i32.decayEpochs, i32.batchSize], [130, 120, 250]); XCTAssertEqual(i32.learningRate, 0.02)
        XCTAssertEqual(i32.percentVal, 5); XCTAssertEqual(i32.classes, 1000)
        // Explicit flags override the recipe; the method decides which rule parameters exist.
        let custom = try XCTUnwrap(TestSupport.command(["--method", "dpT", "--alpha", "0", "--beta", "0.1", "--dataset", "cifar10",
                                                        "--data-dir", dir, "--epochs", "3", "--inference-schedule", "forward-passes"])).resolved()
        XCTAssertEqual(custom.epochs, 3); XCTAssertEqual(custom.alpha, 0); XCTAssertEqual(custom.beta, 0.1)
        XCTAssertEqual(custom.inferenceSchedule, .forwardPasses); XCTAssertEqual(custom.inferencePasses, 16)
        let bp = try XCTUnwrap(TestSupport.command(["--method", "bp"])).resolved()
        XCTAssertNil(bp.alpha); XCTAssertNil(bp.beta); XCTAssertNil(bp.inferenceSchedule)
        XCTAssertEqual(try XCTUnwrap(TestSupport.command(["--method", "dpt"])).method, .dpT, "method names ignore case")
        // The synthetic default is short and reduced.
        let syn = try XCTUnwrap(TestSupport.command([])).resolved()
        XCTAssertEqual(syn.dataset, .synthetic); XCTAssertEqual(syn.method, .dpT)
        XCTAssertLessThan(syn.widthMultiplier, 1); XCTAssertNotNil(syn.trainLimit)
    }

    func testConfigHashIgnoresPathsAndThreads() throws {
        let a = try XCTUnwrap(TestSupport.command(["--threads", "1", "--output", "x"])).resolved()
        let b = try XCTUnwrap(TestSupport.command(["--threads", "2", "--output", "y", "--no-progress"])).resolved()
        XCTAssertEqual(a.hash, b.hash)
        let c = try XCTUnwrap(TestSupport.command(["--seed", "1"])).resolved()
        XCTAssertNotEqual(a.hash, c.hash)
        XCTAssertEqual(c.differences(from: a), ["seed: 0 → 1"])
        XCTAssertEqual(a.hash.count, 16)
    }

    func testHelpExplainsEveryFlag() {
        let help = CifarVGG.helpMessage()
        for flag in ["--method", "--alpha", "--beta", "--tau", "--dataset", "--data-dir", "--epochs", "--batch-size",
                     "--learning-rate", "--learning-rate-final", "--warmup-learning-rate", "--warmup-epochs", "--decay-epochs",
                     "--momentum", "--weight-decay", "--inference-schedule", "--inference-passes", "--width-multiplier",
                     "--train-limit", "--percent-val", "--seed", "--threads", "--output", "--resume", "--no-progress",
                     "--check-gradients", "plot"] {
            XCTAssertTrue(help.contains(flag), "--help should explain \(flag)")
        }
    }
}
