/// Checked arithmetic for sizes, offsets and counts read from files.
///
/// Every number a file declares is untrusted: it is converted and combined here with overflow
/// checks, so a crafted value (e.g. a length ≥ 2^63, or dimensions whose product overflows)
/// becomes a ``DataError`` naming the file instead of a trap, and nothing is allocated for it
/// before it has been compared with the real size of the file.
enum DeclaredSize {
    /// `value` as an `Int`, or a `wrongSize` error saying what the value was (`what`).
    static func int(_ value: UInt64, _ what: String, file: String) throws -> Int {
        guard let v = Int(exactly: value) else {
            throw DataError(.wrongSize, file: file, "\(what) \(value) is larger than any file")
        }
        return v
    }

    /// `a + b` for non-negative sizes, or a `wrongSize` error.
    static func sum(_ a: Int, _ b: Int, _ what: String, file: String) throws -> Int {
        let (s, overflow) = a.addingReportingOverflow(b)
        guard !overflow, a >= 0, b >= 0 else {
            throw DataError(.wrongSize, file: file, "\(what) (\(a) + \(b)) overflows")
        }
        return s
    }

    /// The product of `dims` (1 for none); every factor must be ≥ 0 and the product must fit in
    /// an `Int`, else a `wrongShape` error quoting the dimensions.
    static func product(_ dims: [Int], _ what: String, file: String) throws -> Int {
        var p = 1
        for d in dims {
            guard d >= 0 else { throw DataError(.wrongShape, file: file, "\(what) \(dims) has a negative dimension") }
            let (q, overflow) = p.multipliedReportingOverflow(by: d)
            guard !overflow else { throw DataError(.wrongShape, file: file, "\(what) \(dims): the element count overflows") }
            p = q
        }
        return p
    }

    /// The product of `dims`, or nil when a factor is negative or the product overflows.
    static func checkedProduct(_ dims: [Int]) -> Int? {
        var p = 1
        for d in dims {
            guard d >= 0 else { return nil }
            let (q, overflow) = p.multipliedReportingOverflow(by: d)
            if overflow { return nil }
            p = q
        }
        return p
    }

    /// The most bytes a DEFLATE stream of `compressed` bytes can expand to: the format's ratio is
    /// at most 1032:1 (258-byte matches coded in 2 bits each), plus a little for the block headers.
    static func deflateBound(compressed: Int) -> Int {
        let (p, overflow) = compressed.multipliedReportingOverflow(by: 1032)
        return overflow ? Int.max : p.addingReportingOverflow(1 << 16).overflow ? Int.max : p + (1 << 16)
    }
}
