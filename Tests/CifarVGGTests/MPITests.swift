import Foundation
import XCTest
import DualPropData
import DualPropTraining

/// `mpirun -np 2 cifar-vgg` on the synthetic data at 1/16 width, against the 1-process run with
/// the same global batch. Skipped, with a message, where Open MPI's `mpirun` is not installed.
///
/// Tolerances. Both runs take the same images per step (rank r takes positions r, r+2, … of the
/// global batch); what differs is the order in which the per-example gradients are summed (two
/// halves then the allreduce) and the batch size the kernels see. Weights are compared through
/// the update `w − w₀`: the per-tensor relative L2 difference of the updates.
/// - BP, 20 steps: ≤ 1e-4 (measured 3e-6: float32 rounding of the sums, barely amplified).
/// - DP⊤ sweep, 6 steps (the last batch of 17 shared 9/8), β = 0.5: ≤ 2e-3 (measured 8e-5). DP⊤'s gradient is a finite
///   difference `f(a + ᾱv) − f(a − αv)` of size ~β·g on states of size ~1, so one-ulp differences
///   of `a` move each δ by ~1e-7/β relatively, and a kink or pool switch that a ulp moves changes
///   it outright; training amplifies that (measured 0.04 after 8 steps, 0.2 after 16 at β = 0.01).
///   The train loss agrees within 1e-3 relative.
final class MPITests: XCTestCase {
    let base = ["--width-multiplier", "0.0625", "--test-limit", "40", "--seed", "3", "--threads", "1", "--no-progress",
                "--warmup-epochs", "0", "--learning-rate", "0.01"]

    func mpirun() throws -> String {
        for dir in ["/usr/bin", "/usr/local/bin", "/opt/openmpi/bin"] where FileManager.default.isExecutableFile(atPath: dir + "/mpirun") {
            return dir + "/mpirun"
        }
        throw XCTSkip("MPI tests SKIPPED: mpirun not found (install openmpi-bin libopenmpi-dev, see scripts/install-deps.sh)")
    }

    /// `mpirun -np ranks cifar-vgg args`; (status, output).
    func runRanks(_ ranks: Int, _ args: [String]) throws -> (status: Int32, output: String) {
        try TestSupport.runProcess(try mpirun(), ["--allow-run-as-root", "--oversubscribe", "-np", String(ranks),
                                                  try TestSupport.executable()] + args)
    }

    func tensors(_ path: String) throws -> [String: [Float]] {
        Dictionary(uniqueKeysWithValues: try SafeTensors.read(from: path).tensors.map { ($0.name, $0.values) })
    }

    /// Per tensor, ‖(a − w₀) − (b − w₀)‖ / ‖a − w₀‖; the largest.
    func updateDifference(_ a: String, _ b: String, initial: String) throws -> (name: String, value: Double) {
        let (x, y, w0) = (try tensors(a), try tensors(b), try tensors(initial))
        var worst = ("", 0.0)
        for (name, xa) in x {
            let (yb, z) = (y[name]!, w0[name]!)
            var num = 0.0, den = 0.0
            for i in xa.indices {
                let u = Double(xa[i] - z[i]), v = Double(yb[i] - z[i])
                num += (u - v) * (u - v); den += u * u
            }
            let r = den > 0 ? (num / den).squareRoot() : num.squareRoot()
            if r > worst.1 { worst = (name, r) }
        }
        return worst
    }

    func rows(_ dir: String) throws -> [MetricRow] {
        try MetricRow.parse(csv: String(contentsOfFile: dir + "/metrics.csv", encoding: .utf8), file: dir)
    }

    /// The initial weights: one step at learning rate 0 (warm-up from 0) leaves them unchanged.
    func initialWeights(_ dir: String) throws -> String {
        let r = try TestSupport.runProcess(try TestSupport.executable(), base.filter { $0 != "--warmup-epochs" && $0 != "0" } +
            ["--method", "bp", "--train-limit", "20", "--percent-val", "0", "--batch-size", "20", "--epochs", "1",
             "--decay-epochs", "1", "--warmup-epochs", "1", "--warmup-learning-rate", "0", "--weight-decay", "0", "--output", dir])
        XCTAssertEqual(r.status, 0, r.output)
        return dir + "/last.safetensors"
    }

    func compare(_ method: [String], steps trainLimit: String, tolerance: Double, lossTolerance: Double) throws {
        _ = try mpirun()
        let dir = TestSupport.temporaryDirectory()
        let args = base + method + ["--train-limit", trainLimit, "--percent-val", "10", "--batch-size", "20", "--epochs", "1",
                                    "--decay-epochs", "1"]
        let one = try TestSupport.runProcess(try TestSupport.executable(), args + ["--output", dir + "/one"])
        XCTAssertEqual(one.status, 0, one.output)
        let two = try runRanks(2, args + ["--output", dir + "/two", "--check-replicas"])
        XCTAssertEqual(two.status, 0, two.output)
        XCTAssertTrue(two.output.contains("2 MPI processes, 10 images each per step"), two.output)
        let log = try String(contentsOfFile: dir + "/two/train.log", encoding: .utf8)
        XCTAssertTrue(log.contains("bitwise identical on all 2 ranks after every step"), log)
        let d = try updateDifference(dir + "/one/last.safetensors", dir + "/two/last.safetensors", initial: try initialWeights(dir + "/w0"))
        print("\(method.joined(separator: " ")): 2 ranks vs 1 process, largest relative update difference \(d.value) (\(d.name))")
        XCTAssertLessThanOrEqual(d.value, tolerance, "weights of \(d.name)")
        let (a, b) = (try rows(dir + "/one"), try rows(dir + "/two"))
        XCTAssertEqual(a.map(\.split), b.map(\.split))
        for (x, y) in zip(a, b) {
            XCTAssertEqual(x.loss, y.loss, accuracy: lossTolerance * abs(x.loss), "\(x.split) loss")
            if x.split == "train" { XCTAssertEqual(x.top1, y.top1, accuracy: 0.02, "train accuracy") }
        }
        // Rank 1 wrote nothing: the run directory is rank 0's alone, and no second one appeared.
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir).sorted(), ["one", "two", "w0"])
    }

    func testBPTwoRanksMatchOneProcess() throws {
        // 440 images − 44 for validation: 20 steps, 19 of 20 images and one of 16.
        try compare(["--method", "bp"], steps: "440", tolerance: 1e-4, lossTolerance: 1e-5)
    }

    func testDPTSweepTwoRanksMatchOneProcess() throws {
        try compare(["--method", "dpT", "--beta", "0.5"], steps: "130", tolerance: 2e-3, lossTolerance: 1e-3)
    }

    /// Killing rank 1 ends the job within seconds with mpirun's message naming the rank; a
    /// 2-rank --resume then ends with the same weights, bit for bit, as an uninterrupted 2-rank
    /// run; a 1-process --resume of that run is refused.
    func testKillOneRankThenResume() throws {
        let mpirun = try mpirun()
        let exe = try TestSupport.executable()
        let dir = TestSupport.temporaryDirectory()
        let args = base + ["--method", "dpT", "--train-limit", "400", "--batch-size", "20", "--epochs", "3", "--decay-epochs", "3",
                           "--checkpoint-every", "4"]
        let full = try runRanks(2, args + ["--output", dir + "/full"])
        XCTAssertEqual(full.status, 0, full.output)

        let p = Process()
        p.executableURL = URL(fileURLWithPath: mpirun)
        p.arguments = ["--allow-run-as-root", "--oversubscribe", "-np", "2", exe] + args + ["--output", dir + "/killed"]
        let pipe = Pipe()
        p.standardOutput = pipe; p.standardError = pipe
        try p.run()
        let deadline = Date().addingTimeInterval(120)
        func epochOneDone() -> Bool {
            ((try? String(contentsOfFile: dir + "/killed/train.log", encoding: .utf8)) ?? "").contains("epoch 1/3  train")
        }
        while p.isRunning && Date() < deadline && !epochOneDone() { usleep(5_000) }
        // Rank 1: the child of mpirun whose environment says so.
        var rank1: pid_t? = nil
        for entry in (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? [] {
            guard let pid = Int32(entry),
                  let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
                  let close = stat.lastIndex(of: ")") else { continue }
            let fields = stat[stat.index(after: close)...].split(separator: " ")
            guard fields.count > 2, Int32(fields[1]) == p.processIdentifier,
                  let env = FileManager.default.contents(atPath: "/proc/\(pid)/environ") else { continue }
            if env.split(separator: 0).contains(where: { String(decoding: $0, as: UTF8.self) == "OMPI_COMM_WORLD_RANK=1" }) { rank1 = pid }
        }
        try XCTSkipIf(!p.isRunning || rank1 == nil, "the 2-rank run finished (or rank 1 was not found) before it could be killed")
        let killedAt = Date()
        kill(rank1!, SIGKILL)
        let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        let seconds = Date().timeIntervalSince(killedAt)
        print("killing rank 1 ended the job after \(String(format: "%.1f", seconds)) s")
        XCTAssertNotEqual(p.terminationStatus, 0)
        XCTAssertLessThan(seconds, 30, "the job did not end within 30 s of a rank's death")
        XCTAssertTrue(output.contains("rank 1"), output)

        let refused = try TestSupport.runProcess(exe, args + ["--output", dir + "/killed", "--resume"])
        XCTAssertEqual(refused.status, 64, refused.output)
        XCTAssertTrue(refused.output.contains("trained by 2 processes"), refused.output)

        let resumed = try runRanks(2, args + ["--output", dir + "/killed", "--resume"])
        XCTAssertEqual(resumed.status, 0, resumed.output)
        XCTAssertTrue(resumed.output.contains("resumed"), resumed.output)
        for f in ["last.safetensors", "best.safetensors", "last-state.safetensors"] {
            let (a, b) = (try tensors(dir + "/full/" + f), try tensors(dir + "/killed/" + f))
            XCTAssertEqual(a.mapValues { $0.map(\.bitPattern) }, b.mapValues { $0.map(\.bitPattern) }, "\(f) differs after the 2-rank resume")
        }
    }

    /// A non-finite loss stops every rank with one message naming the ranks and exit code 3.
    func testNonFiniteLossStopsEveryRank() throws {
        let dir = TestSupport.temporaryDirectory()
        let r = try runRanks(2, base.filter { $0 != "0.01" && $0 != "--learning-rate" } +
                             ["--method", "dpT", "--train-limit", "200", "--batch-size", "20", "--epochs", "2", "--decay-epochs", "2",
                              "--learning-rate", "100", "--output", dir + "/run"])
        XCTAssertEqual(r.status, Trainer.nonFiniteExitCode, r.output)
        XCTAssertTrue(r.output.contains("on ranks 0, 1 of 2") || r.output.contains("on rank "), r.output)
        XCTAssertTrue(r.output.contains("not finite") || r.output.contains("nan"), r.output)
    }

    /// A global batch the ranks cannot share is refused before MPI starts.
    func testBatchMustDivideByRanks() throws {
        let r = try runRanks(2, base + ["--method", "bp", "--batch-size", "15", "--output", TestSupport.temporaryDirectory() + "/run"])
        XCTAssertNotEqual(r.status, 0)
        XCTAssertTrue(r.output.contains("must be divisible by the 2 MPI processes"), r.output)
    }
}
