import Foundation

/// An SVG of a run's curves: loss (left) and top-1 accuracy (right) per epoch, train and
/// validation, with the test result as a marker. Plain SVG 1.1, no scripts or external fonts.
public enum CurvePlot {
    /// Reads `metrics` (a `metrics.csv`) and writes the SVG to `path` (atomically).
    public static func write(metrics: String, to path: String) throws {
        let bytes = try readAll(metrics)
        let rows = try MetricRow.parse(csv: String(decoding: bytes, as: UTF8.self), file: metrics)
        try writeText(svg(rows, title: URL(fileURLWithPath: metrics).deletingLastPathComponent().lastPathComponent), to: path)
    }

    static let colours = ["train": "#1f77b4", "val": "#d62728", "test": "#2ca02c"]

    /// The SVG text for `rows`.
    public static func svg(_ rows: [MetricRow], title: String) -> String {
        let (panelW, panelH, margin) = (400.0, 260.0, 55.0)
        let width = 2 * (panelW + margin) + 20, height = panelH + 2 * margin + 10
        var out = """
        <svg xmlns="http://www.w3.org/2000/svg" width="\(Int(width))" height="\(Int(height))" \
        viewBox="0 0 \(Int(width)) \(Int(height))" font-family="sans-serif" font-size="11">
        <rect width="100%" height="100%" fill="white"/>
        <text x="\(Int(width / 2))" y="16" text-anchor="middle" font-size="13">\(escape(title))</text>

        """
        let maxEpoch = max(1, rows.map(\.epoch).max() ?? 1)
        let panels: [(String, (MetricRow) -> Double, Bool)] = [("loss", { $0.loss }, false), ("top-1 accuracy (%)", { 100 * $0.top1 }, true)]
        for (p, (label, value, isAccuracy)) in panels.enumerated() {
            let x0 = margin + Double(p) * (panelW + margin + 20), y0 = margin - 10
            let values = rows.map(value).filter(\.isFinite)
            var lo = values.min() ?? 0, hi = values.max() ?? 1
            if isAccuracy { lo = 0; hi = 100 } else { lo = min(lo, 0); if hi <= lo { hi = lo + 1 } }
            func px(_ e: Double) -> Double { x0 + (maxEpoch == 1 ? panelW / 2 : (e - 1) / Double(maxEpoch - 1) * panelW) }
            func py(_ v: Double) -> Double { y0 + panelH - (min(max(v, lo), hi) - lo) / (hi - lo) * panelH }
            out += "<rect x=\"\(f(x0))\" y=\"\(f(y0))\" width=\"\(f(panelW))\" height=\"\(f(panelH))\" fill=\"none\" stroke=\"#444\"/>\n"
            for i in 0...4 {
                let v = lo + (hi - lo) * Double(i) / 4
                out += "<line x1=\"\(f(x0))\" x2=\"\(f(x0 + panelW))\" y1=\"\(f(py(v)))\" y2=\"\(f(py(v)))\" stroke=\"#ddd\"/>\n"
                out += "<text x=\"\(f(x0 - 5))\" y=\"\(f(py(v) + 4))\" text-anchor=\"end\">\(tick(v))</text>\n"
            }
            for e in epochTicks(maxEpoch) {
                out += "<text x=\"\(f(px(Double(e))))\" y=\"\(f(y0 + panelH + 15))\" text-anchor=\"middle\">\(e)</text>\n"
            }
            out += "<text x=\"\(f(x0 + panelW / 2))\" y=\"\(f(y0 + panelH + 32))\" text-anchor=\"middle\">epoch</text>\n"
            out += "<text x=\"\(f(x0 + panelW / 2))\" y=\"\(f(y0 - 6))\" text-anchor=\"middle\" font-weight=\"bold\">\(label)</text>\n"
            for (s, split) in ["train", "val", "test"].enumerated() {
                let pts = rows.filter { $0.split == split && value($0).isFinite }.map { (px(Double($0.epoch)), py(value($0))) }
                guard !pts.isEmpty else { continue }
                let colour = colours[split]!
                if split == "test" {
                    for (x, y) in pts { out += "<circle cx=\"\(f(x))\" cy=\"\(f(y))\" r=\"4\" fill=\"\(colour)\"/>\n" }
                } else {
                    out += "<polyline fill=\"none\" stroke=\"\(colour)\" stroke-width=\"1.8\" points=\"\(pts.map { "\(f($0.0)),\(f($0.1))" }.joined(separator: " "))\"/>\n"
                    if pts.count == 1 { out += "<circle cx=\"\(f(pts[0].0))\" cy=\"\(f(pts[0].1))\" r=\"2.5\" fill=\"\(colour)\"/>\n" }
                }
                let lx = x0 + panelW - 70, ly = y0 + 14 + Double(s) * 14
                out += "<line x1=\"\(f(lx))\" x2=\"\(f(lx + 18))\" y1=\"\(f(ly - 4))\" y2=\"\(f(ly - 4))\" stroke=\"\(colour)\" stroke-width=\"2\"/>"
                out += "<text x=\"\(f(lx + 22))\" y=\"\(f(ly))\">\(split)</text>\n"
            }
        }
        return out + "</svg>\n"
    }

    static func f(_ x: Double) -> String { String(format: "%.1f", x) }
    static func tick(_ v: Double) -> String { abs(v) >= 10 ? String(format: "%.0f", v) : String(format: "%.2f", v) }
    static func epochTicks(_ n: Int) -> [Int] {
        let step = max(1, Int((Double(n) / 8).rounded(.up)))
        var t = Array(stride(from: 1, through: n, by: step))
        if t.last != n { t.append(n) }
        return t
    }
    static func escape(_ s: String) -> String {
        s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(of: ">", with: "&gt;")
    }
}
