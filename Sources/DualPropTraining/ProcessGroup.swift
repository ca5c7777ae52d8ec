internal import CMPIShim
import DualProp
import DualPropKernels
import Foundation

/// The processes that train one model together: rank `rank` of `size`. Started by `mpirun -np N`
/// (or `srun`), the group is MPI's world, loaded at run time by the C shim (`CMPIShim`); started
/// any other way it is `.single`, and no MPI library is loaded at all.
///
/// Only the thread that called `join()` may use the group (MPI_THREAD_FUNNELED): the training
/// loop's thread. The kernels' OpenMP workers never call MPI.
public struct ProcessGroup: Sendable {
    /// This process's rank, 0-based.
    public let rank: Int
    /// The number of processes.
    public let size: Int
    /// Processes of the group on this machine (for the default thread count).
    public let localSize: Int

    /// One process, no MPI.
    public static let single = ProcessGroup(rank: 0, size: 1, localSize: 1)

    /// Rank 0 writes the run directory and shows progress.
    public var isRoot: Bool { rank == 0 }

    /// The world size an MPI launcher announced in the environment, without loading MPI; nil
    /// when no launcher started this process.
    public static func launcherSize() -> Int? {
        var n: Int32 = 0
        return dp_mpi_launched(&n) != 0 ? Int(max(n, 1)) : nil
    }

    /// `.single`, or the MPI world when an MPI launcher started this process (initialises MPI).
    public static func join() throws -> ProcessGroup {
        guard launcherSize() != nil else { return .single }
        guard dp_mpi_init() == 0 else { throw TrainingError("MPI: " + String(cString: dp_mpi_error())) }
        return ProcessGroup(rank: Int(dp_mpi_rank()), size: Int(dp_mpi_size()), localSize: Int(dp_mpi_local_size()))
    }

    /// Ends MPI after a successful run (every rank must call it).
    public func finalize() { _ = dp_mpi_finalize() }

    /// Ends every process of the job with `code` (MPI_Abort); the caller prints its message first.
    public func abort(code: Int32) -> Never {
        dp_mpi_abort(code)
        exit(code)  // not reached: dp_mpi_abort exits
    }

    /// "rank r of N: " under MPI, "" for one process (error messages name the rank).
    var messagePrefix: String { size > 1 ? "rank \(rank) of \(size): " : "" }

    private func check(_ rc: Int32, _ what: String) throws {
        guard rc == 0 else {
            let detail = rc < 0 ? String(cString: dp_mpi_error()) : "MPI error \(rc)"
            throw TrainingError("\(messagePrefix)\(what) failed: \(detail)")
        }
    }

    /// Element-wise sum over the ranks, in place (a no-op for one process).
    func sum(_ values: inout [Double]) throws {
        guard size > 1 else { return }
        try values.withUnsafeMutableBufferPointer { p in
            try check(dp_mpi_allreduce_double(p.baseAddress, Int64(p.count), DP_MPI_SUM), "MPI_Allreduce (sum of doubles)")
        }
    }

    /// Element-wise sum of floats over the ranks, in place.
    func sum(_ values: UnsafeMutableBufferPointer<Float>) throws {
        guard size > 1 else { return }
        try check(dp_mpi_allreduce_float(values.baseAddress, Int64(values.count), DP_MPI_SUM), "MPI_Allreduce (gradients)")
    }

    /// The minimum and maximum of `value` over the ranks.
    func range(_ value: Int64) throws -> (min: Int64, max: Int64) {
        guard size > 1 else { return (value, value) }
        var lo = [value], hi = [value]
        try check(dp_mpi_allreduce_int64(&lo, 1, DP_MPI_MIN), "MPI_Allreduce (min)")
        try check(dp_mpi_allreduce_int64(&hi, 1, DP_MPI_MAX), "MPI_Allreduce (max)")
        return (lo[0], hi[0])
    }

    /// Rank 0's `bytes` on every rank (length first, then the bytes).
    func broadcast(_ bytes: inout [UInt8]) throws {
        guard size > 1 else { return }
        var count = [Int64(bytes.count)]
        try count.withUnsafeMutableBytes { try check(dp_mpi_bcast_bytes($0.baseAddress, 8, 0), "MPI_Bcast (length)") }
        guard count[0] >= 0 && count[0] < 1 << 40 else { throw TrainingError("\(messagePrefix)MPI_Bcast: impossible length \(count[0])") }
        if !isRoot { bytes = [UInt8](repeating: 0, count: Int(count[0])) }
        try bytes.withUnsafeMutableBytes { try check(dp_mpi_bcast_bytes($0.baseAddress, Int64($0.count), 0), "MPI_Bcast") }
    }

    /// Rank 0's `floats` on every rank.
    func broadcast(_ floats: inout [Float]) throws {
        guard size > 1 else { return }
        var bytes = isRoot ? floats.withUnsafeBytes { Array($0) } : []
        try broadcast(&bytes)
        if !isRoot {
            guard bytes.count % 4 == 0 else { throw TrainingError("\(messagePrefix)MPI_Bcast: \(bytes.count) bytes are not floats") }
            floats = [Float](repeating: 0, count: bytes.count / 4)
            floats.withUnsafeMutableBytes { dst in bytes.withUnsafeBytes { dst.copyMemory(from: $0) } }
        }
    }
}

/// A pending non-blocking sum (see `GradientBuckets`).
struct PendingSum {
    var request = dp_mpi_request(request: nil)

    /// Starts summing `values` in place over the ranks.
    static func start(_ values: UnsafeMutableBufferPointer<Float>, group: ProcessGroup) throws -> PendingSum {
        var p = PendingSum()
        guard group.size > 1 else { return p }
        let rc = dp_mpi_iallreduce_float_sum(values.baseAddress, Int64(values.count), &p.request)
        guard rc == 0 else {
            throw TrainingError("\(group.messagePrefix)MPI_Iallreduce failed: \(rc < 0 ? String(cString: dp_mpi_error()) : "MPI error \(rc)")")
        }
        return p
    }

    /// Lets MPI progress; true once the sum is complete.
    mutating func poll() -> Bool {
        var done: Int32 = 1
        _ = dp_mpi_test(&request, &done)
        return done != 0
    }

    /// Waits for the sum.
    mutating func wait() throws {
        let rc = dp_mpi_wait(&request)
        guard rc == 0 else { throw TrainingError("MPI_Wait failed: MPI error \(rc)") }
    }
}
