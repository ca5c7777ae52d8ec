import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Random-access bytes: a file read with `pread`, or bytes already in memory (a nested archive).
protocol ByteSource {
    /// The name used in error messages.
    var name: String { get }
    /// Total size in bytes.
    var size: Int { get }
    /// Exactly `count` bytes starting at `offset`; throws `wrongSize` if they are not all there.
    func read(offset: Int, count: Int) throws -> [UInt8]
}

/// An open file read with `pread` (safe for files larger than memory pieces; no mapping).
final class FileSource: ByteSource {
    let name: String
    let size: Int
    private let fd: Int32

    init(path: String) throws {
        name = path
        var st = stat()
        if stat(path, &st) != 0 {
            if errno == ENOENT { throw DataError(.missingFile, file: path, "no such file") }
            throw DataError(.unreadable, file: path, String(cString: strerror(errno)))
        }
        if (st.st_mode & S_IFMT) == S_IFDIR { throw DataError(.unreadable, file: path, "is a directory") }
        fd = open(path, O_RDONLY | O_CLOEXEC)
        if fd < 0 { throw DataError(.unreadable, file: path, String(cString: strerror(errno))) }
        size = Int(st.st_size)
    }

    deinit { close(fd) }

    func read(offset: Int, count: Int) throws -> [UInt8] {
        try checkRange(offset: offset, count: count, size: size, name: name, what: "the file")
        var out = [UInt8](repeating: 0, count: count)
        var done = 0
        try out.withUnsafeMutableBytes { buf in
            while done < count {
                let chunk = min(count - done, 1 << 30)
                let n = pread(fd, buf.baseAddress! + done, chunk, off_t(offset + done))
                if n < 0 {
                    if errno == EINTR { continue }
                    throw DataError(.unreadable, file: name, "read at offset \(offset + done): \(String(cString: strerror(errno)))")
                }
                if n == 0 { throw DataError(.wrongSize, file: name, "file ended at \(offset + done) bytes while reading") }
                done += n
            }
        }
        return out
    }
}

/// Bytes held in memory (e.g. an npz extracted from an outer zip).
struct MemorySource: ByteSource {
    let name: String
    let bytes: [UInt8]
    var size: Int { bytes.count }

    func read(offset: Int, count: Int) throws -> [UInt8] {
        try checkRange(offset: offset, count: count, size: bytes.count, name: name, what: "it")
        return Array(bytes[offset..<(offset + count)])
    }
}

/// Throws `wrongSize` unless `offset..<offset+count` lies inside `0..<size` (checked arithmetic:
/// offsets and counts come from untrusted headers).
func checkRange(offset: Int, count: Int, size: Int, name: String, what: String) throws {
    guard offset >= 0, count >= 0, offset <= size, count <= size - offset else {
        let end = offset.addingReportingOverflow(count)
        let range = end.overflow ? "\(offset)+\(count) (overflows)" : "\(offset)..<\(end.partialValue)"
        throw DataError(.wrongSize, file: name, "needs bytes \(range) but \(what) has \(size) bytes (truncated?)")
    }
}

/// The whole content of the file at `path` (missing / unreadable files throw ``DataError``).
func readWholeFile(_ path: String) throws -> [UInt8] {
    let f = try FileSource(path: path)
    return try f.read(offset: 0, count: f.size)
}

/// Whether a regular file (or a link to one) exists at `path`.
func fileExists(_ path: String) -> Bool {
    var isDir: ObjCBool = false
    return FileManager.default.fileExists(atPath: path, isDirectory: &isDir) && !isDir.boolValue
}

/// Whether a directory exists at `path`.
func directoryExists(_ path: String) -> Bool {
    var isDir: ObjCBool = false
    return FileManager.default.fileExists(atPath: path, isDirectory: &isDir) && isDir.boolValue
}

/// `directory/name` without doubling the slash.
func joinPath(_ directory: String, _ name: String) -> String {
    directory.hasSuffix("/") ? directory + name : directory + "/" + name
}

extension Array where Element == UInt8 {
    /// Little-endian unsigned integer of `width` bytes at `at`.
    func le(_ at: Int, _ width: Int) -> UInt64 {
        var v: UInt64 = 0
        for i in (0..<width).reversed() { v = (v << 8) | UInt64(self[at + i]) }
        return v
    }
    /// Big-endian 32-bit unsigned integer at `at`.
    func be32(_ at: Int) -> UInt32 {
        (UInt32(self[at]) << 24) | (UInt32(self[at + 1]) << 16) | (UInt32(self[at + 2]) << 8) | UInt32(self[at + 3])
    }
}
