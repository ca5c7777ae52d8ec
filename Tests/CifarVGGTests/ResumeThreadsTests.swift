import Foundation
import XCTest

/// `--resume` with a different `--threads` than the run used: allowed, but warned about on stderr
/// and in train.log (results are bitwise reproducible for one thread count only); the same
/// count resumes silently.
final class ResumeThreadsTests: XCTestCase {
    let args = ["--method", "bp", "--width-multiplier", "0.0625", "--train-limit", "40", "--test-limit", "20",
                "--batch-size", "20", "--epochs", "1", "--decay-epochs", "1", "--seed", "3", "--no-progress"]

    func testResumeWithOtherThreadCountWarnsAndContinues() throws {
        let exe = try TestSupport.executable()
        let dir = TestSupport.temporaryDirectory() + "/run"
        let first = try TestSupport.runProcess(exe, args + ["--threads", "1", "--output", dir])
        XCTAssertEqual(first.status, 0, first.output)
        XCTAssertEqual(try String(contentsOfFile: dir + "/threads.txt", encoding: .utf8), "1\n")

        let same = try TestSupport.runProcess(exe, args + ["--threads", "1", "--output", dir, "--resume"])
        XCTAssertEqual(same.status, 0, same.output)
        XCTAssertFalse(same.output.contains("kernel threads"), same.output)

        let other = try TestSupport.runProcess(exe, args + ["--threads", "3", "--output", dir, "--resume"])
        XCTAssertEqual(other.status, 0, other.output)
        let warning = "warning: resumed with 3 kernel threads, the run used 1 so far: results are no longer bit-identical"
        XCTAssertTrue(other.output.contains(warning), other.output)
        let log = try String(contentsOfFile: dir + "/train.log", encoding: .utf8)
        XCTAssertTrue(log.contains(warning), log)
        XCTAssertEqual(try String(contentsOfFile: dir + "/threads.txt", encoding: .utf8), "3\n")
    }
}
