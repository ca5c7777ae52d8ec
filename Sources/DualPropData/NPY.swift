/// A parsed `.npy` array (NumPy format versions 1, 2 and 3): element type, shape, raw data.
///
/// Only C-order (`fortran_order: False`) arrays are accepted. The data stays as bytes; typed
/// views are produced by ``uint8Values(name:)`` and ``integerValues(name:)``.
struct NPYArray {
    /// The dtype string, e.g. `|u1`, `<i8`.
    var descr: String
    /// The shape (empty for a scalar).
    var shape: [Int]
    /// The file bytes (header included).
    var bytes: [UInt8]
    /// Where the array data starts in ``bytes``.
    var dataOffset: Int

    /// The number of elements (product of the shape; checked when the array was parsed).
    let elementCount: Int

    /// Parses `bytes`, naming `name` in errors.
    init(bytes: [UInt8], name: String) throws {
        let magic: [UInt8] = [0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59]  // "\x93NUMPY"
        guard bytes.count >= 10, Array(bytes[0..<6]) == magic else {
            throw DataError(.badMagic, file: name, "not a .npy array (expected \\x93NUMPY)")
        }
        let major = bytes[6]
        let headerLen: Int, headerStart: Int
        switch major {
        case 1: headerLen = Int(bytes.le(8, 2)); headerStart = 10
        case 2, 3:
            guard bytes.count >= 12 else { throw DataError(.wrongSize, file: name, "truncated .npy header") }
            headerLen = Int(bytes.le(8, 4)); headerStart = 12
        default: throw DataError(.unsupported, file: name, ".npy format version \(major)")
        }
        guard headerStart + headerLen <= bytes.count else {
            throw DataError(.wrongSize, file: name, "header of \(headerLen) bytes runs past the end (\(bytes.count) bytes)")
        }
        let header = String(decoding: bytes[headerStart..<(headerStart + headerLen)], as: UTF8.self)
        let dict = try NPYArray.parseHeader(header, name: name)
        guard let descr = dict.descr, let shape = dict.shape, let fortran = dict.fortran else {
            throw DataError(.badHeader, file: name, "header lacks descr, fortran_order or shape: \(header.trimmingCharacters())")
        }
        if fortran { throw DataError(.unsupported, file: name, "fortran_order True arrays") }
        self.descr = descr
        self.shape = shape
        self.bytes = bytes
        self.dataOffset = headerStart + headerLen
        self.elementCount = try DeclaredSize.product(shape, "shape", file: name)
        let width = NPYArray.elementWidth(descr)
        if let width {
            let (need, overflow) = elementCount.multipliedReportingOverflow(by: width)
            guard !overflow, bytes.count - dataOffset == need else {
                throw DataError(.wrongSize, file: name,
                                "shape \(shape) of \(descr) needs \(overflow ? "more than \(Int.max)" : String(need)) data bytes, found \(bytes.count - dataOffset)")
            }
        }
    }

    /// Byte width of the integer dtypes the readers accept (nil: anything else).
    static func elementWidth(_ descr: String) -> Int? {
        switch descr {
        case "|u1", "<u1", "|i1", "<i1": return 1
        case "<u2", "<i2": return 2
        case "<u4", "<i4": return 4
        case "<u8", "<i8": return 8
        default: return nil
        }
    }

    /// The data as bytes; the dtype must be `|u1` (uint8).
    func uint8Values(name: String) throws -> ArraySlice<UInt8> {
        guard descr == "|u1" || descr == "<u1" else {
            throw DataError(.wrongDType, file: name, "dtype \(descr), expected uint8 (|u1)")
        }
        return bytes[dataOffset...]
    }

    /// The data as Int64; accepts little-endian signed and unsigned integers of 1, 2, 4, 8 bytes.
    func integerValues(name: String) throws -> [Int64] {
        guard let w = NPYArray.elementWidth(descr) else {
            throw DataError(.wrongDType, file: name, "dtype \(descr), expected a little-endian integer (<i8, <i4, <u2, ...)")
        }
        let signed = descr.hasSuffix("i\(w)")
        var out = [Int64](repeating: 0, count: elementCount)
        for k in 0..<elementCount {
            let raw = bytes.le(dataOffset + k * w, w)
            if signed && w < 8 && raw >> (UInt64(w) * 8 - 1) != 0 {
                out[k] = Int64(bitPattern: raw | (~UInt64(0) << (UInt64(w) * 8)))
            } else {
                out[k] = Int64(bitPattern: raw)
            }
        }
        return out
    }

    /// The three header fields, from the Python dict literal
    /// `{'descr': '<i8', 'fortran_order': False, 'shape': (3, 4), }`.
    static func parseHeader(_ h: String, name: String) throws -> (descr: String?, fortran: Bool?, shape: [Int]?) {
        func value(after key: String) -> Substring? {
            for quote in ["'", "\""] {
                if let r = h.range(of: quote + key + quote) {
                    var rest = h[r.upperBound...].drop { $0 == " " }
                    guard rest.first == ":" else { return nil }
                    rest = rest.dropFirst().drop { $0 == " " }
                    return rest
                }
            }
            return nil
        }
        var descr: String?
        if let v = value(after: "descr"), let q = v.first, q == "'" || q == "\"" {
            let body = v.dropFirst()
            if let end = body.firstIndex(of: q) { descr = String(body[..<end]) }
        }
        var fortran: Bool?
        if let v = value(after: "fortran_order") {
            if v.hasPrefix("False") { fortran = false } else if v.hasPrefix("True") { fortran = true }
        }
        var shape: [Int]?
        if let v = value(after: "shape"), v.first == "(", let end = v.firstIndex(of: ")") {
            let inner = v[v.index(after: v.startIndex)..<end]
            var dims: [Int] = []
            for part in inner.split(separator: ",") {
                let t = part.trimmingCharacters()
                if t.isEmpty { continue }
                // NumPy may write "3L" on Python 2 era files.
                guard let d = Int(t.hasSuffix("L") ? String(t.dropLast()) : t), d >= 0 else {
                    throw DataError(.badHeader, file: name, "shape entry '\(t)' is not a non-negative integer")
                }
                dims.append(d)
            }
            shape = dims
        }
        return (descr, fortran, shape)
    }
}

extension StringProtocol {
    /// The string without leading and trailing spaces, tabs and newlines.
    func trimmingCharacters() -> String {
        let ws: Set<Character> = [" ", "\t", "\n", "\r"]
        return String(self.drop { ws.contains($0) }.reversed().drop { ws.contains($0) }.reversed())
    }
}
