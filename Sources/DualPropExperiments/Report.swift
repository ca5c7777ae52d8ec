import Foundation

/// Mean and sample standard deviation of a list (NaNs, i.e. diverged runs, are left out and counted).
public struct Summary: Sendable {
    /// Mean of the finite values.
    public let mean: Double
    /// Sample standard deviation (0 for one value).
    public let std: Double
    /// Finite values.
    public let count: Int
    /// Non-finite values (diverged runs).
    public let failures: Int

    /// The summary of `values`.
    public init(_ values: [Double]) {
        let ok = values.filter(\.isFinite)
        count = ok.count; failures = values.count - ok.count
        let m = ok.isEmpty ? .nan : ok.reduce(0, +) / Double(ok.count)
        mean = m
        std = ok.count < 2 ? 0 : (ok.reduce(0) { $0 + ($1 - m) * ($1 - m) } / Double(ok.count - 1)).squareRoot()
    }

    /// `98.12 ± 0.05` (or `98.12` for one value, `✗` when every run diverged, `+ n✗` for some).
    public func formatted(_ digits: Int = 2) -> String {
        if count == 0 { return failures > 0 ? "✗ (diverged)" : "—" }
        var s = String(format: "%.\(digits)f", mean)
        if count > 1 { s += String(format: " ± %.\(digits)f", std) }
        if failures > 0 { s += " (+\(failures) ✗)" }
        return s
    }
}

/// A reference figure from a paper: mean and, where reported, standard deviation.
public struct PaperFigure: Sendable {
    /// The reported mean.
    public let mean: Double
    /// The reported standard deviation (nil where the paper gives none).
    public let std: Double?

    /// A figure.
    public init(_ mean: Double, _ std: Double? = nil) { self.mean = mean; self.std = std }

    /// `98.09 ± 0.06`.
    public var text: String { std.map { String(format: "%g ± %g", mean, $0) } ?? String(format: "%g", mean) }

    /// Whether `value` agrees: within mean ± 2 std, or within `tolerance` (1 point) without std.
    public func agrees(with value: Double, tolerance: Double = 1) -> Bool {
        guard value.isFinite else { return false }
        if let std { return abs(value - mean) <= 2 * std }
        return abs(value - mean) <= tolerance
    }
}

/// A table printed as markdown and written as CSV.
public struct ResultTable: Sendable {
    /// Title line printed above the table.
    public var title: String
    /// Column headers.
    public var columns: [String]
    /// Cells, one array per row.
    public var rows: [[String]] = []
    /// Free-text lines printed under the table (settings, discrepancies).
    public var notes: [String] = []

    /// An empty table.
    public init(title: String, columns: [String]) { self.title = title; self.columns = columns }

    /// Adds a row (as many cells as columns).
    public mutating func add(_ cells: [String]) {
        precondition(cells.count == columns.count, "ResultTable: \(cells.count) cells for \(columns.count) columns")
        rows.append(cells)
    }

    /// The markdown rendering.
    public var markdown: String {
        var s = "### \(title)\n\n| " + columns.joined(separator: " | ") + " |\n|"
        s += columns.map { _ in "---" }.joined(separator: "|") + "|\n"
        for r in rows { s += "| " + r.joined(separator: " | ") + " |\n" }
        for n in notes { s += "\n" + n }
        return s + "\n"
    }

    /// CSV with a header row; cells quoted when they hold a comma or quote.
    public var csv: String {
        func q(_ c: String) -> String { c.contains(",") || c.contains("\"") ? "\"" + c.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : c }
        return ([columns] + rows).map { $0.map(q).joined(separator: ",") }.joined(separator: "\n") + "\n"
    }
}

/// A comparison marker: `ok` inside the paper's band, `outside` otherwise.
public func agreement(_ ours: Double, _ paper: PaperFigure?, tolerance: Double = 1) -> String {
    guard let paper else { return "" }
    return paper.agrees(with: ours, tolerance: tolerance) ? "ok" : "outside"
}

/// `%.2f` or `✗` for NaN.
public func fmt(_ x: Double, _ digits: Int = 2) -> String { x.isFinite ? String(format: "%.\(digits)f", x) : "✗" }
