import Foundation

/// An error from reading or writing a data file: which file, what kind of problem, and the details.
///
/// The description always starts with the file (for archive members `archive.zip:member.npy`),
/// e.g. `"/data/cifar10/data_batch_1.bin: wrong size: 30729999 bytes is not a multiple of the 3073-byte record"`.
public struct DataError: Error, CustomStringConvertible, LocalizedError, Sendable, Equatable {
    /// The kind of problem, independent of the file format.
    public enum Problem: String, Sendable, Equatable, CaseIterable {
        /// The file (or a required file of a dataset) does not exist.
        case missingFile = "missing file"
        /// The file exists but could not be opened or read.
        case unreadable = "unreadable"
        /// The file or record has the wrong size (truncated, or extra bytes).
        case wrongSize = "wrong size"
        /// A label lies outside the dataset's class range.
        case labelOutOfRange = "label out of range"
        /// A magic number or signature does not match the format.
        case badMagic = "bad magic number"
        /// A zip archive or compressed stream is malformed or fails its checksum.
        case corrupt = "corrupt data"
        /// An archive lacks a member the format requires.
        case missingMember = "missing archive member"
        /// An array has an element type the reader does not accept.
        case wrongDType = "wrong dtype"
        /// An array has a shape the reader does not accept.
        case wrongShape = "wrong shape"
        /// A text or binary header could not be parsed.
        case badHeader = "bad header"
        /// A valid but unsupported feature (encryption, a compression method, Fortran order).
        case unsupported = "unsupported"
        /// Writing, syncing or renaming the output failed.
        case writeFailed = "write failed"
    }

    /// The file the problem was found in; archive members are written `archive:member`.
    public let file: String
    /// The kind of problem.
    public let problem: Problem
    /// Human-readable details (offsets, expected and actual values).
    public let detail: String

    /// Creates an error for `file` with `problem` and `detail`.
    public init(_ problem: Problem, file: String, _ detail: String) {
        self.file = file
        self.problem = problem
        self.detail = detail
    }

    /// `"<file>: <problem>: <detail>"`.
    public var description: String { "\(file): \(problem.rawValue): \(detail)" }

    /// Same as ``description``, for Foundation's `localizedDescription`.
    public var errorDescription: String? { description }
}
