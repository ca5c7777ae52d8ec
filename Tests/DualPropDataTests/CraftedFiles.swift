import CZlib
import Foundation
import DualPropData

/// Builders of damaged and crafted files for the hostile-input tests and the fuzz seed corpus.
enum Crafted {
    static func le(_ v: UInt64, _ width: Int) -> [UInt8] { (0..<width).map { UInt8(truncatingIfNeeded: v >> (8 * UInt64($0))) } }
    static func be32(_ v: UInt32) -> [UInt8] { [24, 16, 8, 0].map { UInt8(truncatingIfNeeded: v >> UInt32($0)) } }

    /// A safetensors file with `header` as its JSON text and `data` after it.
    static func safetensors(header: String, data: [UInt8] = [], declaredLength: UInt64? = nil) -> [UInt8] {
        let h = Array(header.utf8)
        return le(declaredLength ?? UInt64(h.count), 8) + h + data
    }

    /// zlib's CRC-32.
    static func crc32(_ b: [UInt8]) -> UInt32 { UInt32(CZlib.crc32(0, b, uInt(b.count))) }

    /// Raw DEFLATE (`windowBits` -15) or gzip (31) compression of `b`.
    static func deflate(_ b: [UInt8], windowBits: Int32 = -15) -> [UInt8] {
        var strm = z_stream()
        precondition(deflateInit2_(&strm, 9, Z_DEFLATED, windowBits, 8, Z_DEFAULT_STRATEGY, zlibVersion(), Int32(MemoryLayout<z_stream>.size)) == Z_OK)
        defer { deflateEnd(&strm) }
        var out = [UInt8](repeating: 0, count: Int(deflateBound(&strm, uLong(b.count))) + 64)
        var input = b
        let produced: Int = input.withUnsafeMutableBufferPointer { src in
            out.withUnsafeMutableBufferPointer { dst in
                strm.next_in = src.baseAddress; strm.avail_in = uInt(src.count)
                strm.next_out = dst.baseAddress; strm.avail_out = uInt(dst.count)
                precondition(CZlib.deflate(&strm, Z_FINISH) == Z_STREAM_END)
                return dst.count - Int(strm.avail_out)
            }
        }
        return Array(out[0..<produced])
    }

    /// gzip of `b`.
    static func gzip(_ b: [UInt8]) -> [UInt8] { deflate(b, windowBits: 31) }

    /// One zip member: `stored` bytes (already compressed for method 8) and the values to declare.
    struct Member {
        var name: String
        var stored: [UInt8]
        var method: UInt16 = 0
        var crc: UInt32
        var compressedSize: UInt64
        var uncompressedSize: UInt64
        /// 8-byte values of a zip64 extra field (sizes and offset saturated at 0xFFFFFFFF).
        var zip64Extra: [UInt64]? = nil
        var localOffset: UInt64? = nil

        init(name: String, data: [UInt8], deflated: Bool = false) {
            self.name = name
            stored = deflated ? Crafted.deflate(data) : data
            method = deflated ? 8 : 0
            crc = Crafted.crc32(data)
            compressedSize = UInt64(stored.count); uncompressedSize = UInt64(data.count)
        }
    }

    /// Zip64 end-record values to declare instead of the real ones.
    struct Zip64 {
        var entries: UInt64? = nil, cdSize: UInt64? = nil, cdOffset: UInt64? = nil, recordOffset: UInt64? = nil
    }

    /// A zip archive of `members`, optionally with a zip64 end record and locator.
    static func zip(_ members: [Member], zip64: Zip64? = nil, eocdEntries: UInt64? = nil) -> [UInt8] {
        var out: [UInt8] = [], central: [UInt8] = []
        for m in members {
            let offset = UInt64(out.count)
            // A zip64 extra field holds, in order, the uncompressed size, compressed size and
            // offset; the 4-byte fields it replaces are saturated.
            let extraCount = m.zip64Extra?.count ?? 0
            let satU = extraCount >= 1, satC = extraCount >= 2, satO = extraCount >= 3
            let name = Array(m.name.utf8)
            out += le(0x0403_4b50, 4) + le(20, 2) + le(0, 2) + le(UInt64(m.method), 2) + le(0, 4) + le(UInt64(m.crc), 4)
            out += le(satC ? 0xFFFF_FFFF : m.compressedSize, 4) + le(satU ? 0xFFFF_FFFF : m.uncompressedSize, 4)
            out += le(UInt64(name.count), 2) + le(0, 2) + name + m.stored
            let extra = m.zip64Extra.map { vs in le(1, 2) + le(UInt64(8 * vs.count), 2) + vs.flatMap { le($0, 8) } } ?? []
            central += le(0x0201_4b50, 4) + le(45, 2) + le(45, 2) + le(0, 2) + le(UInt64(m.method), 2) + le(0, 4)
            central += le(UInt64(m.crc), 4) + le(satC ? 0xFFFF_FFFF : m.compressedSize, 4) + le(satU ? 0xFFFF_FFFF : m.uncompressedSize, 4)
            central += le(UInt64(name.count), 2) + le(UInt64(extra.count), 2) + le(0, 2) + le(0, 2) + le(0, 2) + le(0, 4)
            central += le(satO ? 0xFFFF_FFFF : (m.localOffset ?? offset), 4) + name + extra
        }
        let cdOffset = UInt64(out.count), cdSize = UInt64(central.count)
        out += central
        if let z = zip64 {
            let recordAt = UInt64(out.count)
            out += le(0x0606_4b50, 4) + le(44, 8) + le(45, 2) + le(45, 2) + le(0, 4) + le(0, 4)
            out += le(z.entries ?? UInt64(members.count), 8) + le(z.entries ?? UInt64(members.count), 8)
            out += le(z.cdSize ?? cdSize, 8) + le(z.cdOffset ?? cdOffset, 8)
            out += le(0x0706_4b50, 4) + le(0, 4) + le(z.recordOffset ?? recordAt, 8) + le(1, 4)
        }
        let n = eocdEntries ?? UInt64(members.count)
        out += le(0x0605_4b50, 4) + le(0, 2) + le(0, 2) + le(n, 2) + le(n, 2)
        out += le(zip64 != nil ? 0xFFFF_FFFF : cdSize, 4) + le(zip64 != nil ? 0xFFFF_FFFF : cdOffset, 4) + le(0, 2)
        return out
    }

    /// A `.npy` file (version 1) with `header` as the dict text and `data` after it.
    static func npy(descr: String = "|u1", shape: String, data: [UInt8]) -> [UInt8] {
        var h = Array("{'descr': '\(descr)', 'fortran_order': False, 'shape': \(shape), }".utf8)
        while (10 + h.count + 1) % 64 != 0 { h.append(0x20) }
        h.append(0x0a)
        return [0x93] + Array("NUMPY".utf8) + [1, 0] + le(UInt64(h.count), 2) + h + data
    }

    /// An idx3 image file header (and `data`).
    static func idxImages(count: UInt32, rows: UInt32, columns: UInt32, data: [UInt8]) -> [UInt8] {
        be32(2051) + be32(count) + be32(rows) + be32(columns) + data
    }

    /// An idx1 label file.
    static func idxLabels(_ labels: [UInt8], declared: UInt32? = nil) -> [UInt8] {
        be32(2049) + be32(declared ?? UInt32(labels.count)) + labels
    }

    /// A valid ImageNet32-style npz with `n` images.
    static func npz(images n: Int, deflated: Bool = false) -> [UInt8] {
        let data = npy(shape: "(\(n), 3072)", data: (0..<(n * 3072)).map { UInt8($0 % 251) })
        let labels = npy(descr: "<i8", shape: "(\(n),)", data: (0..<n).flatMap { le(UInt64($0 % 1000 + 1), 8) })
        return zip([Member(name: "data.npy", data: data, deflated: deflated), Member(name: "labels.npy", data: labels, deflated: deflated)])
    }
}
