internal import CKernels

extension Runtime {
    /// The thread count kernels use when none is set, and why: `OMP_NUM_THREADS`, else the
    /// physical cores of the affinity mask, lowered to a cgroup CPU quota (`ck_default_num_threads`).
    public static var defaultThreads: (count: Int, reason: String) {
        var why = [CChar](repeating: 0, count: 256)
        let n = why.withUnsafeMutableBufferPointer { ck_default_num_threads($0.baseAddress, $0.count) }
        let reason = why.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
        return (Int(n), reason)
    }

    /// One line for a program's log: the thread count in use and where it came from, e.g.
    /// "8 threads (--threads 8)" or "2 threads (default: 2 CPUs in the affinity mask, no cgroup CPU quota)".
    /// `requested` is the count the user asked for (0 or less: none), `option` how they asked.
    public static func threadChoiceDescription(requested: Int, option: String = "--threads") -> String {
        let count = threads == 1 ? "1 thread" : "\(threads) threads"
        if requested > 0 { return "\(count) (\(option) \(requested))" }
        return "\(count) (default: \(defaultThreads.reason))"
    }
}
