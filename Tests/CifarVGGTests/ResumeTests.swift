import Foundation
import XCTest
import DualPropData
import DualPropTraining

/// A run killed with SIGKILL and continued with --resume ends with the same weights, bit for bit,
/// as an uninterrupted run with the same seed and thread count. Both runs are the real
/// executable, so the kill lands wherever the process happens to be (often mid-write of a
/// checkpoint, which the atomic writes must survive).
final class ResumeTests: XCTestCase {
    /// 3 epochs of 6 steps at 1/16 width; a checkpoint every 2 steps so a kill mid-epoch resumes
    /// mid-epoch.
    let args = ["--method", "dpT", "--alpha", "0.5", "--beta", "0.05", "--width-multiplier", "0.0625", "--train-limit", "130",
                "--test-limit", "20", "--batch-size", "20", "--epochs", "3", "--decay-epochs", "3", "--threads", "2",
                "--seed", "5", "--checkpoint-every", "2", "--no-progress"]

    func weights(_ path: String) throws -> [String: [UInt32]] {
        Dictionary(uniqueKeysWithValues: try SafeTensors.read(from: path).tensors.map { ($0.name, $0.values.map(\.bitPattern)) })
    }

    func testSIGKILLThenResumeMatchesUninterruptedRun() throws {
        let exe = try TestSupport.executable()
        let base = TestSupport.temporaryDirectory()
        let (a, b) = (base + "/uninterrupted", base + "/killed")
        let full = try TestSupport.runProcess(exe, args + ["--output", a])
        XCTAssertEqual(full.status, 0, full.output)

        // Start the second run and kill it once it has written a mid-run checkpoint.
        var killedAt = ""
        for attempt in 0..<3 {
            try? FileManager.default.removeItem(atPath: b)
            let p = Process()
            p.executableURL = URL(fileURLWithPath: exe)
            p.arguments = args + ["--output", b]
            p.standardOutput = FileHandle.nullDevice; p.standardError = FileHandle.nullDevice
            try p.run()
            // Wait for the end of epoch 1 (its summary is in the log), then kill inside epoch 2.
            let deadline = Date().addingTimeInterval(60)
            func epochOneDone() -> Bool {
                ((try? String(contentsOfFile: b + "/train.log", encoding: .utf8)) ?? "").contains("epoch 1/3  train")
            }
            while p.isRunning && Date() < deadline && !epochOneDone() { usleep(2_000) }
            usleep([60_000, 25_000, 5_000][attempt])  // mid-epoch 2 if possible; shorter when the run outpaced us
            if p.isRunning {
                kill(p.processIdentifier, SIGKILL)
                p.waitUntilExit()
                XCTAssertEqual(p.terminationReason, .uncaughtSignal)
                let log = (try? String(contentsOfFile: b + "/train.log", encoding: .utf8)) ?? ""
                killedAt = "\(log.components(separatedBy: "\n").filter { $0.hasPrefix("epoch") }.count) epochs logged"
                break
            }
            p.waitUntilExit()
        }
        try XCTSkipIf(killedAt.isEmpty, "the run finished before it could be killed three times; machine too fast for this test size")
        // The killed run's last checkpoint must be older than the final state.
        let resumed = try TestSupport.runProcess(exe, args + ["--output", b, "--resume"])
        XCTAssertEqual(resumed.status, 0, resumed.output)
        XCTAssertTrue(resumed.output.contains("resumed") || resumed.output.contains("no checkpoint yet"), resumed.output)
        print("killed after \(killedAt); resume said: \(resumed.output.split(separator: "\n").first ?? "")")

        for f in ["last.safetensors", "best.safetensors", "last-state.safetensors"] {
            XCTAssertEqual(try weights(a + "/" + f), try weights(b + "/" + f), "\(f) differs after resume")
        }
        // Same metrics apart from timings.
        func outcome(_ dir: String) throws -> [String] {
            try MetricRow.parse(csv: String(contentsOfFile: dir + "/metrics.csv", encoding: .utf8), file: dir)
                .map { "\($0.epoch) \($0.split) \($0.loss) \($0.top1) \($0.top5 ?? -1) \($0.learningRate)" }
        }
        XCTAssertEqual(try outcome(a), try outcome(b))
        // steps.jsonl: the resumed run's per-step log equals the uninterrupted one's (the steps
        // redone after the kill replace the lost ones; none appears twice).
        func steps(_ dir: String) throws -> [String] {
            try String(contentsOfFile: dir + "/steps.jsonl", encoding: .utf8).split(separator: "\n").map { line in
                let o = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any], String(line))
                return "\(o["step"]!) \(o["epoch"]!) \(o["batch"]!) \(o["loss"]!) \(o["learning_rate"]!)"
            }
        }
        XCTAssertEqual(try steps(a), try steps(b))
        XCTAssertEqual(try steps(a).count, 3 * 6)
        // No temporary files left behind by the atomic writes that completed.
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: a).filter { $0.contains(".tmp-") }
        XCTAssertEqual(leftovers, [])
    }

    func testResumeRefusesOtherSettings() throws {
        let out = TestSupport.temporaryDirectory() + "/run"
        let tiny = ["--width-multiplier", "0.0625", "--train-limit", "40", "--test-limit", "10", "--batch-size", "20",
                    "--epochs", "1", "--decay-epochs", "1", "--threads", "1", "--no-progress"]
        _ = try Trainer.run(TestSupport.command(tiny + ["--output", out])!.resolved(), options: TrainerOptions(output: out, printSummaries: false))
        var message = ""
        do {
            _ = try Trainer.run(TestSupport.command(tiny + ["--output", out, "--seed", "3", "--resume"])!.resolved(),
                                options: TrainerOptions(output: out, resume: true, printSummaries: false))
        } catch { message = "\(error)" }
        XCTAssertTrue(message.contains("cannot resume") && message.contains("seed: 0 → 3") && message.contains("config.json"), message)
        // Resuming a finished run with the same settings only repeats the final test.
        let again = try Trainer.run(TestSupport.command(tiny + ["--output", out, "--resume"])!.resolved(),
                                    options: TrainerOptions(output: out, resume: true, printSummaries: false))
        XCTAssertEqual(again.history.filter { $0.split == "test" }.count, 1)
    }
}
