internal import CZlib

/// DEFLATE decompression through the system zlib: raw streams (zip members) and gzip files.
enum Inflate {
    /// The zlib stream structure's size, as `inflateInit2_` wants it (the C macro is not imported).
    private static let streamSize = Int32(MemoryLayout<z_stream>.size)

    /// Inflates the raw DEFLATE stream `compressed` (no zlib/gzip wrapper) into exactly
    /// `expectedSize` bytes; `name` is used in errors.
    static func raw(_ compressed: [UInt8], expectedSize: Int, name: String) throws -> [UInt8] {
        var out = [UInt8](repeating: 0, count: expectedSize)
        var strm = z_stream()
        guard inflateInit2_(&strm, -15, zlibVersion(), streamSize) == Z_OK else {
            throw DataError(.corrupt, file: name, "zlib inflateInit2 failed")
        }
        defer { inflateEnd(&strm) }
        var inUsed = 0, outUsed = 0
        var status = Z_OK
        let spare = UnsafeMutablePointer<UInt8>.allocate(capacity: 1)
        defer { spare.deallocate() }
        try compressed.withUnsafeBufferPointer { src in
            try out.withUnsafeMutableBufferPointer { dst in
                while status != Z_STREAM_END {
                    let inChunk = min(compressed.count - inUsed, Int(UInt32.max >> 1))
                    let outChunk = min(expectedSize - outUsed, Int(UInt32.max >> 1))
                    strm.next_in = UnsafeMutablePointer(mutating: src.baseAddress.map { $0 + inUsed })
                    strm.avail_in = UInt32(inChunk)
                    // zlib wants a valid pointer even for zero room; one spare byte detects overlong output.
                    if outChunk > 0 {
                        strm.next_out = dst.baseAddress! + outUsed
                        strm.avail_out = UInt32(outChunk)
                    } else {
                        strm.next_out = spare
                        strm.avail_out = 1
                    }
                    status = inflate(&strm, Z_NO_FLUSH)
                    let consumedIn = inChunk - Int(strm.avail_in)
                    let produced = (outChunk > 0 ? outChunk : 1) - Int(strm.avail_out)
                    if outChunk == 0 && produced > 0 {
                        throw DataError(.corrupt, file: name, "inflates to more than the recorded \(expectedSize) bytes")
                    }
                    inUsed += consumedIn
                    outUsed += produced
                    if status == Z_STREAM_END { break }
                    if status != Z_OK && status != Z_BUF_ERROR {
                        throw DataError(.corrupt, file: name, "DEFLATE stream error \(status) after \(outUsed) bytes")
                    }
                    if consumedIn == 0 && produced == 0 {
                        throw DataError(.corrupt, file: name,
                                        "DEFLATE stream ends early: \(outUsed) of \(expectedSize) bytes (truncated?)")
                    }
                }
            }
        }
        if outUsed != expectedSize {
            throw DataError(.corrupt, file: name, "inflated to \(outUsed) bytes, the archive records \(expectedSize)")
        }
        return out
    }

    /// Decompresses a whole gzip file (one or more concatenated members).
    static func gunzip(_ compressed: [UInt8], name: String) throws -> [UInt8] {
        guard compressed.count >= 18, compressed[0] == 0x1f, compressed[1] == 0x8b else {
            throw DataError(.badMagic, file: name, "not a gzip file (expected bytes 1f 8b)")
        }
        // The trailer's ISIZE is the size modulo 2^32: a good first guess for the output.
        var out: [UInt8] = []
        out.reserveCapacity(Int(compressed.le(compressed.count - 4, 4)))
        var strm = z_stream()
        guard inflateInit2_(&strm, 15 + 16, zlibVersion(), streamSize) == Z_OK else {
            throw DataError(.corrupt, file: name, "zlib inflateInit2 failed")
        }
        defer { inflateEnd(&strm) }
        var chunk = [UInt8](repeating: 0, count: 1 << 20)
        var inUsed = 0
        try compressed.withUnsafeBufferPointer { src in
            while true {
                let inChunk = min(compressed.count - inUsed, Int(UInt32.max >> 1))
                strm.next_in = UnsafeMutablePointer(mutating: src.baseAddress! + inUsed)
                strm.avail_in = UInt32(inChunk)
                let (status, produced) = chunk.withUnsafeMutableBufferPointer { dst -> (Int32, Int) in
                    strm.next_out = dst.baseAddress
                    strm.avail_out = UInt32(dst.count)
                    let s = inflate(&strm, Z_NO_FLUSH)
                    return (s, dst.count - Int(strm.avail_out))
                }
                let consumedIn = inChunk - Int(strm.avail_in)
                inUsed += consumedIn
                out.append(contentsOf: chunk[0..<produced])
                if status == Z_STREAM_END {
                    // Another gzip member may follow (concatenated gzip); trailing zeros are ignored.
                    if inUsed < compressed.count && compressed[inUsed] == 0x1f {
                        inflateReset(&strm)
                        continue
                    }
                    return
                }
                if status != Z_OK && status != Z_BUF_ERROR {
                    throw DataError(.corrupt, file: name, "gzip stream error \(status) after \(out.count) bytes")
                }
                if consumedIn == 0 && produced == 0 {
                    throw DataError(.wrongSize, file: name, "gzip stream ends early after \(out.count) bytes (truncated?)")
                }
            }
        }
        return out
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
