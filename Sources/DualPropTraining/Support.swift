import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// JSON with sorted keys (stable bytes for hashing and diffs).
func canonicalJSON<T: Encodable>(_ value: T, pretty: Bool = false) throws -> [UInt8] {
    let e = JSONEncoder()
    e.outputFormatting = pretty ? [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes] : [.sortedKeys, .withoutEscapingSlashes]
    return Array(try e.encode(value))
}

/// A value's JSON as a dictionary (for field-by-field comparison).
func jsonObject<T: Encodable>(_ value: T) throws -> [String: Any] {
    (try JSONSerialization.jsonObject(with: Data(canonicalJSON(value))) as? [String: Any]) ?? [:]
}

/// Decodes JSON bytes, naming the file in the error.
func decodeJSON<T: Decodable>(_ type: T.Type, from bytes: [UInt8], file: String) throws -> T {
    do { return try JSONDecoder().decode(type, from: Data(bytes)) } catch {
        throw TrainingError("\(file): cannot parse: \(error)")
    }
}

/// An error of the driver that ends the run with a message (not a usage error).
public struct TrainingError: Error, CustomStringConvertible, Sendable {
    /// The message, starting with the file or setting it concerns.
    public let description: String
    /// The process exit code (1 unless a more specific one applies).
    public let exitCode: Int32
    /// Whether every MPI rank meets this error at the same point (they hold the same state), so
    /// rank 0 alone reports it.
    public var onEveryRank = false

    /// An error with `description` and exit code `exitCode`.
    public init(_ description: String, exitCode: Int32 = 1, onEveryRank: Bool = false) {
        self.description = description; self.exitCode = exitCode; self.onEveryRank = onEveryRank
    }
}

/// Fixed-point decimal formatting without Foundation's locale dependence.
func fixed(_ x: Double, _ digits: Int) -> String {
    guard x.isFinite else { return x.isNaN ? "nan" : (x > 0 ? "inf" : "-inf") }
    return String(format: "%.\(digits)f", x)
}

/// `mm:ss` or `h:mm:ss`.
func clock(_ seconds: Double) -> String {
    guard seconds.isFinite, seconds >= 0 else { return "--:--" }
    let s = Int(seconds.rounded())
    return s >= 3600 ? String(format: "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60) : String(format: "%02d:%02d", s / 60, s % 60)
}

/// Monotonic seconds.
func now() -> Double {
    var t = timespec()
    clock_gettime(CLOCK_MONOTONIC, &t)
    return Double(t.tv_sec) + Double(t.tv_nsec) * 1e-9
}

/// Whether a path exists and is a directory.
func isDirectory(_ path: String) -> Bool {
    var d: ObjCBool = false
    return FileManager.default.fileExists(atPath: path, isDirectory: &d) && d.boolValue
}

/// `a/b` without doubling slashes.
func join(_ a: String, _ b: String) -> String { a.hasSuffix("/") ? a + b : a + "/" + b }

/// Writes text atomically (temporary file, fsync, rename).
func writeText(_ text: String, to path: String) throws { try writeAtomically(Array(text.utf8), to: path) }

/// The standard error stream, unbuffered.
struct StandardError: TextOutputStream {
    mutating func write(_ string: String) { writeToStandardError(string) }
}

/// Writes `string` to file descriptor 2 at once (unbuffered, like C's `stderr`). Swift 6 forbids
/// touching Glibc's global `stderr` stream, which is shared mutable state.
func writeToStandardError(_ string: String) { FileHandle.standardError.write(Data(string.utf8)) }

import DualPropData
