import DualPropKernels
import Foundation

/// Records the kernel thread count of each session of a run, so that `--resume` with a different
/// count can say that the run is no longer bit-identical to an uninterrupted one (static splits
/// make results bitwise reproducible for one thread count, not across counts). It warns; it
/// never refuses.
enum ResumeThreads {
    /// File in the run directory holding the thread count of the latest session (one integer).
    static let file = "threads.txt"

    /// Compares this session's thread count with the one the run last used (when resuming),
    /// warns on stderr and in train.log if they differ, then records this session's count.
    static func noteSession(_ dir: RunDirectory, resumed: Bool, storedRequest: Int?) {
        let now = Runtime.threads
        if resumed, let before = previousCount(dir, storedRequest: storedRequest), before != now {
            let line = "warning: resumed with \(now) kernel threads, the run used \(before) so far: results are no longer bit-identical to an uninterrupted run (GEMM/convolution sums are split differently)"
            FileHandle.standardError.write((line + "\n").data(using: .utf8)!)
            dir.append(line, to: RunDirectory.logFile)
        }
        try? "\(now)\n".write(toFile: dir.file(file), atomically: true, encoding: .utf8)
    }

    /// The run's previous count: threads.txt when present and valid, else the `--threads` the
    /// run was started with (runs written before threads.txt existed); nil when unknown.
    static func previousCount(_ dir: RunDirectory, storedRequest: Int?) -> Int? {
        if let text = try? String(contentsOfFile: dir.file(file), encoding: .utf8) {
            if let n = parseCount(text) { return n }
            let line = "warning: \(dir.file(file)): not a thread count (\(text.prefix(40).debugDescription)); ignored"
            FileHandle.standardError.write((line + "\n").data(using: .utf8)!)
        }
        if let r = storedRequest, r > 0 { return r }
        return nil
    }

    /// A thread count 1…65536 from the file's text, else nil.
    static func parseCount(_ text: String) -> Int? {
        guard let n = Int(text.trimmingCharacters(in: .whitespacesAndNewlines)), n >= 1, n <= 65536 else { return nil }
        return n
    }
}
