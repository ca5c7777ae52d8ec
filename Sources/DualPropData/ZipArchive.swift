/// A read-only zip archive (PKWARE APPNOTE): the central directory, then members on demand.
///
/// Supports STORED (0) and DEFLATE (8) members, zip64 sizes and offsets (central-directory extra
/// field 0x0001 and the zip64 end record), data descriptors (sizes come from the central
/// directory), and checks every member's CRC-32. Encrypted members and other methods throw
/// ``DataError/Problem/unsupported``. Used for `.npz` files and the ImageNet32 release zips.
struct ZipArchive {
    /// One central-directory entry.
    struct Entry {
        var name: String
        var method: UInt16
        var flags: UInt16
        var crc32: UInt32
        var compressedSize: Int
        var uncompressedSize: Int
        var localHeaderOffset: Int
        /// The last path component (`dir/x.npz` → `x.npz`).
        var baseName: String { name.split(separator: "/").last.map(String.init) ?? name }
    }

    let source: ByteSource
    let entries: [Entry]

    /// Reads the central directory of `source`.
    init(_ source: ByteSource) throws {
        self.source = source
        let name = source.name
        // The end-of-central-directory record is in the last 22 + 65535 bytes.
        let tailCount = min(source.size, 22 + 65_535)
        guard source.size >= 22 else {
            throw DataError(.badMagic, file: name, "too small (\(source.size) bytes) to be a zip archive")
        }
        let tail = try source.read(offset: source.size - tailCount, count: tailCount)
        var eocd = -1
        var i = tail.count - 22
        while i >= 0 {
            if tail.le(i, 4) == 0x0605_4b50 { eocd = i; break }
            i -= 1
        }
        guard eocd >= 0 else {
            throw DataError(.badMagic, file: name, "no zip end-of-central-directory record (not a zip, or truncated)")
        }
        var entryCount = Int(tail.le(eocd + 10, 2))
        var cdSize = Int(tail.le(eocd + 12, 4))
        var cdOffset = Int(tail.le(eocd + 16, 4))
        // zip64: a locator sits just before the EOCD and points at the zip64 end record.
        let locatorAt = eocd - 20
        if locatorAt >= 0 && tail.le(locatorAt, 4) == 0x0706_4b50 {
            let z64Offset = Int(tail.le(locatorAt + 8, 8))
            let rec = try source.read(offset: z64Offset, count: 56)
            guard rec.le(0, 4) == 0x0606_4b50 else {
                throw DataError(.corrupt, file: name, "zip64 end record missing at offset \(z64Offset)")
            }
            entryCount = Int(rec.le(32, 8))
            cdSize = Int(rec.le(40, 8))
            cdOffset = Int(rec.le(48, 8))
        }
        let cd = try source.read(offset: cdOffset, count: cdSize)
        var list: [Entry] = []
        list.reserveCapacity(entryCount)
        var at = 0
        for k in 0..<entryCount {
            guard at + 46 <= cd.count, cd.le(at, 4) == 0x0201_4b50 else {
                throw DataError(.corrupt, file: name, "central directory entry \(k) is malformed")
            }
            let nameLen = Int(cd.le(at + 28, 2)), extraLen = Int(cd.le(at + 30, 2)), commentLen = Int(cd.le(at + 32, 2))
            guard at + 46 + nameLen + extraLen + commentLen <= cd.count else {
                throw DataError(.corrupt, file: name, "central directory entry \(k) overruns the directory")
            }
            var e = Entry(
                name: String(decoding: cd[(at + 46)..<(at + 46 + nameLen)], as: UTF8.self),
                method: UInt16(cd.le(at + 10, 2)), flags: UInt16(cd.le(at + 8, 2)),
                crc32: UInt32(cd.le(at + 16, 4)),
                compressedSize: Int(cd.le(at + 20, 4)), uncompressedSize: Int(cd.le(at + 24, 4)),
                localHeaderOffset: Int(cd.le(at + 42, 4)))
            // zip64 extra field: 8-byte values for exactly those fields saturated at 0xFFFFFFFF.
            var x = at + 46 + nameLen
            let xEnd = x + extraLen
            while x + 4 <= xEnd {
                let tag = cd.le(x, 2), len = Int(cd.le(x + 2, 2))
                if tag == 0x0001 {
                    var f = x + 4
                    if e.uncompressedSize == 0xFFFF_FFFF && f + 8 <= x + 4 + len { e.uncompressedSize = Int(cd.le(f, 8)); f += 8 }
                    if e.compressedSize == 0xFFFF_FFFF && f + 8 <= x + 4 + len { e.compressedSize = Int(cd.le(f, 8)); f += 8 }
                    if e.localHeaderOffset == 0xFFFF_FFFF && f + 8 <= x + 4 + len { e.localHeaderOffset = Int(cd.le(f, 8)); f += 8 }
                }
                x += 4 + len
            }
            list.append(e)
            at += 46 + nameLen + extraLen + commentLen
        }
        entries = list
    }

    /// The entry whose full name or last path component is `name`.
    func entry(named name: String) -> Entry? {
        entries.first { $0.name == name } ?? entries.first { $0.baseName == name }
    }

    /// `archive:member` for error messages.
    func memberPath(_ e: Entry) -> String { source.name + ":" + e.name }

    /// The uncompressed bytes of `e`, CRC-checked.
    func extract(_ e: Entry) throws -> [UInt8] {
        let where_ = memberPath(e)
        if e.flags & 1 != 0 { throw DataError(.unsupported, file: where_, "member is encrypted") }
        guard e.method == 0 || e.method == 8 else {
            throw DataError(.unsupported, file: where_, "compression method \(e.method) (only STORED 0 and DEFLATE 8)")
        }
        let local = try source.read(offset: e.localHeaderOffset, count: 30)
        guard local.le(0, 4) == 0x0403_4b50 else {
            throw DataError(.corrupt, file: where_, "no local file header at offset \(e.localHeaderOffset)")
        }
        let dataStart = e.localHeaderOffset + 30 + Int(local.le(26, 2)) + Int(local.le(28, 2))
        let raw = try source.read(offset: dataStart, count: e.compressedSize)
        let bytes: [UInt8]
        if e.method == 0 {
            guard e.compressedSize == e.uncompressedSize else {
                throw DataError(.corrupt, file: where_, "stored member with compressed size \(e.compressedSize) ≠ size \(e.uncompressedSize)")
            }
            bytes = raw
        } else {
            bytes = try Inflate.raw(raw, expectedSize: e.uncompressedSize, name: where_)
        }
        let crc = Inflate.crc32(bytes)
        guard crc == e.crc32 else {
            throw DataError(.corrupt, file: where_, "CRC-32 \(String(crc, radix: 16)) ≠ recorded \(String(e.crc32, radix: 16))")
        }
        return bytes
    }
}
