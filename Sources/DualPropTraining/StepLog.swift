import DualPropData
import Foundation

/// The per-step log `steps.jsonl` beside `metrics.csv`: one JSON object per optimizer step,
///
///     {"step":12,"epoch":1,"batch":12,"loss":2.2981,"learning_rate":0.00106,"images_per_second":431.2}
///
/// `step` counts optimizer steps from 1 over the whole run, `epoch` is 1-based (as in
/// `metrics.csv`), `loss` is the mean training loss of that step's batch, `learning_rate` the rate
/// the step used and `images_per_second` the batch size over the step's wall time (data assembly,
/// the rule's step and the update). JSON Lines: each line stands alone, so the log is readable
/// while the run goes on and after a crash.
///
/// Under a distributed run only one process (rank 0) may write: construct it with `enabled: false`
/// on every other rank.
struct StepLog {
    /// The file name inside the run directory.
    static let fileName = "steps.jsonl"

    let path: String
    let enabled: Bool
    private var lastTime: Double

    /// Opens the log of `directory`. A resumed run continues from its checkpoint at `step`
    /// (`resumedAt`): lines for later steps were from work the checkpoint did not keep and would
    /// be repeated, so they are dropped first.
    init(directory: RunDirectory, resumedAt step: Int?, enabled: Bool = true) {
        path = directory.file(Self.fileName)
        self.enabled = enabled
        lastTime = now()
        if enabled, let step { Self.dropLines(after: step, in: path) }
    }

    /// Appends the line of one finished step (`step` counted from 1, `epoch` 1-based).
    mutating func record(step: Int, epoch: Int, batch: Int, loss: Double, learningRate: Float, images: Int) {
        let t = now()
        defer { lastTime = t }
        guard enabled else { return }
        let seconds = max(t - lastTime, 1e-9)
        let line = "{\"step\":\(step),\"epoch\":\(epoch),\"batch\":\(batch),\"loss\":\(Self.number(loss)),"
            + "\"learning_rate\":\(Self.number(Double(learningRate))),\"images_per_second\":\(Self.number(Double(images) / seconds))}\n"
        guard let f = fopen(path, "a") else { return }
        fputs(line, f)
        fclose(f)
    }

    /// Restarts the step clock (after work between steps that is not a step: evaluation, checkpoints).
    mutating func restartClock() { lastTime = now() }

    /// A JSON number; non-finite values (a diverged loss) as `null`, which JSON can represent.
    static func number(_ x: Double) -> String {
        x.isFinite ? String(format: "%.6g", x) : "null"
    }

    /// Keeps the lines whose `"step"` is at most `step`.
    static func dropLines(after step: Int, in path: String) {
        guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8) else { return }
        let kept = text.split(separator: "\n").filter { line in
            guard let range = line.range(of: "\"step\":") else { return false }
            let digits = line[range.upperBound...].prefix { $0.isNumber }
            return (Int(digits) ?? Int.max) <= step
        }
        let body = kept.isEmpty ? "" : kept.joined(separator: "\n") + "\n"
        try? writeAtomically(Array(body.utf8), to: path)
    }
}
