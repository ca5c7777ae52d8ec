import ArgumentParser
import Foundation
import DualPropKernels
#if canImport(Glibc)
import Glibc
#endif

/// Options every benchmark subcommand shares.
struct CommonBenchOptions: ParsableArguments {
    @Option(help: "Repeats per measurement; the median is reported.")
    var repeats: Int = 7

    @Option(help: "Thread counts to measure, comma separated.")
    var threads: String = "1,2"

    @Flag(help: "Print one JSON document on stdout instead of the table.")
    var json = false

    /// The parsed `--threads` list.
    var threadCounts: [Int] {
        get throws {
            let list = threads.split(separator: ",").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }
            guard !list.isEmpty, list.allSatisfy({ $0 > 0 }) else {
                throw ValidationError("--threads must be a comma-separated list of positive integers, got '\(threads)'")
            }
            return list
        }
    }
}

/// Monotonic wall-clock seconds.
func now() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) * 1e-9
}

/// Median of the wall time of `repeats` runs of `body` after one untimed warm-up run.
func medianSeconds(repeats: Int, _ body: () throws -> Void) rethrows -> Double {
    try body()
    var times: [Double] = []
    for _ in 0..<max(repeats, 1) {
        let t0 = now()
        try body()
        times.append(now() - t0)
    }
    times.sort()
    return times[times.count / 2]
}

/// Warn on stderr when this binary was not built with optimisation (SwiftPM builds C at -O0 in debug).
func warnIfDebugBuild() {
    #if DEBUG
    FileHandle.standardError.write(Data(("ck-bench: WARNING: debug build; C kernels are compiled at -O0 (the SGEMM "
        + "micro-kernel runs ~45x slower). Use `swift run -c release ck-bench`.\n").utf8))
    #endif
}

/// A printable table: a header row and left-aligned string cells.
struct TextTable {
    var header: [String]
    var rows: [[String]] = []

    mutating func add(_ row: [String]) { rows.append(row) }

    func render() -> String {
        var widths = header.map(\.count)
        for r in rows { for (i, c) in r.enumerated() where i < widths.count { widths[i] = max(widths[i], c.count) } }
        func line(_ cells: [String]) -> String {
            cells.enumerated().map { i, c in c.padding(toLength: widths[i], withPad: " ", startingAt: 0) }
                .joined(separator: "  ")
        }
        return ([line(header), widths.map { String(repeating: "-", count: $0) }.joined(separator: "  ")]
            + rows.map(line)).joined(separator: "\n")
    }
}

/// A JSON value built from dictionaries, arrays, strings and numbers (kept dependency-free).
indirect enum JSONValue {
    case number(Double), string(String), bool(Bool), array([JSONValue]), object([(String, JSONValue)])

    var text: String {
        switch self {
        case .number(let x): return x.isFinite ? "\(x)" : "null"
        case .bool(let b): return b ? "true" : "false"
        case .string(let s): return "\"" + s.replacingOccurrences(of: "\\", with: "\\\\")
            .replacingOccurrences(of: "\"", with: "\\\"") + "\""
        case .array(let a): return "[" + a.map(\.text).joined(separator: ",") + "]"
        case .object(let o): return "{" + o.map { "\"\($0.0)\":\($0.1.text)" }.joined(separator: ",") + "}"
        }
    }
}

/// Formats `x` with `digits` decimals.
func fmt(_ x: Double, _ digits: Int = 1) -> String {
    var s = String(format: "%.\(digits)f", x)
    if s == "-0.0" { s = "0.0" }
    return s
}
