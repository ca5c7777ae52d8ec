import Foundation
import XCTest
import DualPropData
import DualPropTraining

/// Issue 17 items 6–8: absurd option values are refused before any work, a run that cannot fit
/// in memory is refused with the estimate, stale temporary files are cleaned, messages say what
/// is wrong in words.
final class HostileOptionsTests: XCTestCase {
    /// These aborted on allocation or ran (practically) forever.
    func testAbsurdValuesAreOutOfRange() {
        for (args, mentions) in [(["--train-limit", "100000000000"], "--train-limit must lie in 1…1281167"),
                                 (["--test-limit", "100000000000"], "--test-limit must lie in 1…1281167"),
                                 (["--inference-schedule", "forward-passes", "--inference-passes", "100000000"], "--inference-passes must lie in 1…1000"),
                                 (["--batch-size", "100000"], "--batch-size must lie in 1…8192"),
                                 (["--epochs", "1000000"], "--epochs must lie in 1…10000"),
                                 (["--learning-rate", "nan"], "--learning-rate must be finite"),
                                 (["--learning-rate=-0.1"], "--learning-rate"),
                                 (["--beta", "inf"], "--beta")] {
            guard let refusal = TestSupport.refusal(args) else { XCTFail("\(args) accepted"); continue }
            XCTAssertTrue(refusal.message.contains(mentions), "\(args): \(refusal.message)")
            XCTAssertEqual(refusal.code, 64, "\(args)")
        }
        XCTAssertNil(TestSupport.refusal(["--train-limit", "1281167", "--test-limit", "50000", "--inference-schedule", "forward-passes", "--inference-passes", "16"]))
        XCTAssertTrue(OptionRanges.helpText.contains("--inference-passes 1…1000"))
    }

    /// `--width-multiplier 8` aborted on allocation on a 24 GiB machine.
    func testMemoryEstimateRefusesWhatCannotFit() throws {
        let wide = try XCTUnwrap(TestSupport.command(["--width-multiplier", "8"])).resolved()
        let estimate = MemoryEstimate(wide)
        XCTAssertGreaterThan(estimate.parameters, 2e9)  // 64 × 14.7M conv + 4096·8 hidden classifier
        XCTAssertThrowsError(try MemoryEstimate.check(wide, available: Double(24 << 30))) { e in
            XCTAssertTrue("\(e)".contains("the run needs ≈") && "\(e)".contains("25.77 GB of memory is available"), "\(e)")
        }
        // The paper's VGG16 (33.6M parameters, 14.7M in the convolutions) on CIFAR-10 fits in 24 GiB.
        let paper = try XCTUnwrap(TestSupport.command(["--dataset", "synthetic", "--width-multiplier", "1", "--batch-size", "100"])).resolved()
        XCTAssertEqual(MemoryEstimate(paper).parameters, Double(paper.initialNetwork().parameterCount))
        XCTAssertNoThrow(try MemoryEstimate.check(paper, available: Double(24 << 30)))
        XCTAssertNotNil(MemoryEstimate.availableBytes())
    }

    func testNegativeValueHint() {
        XCTAssertEqual(CommandLineHints.negativeValue(in: ["--epochs", "2", "--learning-rate", "-0.1"]),
                       "note: a value starting with '-' reads as an option; write --learning-rate=-0.1 to pass -0.1")
        XCTAssertNil(CommandLineHints.negativeValue(in: ["--learning-rate=-0.1", "--no-progress"]))
        XCTAssertNotNil(CommandLineHints.negativeValue(in: ["--alpha", "-inf"]))
    }

    /// `--output FILE/sub` said "NSCocoaErrorDomain error 512".
    func testOutputUnderAFileSaysWhy() throws {
        let base = TestSupport.temporaryDirectory()
        XCTAssertTrue(FileManager.default.createFile(atPath: base + "/file", contents: Data()))
        XCTAssertThrowsError(try RunDirectory.createNew(base + "/file/sub")) { e in
            XCTAssertEqual("\(e)", "output \(base)/file/sub: cannot create the run directory: \(base)/file exists and is not a directory")
        }
    }

    /// `cifar-vgg evaluate` builds the network and split from `config.json`: impossible values in
    /// it must be refused before they are allocated (width 10⁶) or trip a precondition (150 %).
    func testDamagedConfigurationIsRefused() throws {
        let run = TestSupport.temporaryDirectory() + "/run"
        let cmd = try XCTUnwrap(TestSupport.command(["--epochs", "1", "--width-multiplier", "0.0625", "--train-limit", "40",
                                                     "--test-limit", "10", "--no-progress", "--output", run]))
        _ = try Trainer.run(cmd.resolved(), options: TrainerOptions(output: run, printSummaries: false))
        let original = try String(contentsOfFile: run + "/config.json", encoding: .utf8)
        XCTAssertNoThrow(try RunEvaluation.run(runDirectory: run))
        for (from, to, field) in [("\"widthMultiplier\" : 0.0625", "\"widthMultiplier\" : 1000000", "widthMultiplier"),
                                  ("\"percentVal\" : 10", "\"percentVal\" : 150", "percentVal"),
                                  ("\"trainLimit\" : 40", "\"trainLimit\" : -5", "trainLimit")] {
            XCTAssertTrue(original.contains(from), from)
            try original.replacingOccurrences(of: from, with: to).write(toFile: run + "/config.json", atomically: true, encoding: .utf8)
            XCTAssertThrowsError(try RunEvaluation.run(runDirectory: run)) { e in
                XCTAssertTrue("\(e)".contains("config.json: bad configuration: \(field)"), "\(e)")
            }
        }
    }

    /// Interrupted checkpoint writes left `*.tmp-<pid>-<n>` files forever.
    func testStaleTemporaryFilesOfDeadWritersAreRemoved() throws {
        let dir = TestSupport.temporaryDirectory()
        let live = "last-state.safetensors.tmp-\(getpid())-17"
        let names = ["last-state.safetensors.tmp-2147483646-99", "best.safetensors.tmp-2147483645-1", live,
                     "notes.tmp-abc-1", "keep.safetensors"]
        for n in names { XCTAssertTrue(FileManager.default.createFile(atPath: dir + "/" + n, contents: Data([1]))) }
        XCTAssertTrue(FileManager.default.createFile(atPath: dir + "/config.json", contents: Data("{}".utf8)))
        _ = try RunDirectory.openExisting(dir)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir).sorted(),
                       ["config.json", "keep.safetensors", live, "notes.tmp-abc-1"].sorted())
    }
}
