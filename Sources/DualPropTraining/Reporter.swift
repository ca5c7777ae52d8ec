import Foundation

/// What a run tells its user: summary lines on stdout and in `train.log`, and the progress
/// display. Only rank 0 has a run directory and a visible progress mode; other ranks say nothing.
struct Reporter {
    /// Rank 0's run directory (nil on the other ranks).
    let dir: RunDirectory?
    /// Print summary lines on stdout.
    let printSummaries: Bool
    var progress: ProgressReporter

    /// A line on stdout and in the log.
    func say(_ line: String) {
        if printSummaries { print(line); fflush(nil) }  // nil: all streams (`stdout` is not concurrency-safe)
        log(line)
    }

    /// A line in the log only.
    func log(_ line: String) { dir?.append(line, to: RunDirectory.logFile) }
}
