#if canImport(Glibc)
import Glibc
#endif

/// How training progress is shown on stderr.
public enum ProgressMode: Sendable {
    /// A bar redrawn in place (stderr is a terminal).
    case bar
    /// Plain lines every 10% of an epoch or every 60 s, whichever comes first (stderr is a file or pipe).
    case lines
    /// Nothing between the epoch summaries.
    case none
}

/// What the reporter shows for a step.
struct ProgressSnapshot {
    var epoch: Int, epochs: Int, step: Int, steps: Int
    var elapsed: Double, imagesPerSecond: Double, loss: Double, accuracy: Double, learningRate: Float
}

/// Draws the progress bar or prints periodic lines.
struct ProgressReporter {
    let mode: ProgressMode
    /// Receives the plain lines as well (the log).
    let echo: (String) -> Void
    private var lastDraw = -1.0, lastLine = -1.0, lastDecile = 0
    private var barVisible = false

    init(mode: ProgressMode, echo: @escaping (String) -> Void) { self.mode = mode; self.echo = echo }

    static func text(_ s: ProgressSnapshot, withBar: Bool) -> String {
        let fraction = s.steps > 0 ? Double(s.step) / Double(s.steps) : 1
        let eta = s.step > 0 ? s.elapsed / Double(s.step) * Double(s.steps - s.step) : .nan
        var out = "epoch \(s.epoch)/\(s.epochs) "
        if withBar {
            let width = 24, filled = Int(fraction * Double(width))
            out += "[" + String(repeating: "#", count: filled) + String(repeating: ".", count: width - filled) + "] "
        }
        out += "\(s.step)/\(s.steps) \(Int(fraction * 100))% \(clock(s.elapsed))<\(clock(eta)) "
        out += "\(fixed(s.imagesPerSecond, 0)) img/s loss \(fixed(s.loss, 4)) acc \(fixed(100 * s.accuracy, 1))% "
        out += "lr \(String(format: "%.4g", s.learningRate))"
        return out
    }

    mutating func update(_ s: ProgressSnapshot) {
        switch mode {
        case .none: return
        case .bar:
            let t = now()
            guard t - lastDraw >= 0.2 || s.step == s.steps else { return }
            lastDraw = t
            writeToStandardError("\r\u{1B}[2K" + Self.text(s, withBar: true))
            barVisible = true
        case .lines:
            let decile = s.steps > 0 ? s.step * 10 / s.steps : 10
            let t = now()
            if lastLine < 0 { lastLine = t }
            guard (decile > lastDecile && s.step < s.steps) || t - lastLine >= 60 else { return }
            lastDecile = decile; lastLine = t
            let line = Self.text(s, withBar: false)
            writeToStandardError(line + "\n")
            echo(line)
        }
    }

    /// Ends an epoch: clears the bar so the summary line starts on a clean line.
    mutating func endEpoch() {
        if barVisible { writeToStandardError("\r\u{1B}[2K"); barVisible = false }
        lastDecile = 0; lastLine = -1
    }
}
