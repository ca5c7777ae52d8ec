internal import CZlib

/// DEFLATE decompression through the system zlib: raw streams (zip members) and gzip files.
///
/// Output buffers grow with what the stream really produces (never to a declared size up
/// front), and every inflate stops one byte past the size the caller says the data must have, so
/// a crafted stream (a "zip bomb") costs at most that size in memory.
enum Inflate {
    /// The zlib stream structure's size, as `inflateInit2_` wants it (the C macro is not imported).
    fileprivate static let streamSize = Int32(MemoryLayout<z_stream>.size)

    /// The first allocation of an output buffer that then grows (doubling) up to the expected
    /// size: the expected size when it is within 8× the compressed size (image data compresses
    /// far less, so valid files get their buffer at once), else 8× the compressed size (≥ 1 MiB).
    fileprivate static func initialOutput(expected: Int, compressed: Int) -> Int {
        let (eightfold, overflow) = compressed.multipliedReportingOverflow(by: 8)
        return min(expected, max(1 << 20, overflow ? Int.max : eightfold))
    }

    /// Inflates the raw DEFLATE stream `compressed` (no zlib/gzip wrapper) into exactly
    /// `expectedSize` bytes; `name` is used in errors.
    static func raw(_ compressed: [UInt8], expectedSize: Int, name: String) throws -> [UInt8] {
        precondition(expectedSize >= 0, "Inflate.raw: negative expected size")
        var strm = z_stream()
        guard inflateInit2_(&strm, -15, zlibVersion(), streamSize) == Z_OK else {
            throw DataError(.corrupt, file: name, "zlib inflateInit2 failed")
        }
        defer { inflateEnd(&strm) }
        var out = [UInt8](repeating: 0, count: initialOutput(expected: expectedSize, compressed: compressed.count))
        var inUsed = 0, outUsed = 0
        var spare: UInt8 = 0
        try compressed.withUnsafeBufferPointer { src in
            while true {
                if outUsed == out.count && out.count < expectedSize {
                    out.append(contentsOf: repeatElement(0, count: min(out.count, expectedSize - out.count)))
                }
                let inChunk = min(compressed.count - inUsed, Int(UInt32.max >> 1))
                let room = min(out.count - outUsed, Int(UInt32.max >> 1))
                strm.next_in = UnsafeMutablePointer(mutating: src.baseAddress.map { $0 + inUsed })
                strm.avail_in = UInt32(inChunk)
                // With no room left, inflate into one spare byte: producing it means the stream is too long.
                let (status, produced) = out.withUnsafeMutableBufferPointer { dst -> (Int32, Int) in
                    withUnsafeMutablePointer(to: &spare) { one in
                        strm.next_out = room > 0 ? dst.baseAddress! + outUsed : one
                        strm.avail_out = UInt32(room > 0 ? room : 1)
                        let s = inflate(&strm, Z_NO_FLUSH)
                        return (s, (room > 0 ? room : 1) - Int(strm.avail_out))
                    }
                }
                let consumedIn = inChunk - Int(strm.avail_in)
                if room == 0 && produced > 0 {
                    throw DataError(.corrupt, file: name, "inflates to more than the recorded \(expectedSize) bytes")
                }
                inUsed += consumedIn
                outUsed += produced
                if status == Z_STREAM_END { break }
                if status != Z_OK && status != Z_BUF_ERROR {
                    throw DataError(.corrupt, file: name, "DEFLATE stream error \(status) after \(outUsed) bytes")
                }
                if consumedIn == 0 && produced == 0 && (room > 0 || inUsed == compressed.count) {
                    throw DataError(.corrupt, file: name,
                                    "DEFLATE stream ends early: \(outUsed) of \(expectedSize) bytes (truncated?)")
                }
            }
        }
        if outUsed != expectedSize {
            throw DataError(.corrupt, file: name, "inflated to \(outUsed) bytes, the archive records \(expectedSize)")
        }
        return out
    }

    /// Decompresses a whole gzip file held in memory (one or more concatenated members), refusing
    /// output beyond `limit` bytes.
    static func gunzip(_ compressed: [UInt8], limit: Int = Int.max, name: String) throws -> [UInt8] {
        let stream = try GzipStream(MemorySource(name: name, bytes: compressed))
        var out: [UInt8] = []
        while true {
            let part = try stream.read(upTo: 1 << 20)
            if part.isEmpty { return out }
            guard part.count <= limit - out.count else {
                throw DataError(.wrongSize, file: name, "decompresses to more than \(limit) bytes")
            }
            out += part
        }
    }

    /// CRC-32 (zip / gzip polynomial) of `bytes`.
    static func crc32(_ bytes: [UInt8]) -> UInt32 {
        bytes.withUnsafeBufferPointer { buf in
            var crc: uLong = CZlib.crc32(0, nil, 0)
            var at = 0
            while at < buf.count {
                let n = min(buf.count - at, 1 << 30)
                crc = CZlib.crc32(crc, buf.baseAddress! + at, uInt(n))
                at += n
            }
            return UInt32(truncatingIfNeeded: crc)
        }
    }
}

/// The decompressed bytes of a gzip file (one or more concatenated members), read on demand:
/// the compressed input is read in 1 MiB pieces and only the bytes asked for are inflated.
final class GzipStream {
    let source: ByteSource
    private var strm = z_stream()
    private var input: [UInt8] = []
    private var inputUsed = 0
    private var sourceOffset = 0
    private var finished = false
    /// Decompressed bytes delivered so far.
    private(set) var delivered = 0

    /// Opens `source`, which must start with the gzip signature.
    init(_ source: ByteSource) throws {
        self.source = source
        let head = try source.read(offset: 0, count: min(source.size, 2))
        guard source.size >= 18, head == [0x1f, 0x8b] else {
            throw DataError(.badMagic, file: source.name, "not a gzip file (expected bytes 1f 8b)")
        }
        guard inflateInit2_(&strm, 15 + 16, zlibVersion(), Inflate.streamSize) == Z_OK else {
            throw DataError(.corrupt, file: source.name, "zlib inflateInit2 failed")
        }
    }

    deinit { inflateEnd(&strm) }

    /// Up to `count` further decompressed bytes; fewer only at the end of the data.
    func read(upTo count: Int) throws -> [UInt8] {
        precondition(count >= 0, "GzipStream.read: negative count")
        var out = [UInt8](repeating: 0, count: Inflate.initialOutput(expected: count, compressed: source.size))
        var produced = 0
        while produced < count && !finished {
            if produced == out.count {
                out.append(contentsOf: repeatElement(0, count: min(out.count, count - out.count)))
            }
            if inputUsed == input.count {
                let n = min(1 << 20, source.size - sourceOffset)
                input = try source.read(offset: sourceOffset, count: n)
                sourceOffset += n
                inputUsed = 0
            }
            let room = min(out.count - produced, Int(UInt32.max >> 1))
            let available = input.count - inputUsed
            let (status, made, consumed) = input.withUnsafeMutableBufferPointer { src in
                out.withUnsafeMutableBufferPointer { dst -> (Int32, Int, Int) in
                    strm.next_in = src.baseAddress.map { $0 + inputUsed }
                    strm.avail_in = UInt32(available)
                    strm.next_out = dst.baseAddress! + produced
                    strm.avail_out = UInt32(room)
                    let s = inflate(&strm, Z_NO_FLUSH)
                    return (s, room - Int(strm.avail_out), available - Int(strm.avail_in))
                }
            }
            inputUsed += consumed
            produced += made
            if status == Z_STREAM_END {
                // Another gzip member may follow (concatenated gzip); anything else after the end is ignored.
                if try nextByteStartsMember() { inflateReset(&strm) } else { finished = true }
                continue
            }
            if status != Z_OK && status != Z_BUF_ERROR {
                throw DataError(.corrupt, file: source.name, "gzip stream error \(status) after \(delivered + produced) bytes")
            }
            if made == 0 && consumed == 0 && inputUsed == input.count && sourceOffset == source.size {
                throw DataError(.wrongSize, file: source.name, "gzip stream ends early after \(delivered + produced) bytes (truncated?)")
            }
        }
        out.removeLast(out.count - produced)
        delivered += produced
        return out
    }

    /// Whether unread input remains and starts with the gzip signature's first byte.
    private func nextByteStartsMember() throws -> Bool {
        if inputUsed == input.count {
            guard sourceOffset < source.size else { return false }
            let n = min(1 << 20, source.size - sourceOffset)
            input = try source.read(offset: sourceOffset, count: n)
            sourceOffset += n
            inputUsed = 0
        }
        return input[inputUsed] == 0x1f
    }
}
