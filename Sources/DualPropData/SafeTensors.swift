import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A named Float32 tensor as stored in a safetensors file.
public struct NamedTensor: Sendable, Equatable {
    /// The tensor's key in the file.
    public var name: String
    /// Dimensions (empty for a scalar).
    public var shape: [Int]
    /// Elements in row-major order; `values.count` equals the product of `shape`.
    public var values: [Float]

    /// Creates a tensor; the element count must match the shape.
    public init(name: String, shape: [Int], values: [Float]) {
        precondition(shape.reduce(1, *) == values.count,
                     "NamedTensor \(name): shape \(shape) holds \(shape.reduce(1, *)) values, got \(values.count)")
        self.name = name
        self.shape = shape
        self.values = values
    }
}

/// The safetensors format (huggingface/safetensors), Float32 tensors only.
///
/// Layout: an unsigned 64-bit little-endian header length N; N bytes of UTF-8 JSON mapping each
/// tensor name to `{"dtype":"F32","shape":[...],"data_offsets":[begin,end]}` (offsets relative to
/// the byte after the header) plus an optional `"__metadata__"` string→string map; then the data
/// buffer, little-endian. The writer pads the header with spaces to a multiple of 8 bytes, puts
/// `__metadata__` first and the tensors in ascending name order (data in the same order, packed).
public enum SafeTensors {
    /// The serialised file contents.
    public static func encode(_ tensors: [NamedTensor], metadata: [String: String] = [:]) -> [UInt8] {
        let sorted = tensors.sorted { $0.name < $1.name }
        precondition(Set(sorted.map(\.name)).count == sorted.count, "SafeTensors.encode: duplicate tensor names")
        precondition(!sorted.contains { $0.name == "__metadata__" }, "SafeTensors.encode: '__metadata__' is reserved")
        var parts: [String] = []
        if !metadata.isEmpty {
            let entries = metadata.keys.sorted().map { "\(jsonString($0)):\(jsonString(metadata[$0]!))" }
            parts.append("\"__metadata__\":{\(entries.joined(separator: ","))}")
        }
        var offset = 0
        for t in sorted {
            let end = offset + t.values.count * 4
            parts.append("\(jsonString(t.name)):{\"dtype\":\"F32\",\"shape\":[\(t.shape.map(String.init).joined(separator: ","))],\"data_offsets\":[\(offset),\(end)]}")
            offset = end
        }
        var header = Array("{\(parts.joined(separator: ","))}".utf8)
        while header.count % 8 != 0 { header.append(0x20) }
        var out = [UInt8]()
        out.reserveCapacity(8 + header.count + offset)
        var n = UInt64(header.count).littleEndian
        withUnsafeBytes(of: &n) { out.append(contentsOf: $0) }
        out.append(contentsOf: header)
        for t in sorted {
            t.values.withUnsafeBytes { out.append(contentsOf: $0) }  // x86/ARM hosts are little-endian
        }
        return out
    }

    /// Writes the file atomically: a temporary file in the same directory, fsync, rename over
    /// `path`, fsync of the directory. A crash leaves either the old file or the new one.
    public static func write(_ tensors: [NamedTensor], metadata: [String: String] = [:], to path: String) throws {
        try writeAtomically(encode(tensors, metadata: metadata), to: path)
    }

    /// Reads all tensors (in file order of their data) and the metadata map. Only `F32` tensors
    /// are accepted; offsets must tile the data buffer exactly.
    public static func read(from path: String) throws -> (tensors: [NamedTensor], metadata: [String: String]) {
        try decode(readWholeFile(path), name: path)
    }

    /// The largest header accepted (the reference implementation's limit): a header is a small
    /// JSON index, so a larger declared length means a damaged or crafted file.
    public static let maximumHeaderBytes = 100_000_000

    /// Parses the bytes of a safetensors file; `name` is used in errors. Every declared length,
    /// offset and dimension is checked against the file's size in checked arithmetic before
    /// anything is allocated for it.
    public static func decode(_ bytes: [UInt8], name: String = "<memory>") throws -> (tensors: [NamedTensor], metadata: [String: String]) {
        guard bytes.count >= 8 else { throw DataError(.wrongSize, file: name, "\(bytes.count) bytes, shorter than the 8-byte header length") }
        let declared = bytes.le(0, 8)
        guard declared <= UInt64(bytes.count - 8) else {
            throw DataError(.wrongSize, file: name, "header length \(declared) exceeds the file (\(bytes.count) bytes)")
        }
        let n = Int(declared)
        guard n <= maximumHeaderBytes else {
            throw DataError(.badHeader, file: name, "header length \(n) exceeds the \(maximumHeaderBytes)-byte limit of a safetensors header")
        }
        let json: Any
        do {
            json = try JSONSerialization.jsonObject(with: Data(bytes[8..<(8 + n)]))
        } catch {
            throw DataError(.badHeader, file: name, "header is not valid JSON: \(error.localizedDescription)")
        }
        guard let dict = json as? [String: Any] else { throw DataError(.badHeader, file: name, "header is not a JSON object") }
        let dataStart = 8 + n, dataCount = bytes.count - dataStart
        var metadata: [String: String] = [:]
        var entries: [(name: String, shape: [Int], begin: Int, end: Int)] = []
        for (key, value) in dict {
            if key == "__metadata__" {
                guard let m = value as? [String: Any] else { throw DataError(.badHeader, file: name, "__metadata__ is not an object") }
                for (k, v) in m {
                    guard let s = v as? String else { throw DataError(.badHeader, file: name, "__metadata__[\(k)] is not a string") }
                    metadata[k] = s
                }
                continue
            }
            guard let info = value as? [String: Any], let dtype = info["dtype"] as? String,
                  let rawShape = info["shape"] as? [Any], let rawOffsets = info["data_offsets"] as? [Any] else {
                throw DataError(.badHeader, file: name, "tensor \(key) lacks dtype, shape or data_offsets")
            }
            guard dtype == "F32" else { throw DataError(.wrongDType, file: name, "tensor \(key) has dtype \(dtype), only F32 is read") }
            let shape = rawShape.map(jsonInteger), offsets = rawOffsets.map(jsonInteger)
            guard let dims = shape as? [Int], dims.allSatisfy({ $0 >= 0 }) else {
                throw DataError(.wrongShape, file: name, "tensor \(key): shape \(rawShape) is not a list of non-negative integers")
            }
            guard let range = offsets as? [Int], range.count == 2, range[0] >= 0, range[0] <= range[1] else {
                throw DataError(.badHeader, file: name, "tensor \(key): data_offsets \(rawOffsets) is not a range [begin, end] of byte offsets")
            }
            guard range[1] <= dataCount else {
                throw DataError(.wrongSize, file: name,
                                "tensor \(key): data_offsets \(range) run past the \(dataCount)-byte data buffer (truncated?)")
            }
            guard let count = DeclaredSize.checkedProduct(dims), count <= dataCount / 4, range[1] - range[0] == count * 4 else {
                throw DataError(.wrongShape, file: name, "tensor \(key): shape \(dims) does not match data_offsets \(range)")
            }
            entries.append((key, dims, range[0], range[1]))
        }
        entries.sort { ($0.begin, $0.name) < ($1.begin, $1.name) }
        var expected = 0
        for e in entries {
            guard e.begin == expected else {
                throw DataError(.badHeader, file: name, "tensor \(e.name) starts at \(e.begin), expected \(expected) (gap or overlap)")
            }
            expected = e.end
        }
        guard expected == dataCount else {
            throw DataError(.wrongSize, file: name, "data buffer has \(dataCount) bytes, the header describes \(expected) (truncated?)")
        }
        let tensors = entries.map { e -> NamedTensor in
            var v = [Float](repeating: 0, count: (e.end - e.begin) / 4)
            v.withUnsafeMutableBytes { dst in
                bytes.withUnsafeBytes { src in
                    dst.copyMemory(from: UnsafeRawBufferPointer(rebasing: src[(dataStart + e.begin)..<(dataStart + e.end)]))
                }
            }
            return NamedTensor(name: e.name, shape: e.shape, values: v)
        }
        return (tensors, metadata)
    }

    /// A JSON number that is exactly an `Int` (not a fraction, not out of range).
    static func jsonInteger(_ value: Any) -> Int? {
        if let i = value as? Int { return i }
        if let d = value as? Double, d.rounded() == d, let i = Int(exactly: d) { return i }
        return nil
    }

    static func jsonString(_ s: String) -> String {
        var out = "\""
        for u in s.unicodeScalars {
            switch u {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if u.value < 0x20 { out += String(format: "\\u%04x", u.value) } else { out.unicodeScalars.append(u) }
            }
        }
        return out + "\""
    }
}

/// Writes `bytes` to `path` through a temporary file in the same directory, `fsync`, `rename`,
/// then `fsync` of the directory, so readers never see a partial file.
public func writeAtomically(_ bytes: [UInt8], to path: String) throws {
    let slash = path.lastIndex(of: "/")
    let dir = slash.map { String(path[..<$0]) } ?? "."
    let tmp = "\(path).tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
    let fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
    if fd < 0 { throw DataError(.writeFailed, file: path, "cannot create \(tmp): \(String(cString: strerror(errno)))") }
    var ok = false
    defer { if !ok { unlink(tmp) } }
    var done = 0
    let failure: String? = bytes.withUnsafeBytes { buf -> String? in
        while done < buf.count {
            let w = Glibc.write(fd, buf.baseAddress! + done, min(buf.count - done, 1 << 30))
            if w < 0 { if errno == EINTR { continue }; return "write: \(String(cString: strerror(errno)))" }
            done += w
        }
        if fsync(fd) != 0 { return "fsync: \(String(cString: strerror(errno)))" }
        return nil
    }
    close(fd)
    if let failure { throw DataError(.writeFailed, file: path, failure) }
    if rename(tmp, path) != 0 { throw DataError(.writeFailed, file: path, "rename from \(tmp): \(String(cString: strerror(errno)))") }
    ok = true
    let dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
    if dfd >= 0 { _ = fsync(dfd); close(dfd) }
}
