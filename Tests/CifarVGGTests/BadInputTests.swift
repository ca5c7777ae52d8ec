import Foundation
import XCTest
import DualPropData
import DualPropTraining

/// Item 6 of the issue: every bad input ends the run with a message naming the file and the
/// problem (never a crash or silent garbage). Each case runs the driver as the command line does.
final class BadInputTests: XCTestCase {
    /// A copy of a committed fixture directory that a test may damage.
    func copyOf(_ fixture: String...) throws -> String {
        let dst = TestSupport.temporaryDirectory() + "/data"
        try FileManager.default.copyItem(atPath: TestSupport.fixture(fixture.joined(separator: "/")), toPath: dst)
        return dst
    }

    func replace(_ dir: String, _ name: String, with badFixture: String) throws {
        try FileManager.default.removeItem(atPath: dir + "/" + name)
        try FileManager.default.copyItem(atPath: TestSupport.fixture("bad", badFixture), toPath: dir + "/" + name)
    }

    /// Runs the training command with `args` and returns the message it fails with.
    func failure(_ args: [String], file: StaticString = #filePath, line: UInt = #line) -> String {
        let output = TestSupport.temporaryDirectory() + "/run"
        guard let cmd = TestSupport.command(args + ["--output", output], file: file, line: line) else { return "" }
        do {
            _ = try Trainer.run(cmd.resolved(), options: TrainerOptions(output: output, printSummaries: false))
            XCTFail("\(args) trained although its input is bad", file: file, line: line)
            return ""
        } catch { return "\(error)" }
    }

    func assertMessage(_ message: String, mentions: String..., file: StaticString = #filePath, line: UInt = #line) {
        for m in mentions { XCTAssertTrue(message.contains(m), "message should mention '\(m)': \(message)", file: file, line: line) }
    }

    let tiny = ["--epochs", "1", "--width-multiplier", "0.0625", "--no-progress"]

    func testMissingFile() throws {
        let dir = try copyOf("cifar10")
        try FileManager.default.removeItem(atPath: dir + "/data_batch_4.bin")
        assertMessage(failure(["--dataset", "cifar10", "--data-dir", dir] + tiny), mentions: "data_batch_4.bin", "missing file")
        let c100 = TestSupport.temporaryDirectory()
        assertMessage(failure(["--dataset", "cifar100", "--data-dir", c100] + tiny), mentions: "train.bin", "missing file")
        let i32 = TestSupport.temporaryDirectory()
        assertMessage(failure(["--dataset", "imagenet32", "--data-dir", i32] + tiny),
                      mentions: "train_data_batch_1.npz", "missing file", "Imagenet32_train_npz.zip")
    }

    func testTruncatedBatch() throws {
        let dir = try copyOf("cifar10")
        try replace(dir, "data_batch_3.bin", with: "cifar10_truncated.bin")
        assertMessage(failure(["--dataset", "cifar10", "--data-dir", dir] + tiny),
                      mentions: "data_batch_3.bin", "wrong size", "3073-byte records")
    }

    func testLabelOutOfRange() throws {
        let dir = try copyOf("cifar10")
        try replace(dir, "test_batch.bin", with: "cifar10_label.bin")
        assertMessage(failure(["--dataset", "cifar10", "--data-dir", dir] + tiny),
                      mentions: "test_batch.bin", "label out of range", "record 2")
        let c100 = try copyOf("cifar100", "cifar-100-binary")
        try replace(c100, "train.bin", with: "cifar100_label.bin")
        assertMessage(failure(["--dataset", "cifar100", "--data-dir", c100] + tiny),
                      mentions: "train.bin", "label out of range", "fine label 100")
    }

    func testWrongNPZMembersAndDTypes() throws {
        for (bad, mentions) in [("npz_member_name.npz", ["missing archive member", "data.npy"]),
                                ("npz_data_dtype.npz", ["train_data_batch_1.npz:data.npy", "wrong dtype", "<f4"]),
                                ("npz_label_dtype.npz", ["train_data_batch_1.npz:labels.npy", "wrong dtype", "<f8"]),
                                ("npz_label_range.npz", ["labels.npy", "label out of range", "1001"])] {
            let dir = try copyOf("imagenet32-npz")
            try replace(dir, "train_data_batch_1.npz", with: bad)
            let message = failure(["--dataset", "imagenet32", "--data-dir", dir] + tiny)
            for m in mentions + ["train_data_batch_1.npz"] {
                XCTAssertTrue(message.contains(m), "\(bad): message should mention '\(m)': \(message)")
            }
        }
    }

    func testUnusableOutputDirectory() throws {
        let base = TestSupport.temporaryDirectory()
        let file = base + "/a-file"
        _ = FileManager.default.createFile(atPath: file, contents: Data("x".utf8))
        let under = file + "/run"
        var message = ""
        do { _ = try RunDirectory.createNew(under) } catch { message = "\(error)" }
        assertMessage(message, mentions: under, "cannot create the run directory")
        message = ""
        do { _ = try RunDirectory.createNew(file) } catch { message = "\(error)" }
        assertMessage(message, mentions: file, "not a directory")
        // Not writable (skipped as root, who may write anywhere).
        let locked = base + "/locked"
        try FileManager.default.createDirectory(atPath: locked, withIntermediateDirectories: false)
        chmod(locked, 0o500)
        defer { chmod(locked, 0o700) }
        if getuid() != 0 {
            message = ""
            do { _ = try RunDirectory.createNew(locked) } catch { message = "\(error)" }
            assertMessage(message, mentions: locked, "cannot write")
        }
        // An existing run is never overwritten silently.
        let used = base + "/used"
        try FileManager.default.createDirectory(atPath: used, withIntermediateDirectories: false)
        _ = FileManager.default.createFile(atPath: used + "/metrics.csv", contents: Data())
        message = ""
        do { _ = try RunDirectory.createNew(used) } catch { message = "\(error)" }
        assertMessage(message, mentions: used, "already exists", "--resume")
        XCTAssertEqual(FileManager.default.contents(atPath: used + "/metrics.csv"), Data())
    }

    func testResumeRefusals() throws {
        let base = TestSupport.temporaryDirectory()
        var message = ""
        do {
            _ = try Trainer.run(TestSupport.command(tiny)!.resolved(), options: TrainerOptions(output: base + "/none", resume: true, printSummaries: false))
        } catch { message = "\(error)" }
        assertMessage(message, mentions: base + "/none", "no such run directory")
        message = ""
        do {
            _ = try Trainer.run(TestSupport.command(tiny)!.resolved(), options: TrainerOptions(output: base, resume: true, printSummaries: false))
        } catch { message = "\(error)" }
        assertMessage(message, mentions: "config.json", "not a cifar-vgg run directory")
    }
}
