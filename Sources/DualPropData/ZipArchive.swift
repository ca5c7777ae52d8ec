/// A read-only zip archive (PKWARE APPNOTE): the central directory, then members on demand.
///
/// Supports STORED (0) and DEFLATE (8) members, zip64 sizes and offsets (central-directory extra
/// field 0x0001 and the zip64 end record), data descriptors (sizes come from the central
/// directory), and checks every member's CRC-32. Encrypted members and other methods throw
/// ``DataError/Problem/unsupported``. Used for `.npz` files and the ImageNet32 release zips.
///
/// Every size, offset and count the archive declares is checked against the archive's real size
/// (checked arithmetic) before it is used or anything is allocated for it; a member is inflated
/// into a buffer that grows with the output, never to the declared size up front.
struct ZipArchive {
    /// One central-directory entry; sizes and offset are as declared (checked on extraction).
    struct Entry {
        var name: String
        var method: UInt16
        var flags: UInt16
        var crc32: UInt32
        var compressedSize: UInt64
        var uncompressedSize: UInt64
        var localHeaderOffset: UInt64
        /// The last path component (`dir/x.npz` → `x.npz`).
        var baseName: String { name.split(separator: "/").last.map(String.init) ?? name }
    }

    /// The most entries read from one central directory (npz files hold a few arrays, the
    /// ImageNet32 release zips ten files): a bound on the memory of the entry list.
    static let maximumEntries = 1 << 20

    let source: ByteSource
    let entries: [Entry]

    /// Reads the central directory of `source`.
    init(_ source: ByteSource) throws {
        self.source = source
        let name = source.name
        guard source.size >= 22 else {
            throw DataError(.badMagic, file: name, "too small (\(source.size) bytes) to be a zip archive")
        }
        // The end-of-central-directory record is in the last 22 + 65535 bytes.
        let tailCount = min(source.size, 22 + 65_535)
        let tailStart = source.size - tailCount
        let tail = try source.read(offset: tailStart, count: tailCount)
        var eocd = -1
        var i = tail.count - 22
        while i >= 0 {
            if tail.le(i, 4) == 0x0605_4b50 { eocd = i; break }
            i -= 1
        }
        guard eocd >= 0 else {
            throw DataError(.badMagic, file: name, "no zip end-of-central-directory record (not a zip, or truncated)")
        }
        var entryCount = tail.le(eocd + 10, 2)
        var cdSize = tail.le(eocd + 12, 4)
        var cdOffset = tail.le(eocd + 16, 4)
        // Where the central directory must end: before the zip64 end record or the EOCD.
        var cdLimit = UInt64(tailStart + eocd)
        // zip64: a locator sits just before the EOCD and points at the zip64 end record.
        let locatorAt = eocd - 20
        if locatorAt >= 0 && tail.le(locatorAt, 4) == 0x0706_4b50 {
            let z64Offset = tail.le(locatorAt + 8, 8)
            let locatorPosition = UInt64(tailStart + locatorAt)
            guard locatorPosition >= 56, z64Offset <= locatorPosition - 56 else {
                throw DataError(.corrupt, file: name,
                                "zip64 end record offset \(z64Offset) does not leave room for the record before the locator at \(locatorPosition)")
            }
            let rec = try source.read(offset: Int(z64Offset), count: 56)
            guard rec.le(0, 4) == 0x0606_4b50 else {
                throw DataError(.corrupt, file: name, "zip64 end record missing at offset \(z64Offset)")
            }
            entryCount = rec.le(32, 8)
            cdSize = rec.le(40, 8)
            cdOffset = rec.le(48, 8)
            cdLimit = z64Offset
        }
        guard cdOffset <= cdLimit, cdSize <= cdLimit - cdOffset else {
            throw DataError(.corrupt, file: name,
                            "central directory of \(cdSize) bytes at offset \(cdOffset) does not fit before byte \(cdLimit) of the \(source.size)-byte archive")
        }
        // Each entry takes at least 46 bytes.
        guard entryCount <= cdSize / 46 else {
            throw DataError(.corrupt, file: name, "declares \(entryCount) entries, but its \(cdSize)-byte central directory holds at most \(cdSize / 46)")
        }
        guard entryCount <= UInt64(Self.maximumEntries) else {
            throw DataError(.unsupported, file: name, "\(entryCount) entries (more than \(Self.maximumEntries))")
        }
        let cd = try source.read(offset: Int(cdOffset), count: Int(cdSize))
        var list: [Entry] = []
        list.reserveCapacity(Int(entryCount))
        var at = 0
        for k in 0..<Int(entryCount) {
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
                compressedSize: cd.le(at + 20, 4), uncompressedSize: cd.le(at + 24, 4),
                localHeaderOffset: cd.le(at + 42, 4))
            // zip64 extra field: 8-byte values for exactly those fields saturated at 0xFFFFFFFF.
            var x = at + 46 + nameLen
            let xEnd = x + extraLen
            while x + 4 <= xEnd {
                let tag = cd.le(x, 2), len = Int(cd.le(x + 2, 2))
                guard x + 4 + len <= xEnd else {
                    throw DataError(.corrupt, file: name, "central directory entry \(k) (\(e.name)): extra field overruns its \(extraLen) bytes")
                }
                if tag == 0x0001 {
                    var f = x + 4
                    let fEnd = x + 4 + len
                    if e.uncompressedSize == 0xFFFF_FFFF && f + 8 <= fEnd { e.uncompressedSize = cd.le(f, 8); f += 8 }
                    if e.compressedSize == 0xFFFF_FFFF && f + 8 <= fEnd { e.compressedSize = cd.le(f, 8); f += 8 }
                    if e.localHeaderOffset == 0xFFFF_FFFF && f + 8 <= fEnd { e.localHeaderOffset = cd.le(f, 8); f += 8 }
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

    /// The uncompressed bytes of `e`, CRC-checked. The declared sizes are checked first: the
    /// compressed bytes must lie inside the archive, a STORED member has equal sizes, and a
    /// DEFLATE member cannot declare more than DEFLATE's 1032:1 expansion of its compressed size.
    func extract(_ e: Entry) throws -> [UInt8] {
        let where_ = memberPath(e)
        if e.flags & 1 != 0 { throw DataError(.unsupported, file: where_, "member is encrypted") }
        guard e.method == 0 || e.method == 8 else {
            throw DataError(.unsupported, file: where_, "compression method \(e.method) (only STORED 0 and DEFLATE 8)")
        }
        guard e.localHeaderOffset <= UInt64(source.size) else {
            throw DataError(.corrupt, file: where_, "local header offset \(e.localHeaderOffset) lies beyond the \(source.size)-byte archive")
        }
        let localAt = Int(e.localHeaderOffset)
        let local = try source.read(offset: localAt, count: 30)
        guard local.le(0, 4) == 0x0403_4b50 else {
            throw DataError(.corrupt, file: where_, "no local file header at offset \(e.localHeaderOffset)")
        }
        let dataStart = localAt + 30 + Int(local.le(26, 2)) + Int(local.le(28, 2))  // ≤ size + 131100: no overflow
        guard dataStart <= source.size, e.compressedSize <= UInt64(source.size - dataStart) else {
            throw DataError(.corrupt, file: where_,
                            "\(e.compressedSize) compressed bytes from offset \(dataStart) run past the end of the \(source.size)-byte archive")
        }
        let compressedSize = Int(e.compressedSize)
        let expectedSize: Int
        if e.method == 0 {
            guard e.compressedSize == e.uncompressedSize else {
                throw DataError(.corrupt, file: where_, "stored member with compressed size \(e.compressedSize) ≠ size \(e.uncompressedSize)")
            }
            expectedSize = compressedSize
        } else {
            guard e.uncompressedSize <= UInt64(DeclaredSize.deflateBound(compressed: compressedSize)) else {
                throw DataError(.corrupt, file: where_,
                                "declares \(e.uncompressedSize) bytes uncompressed from \(compressedSize) compressed bytes, more than DEFLATE can expand (1032:1)")
            }
            expectedSize = Int(e.uncompressedSize)
        }
        let raw = try source.read(offset: dataStart, count: compressedSize)
        let bytes = e.method == 0 ? raw : try Inflate.raw(raw, expectedSize: expectedSize, name: where_)
        let crc = Inflate.crc32(bytes)
        guard crc == e.crc32 else {
            throw DataError(.corrupt, file: where_, "CRC-32 \(String(crc, radix: 16)) ≠ recorded \(String(e.crc32, radix: 16))")
        }
        return bytes
    }
}
