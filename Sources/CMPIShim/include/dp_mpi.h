/*
 * dp_mpi: the few MPI calls cifar-vgg's data-parallel training needs, as plain C functions.
 *
 * Swift cannot import Open MPI's handles (MPI_COMM_WORLD, MPI_FLOAT, MPI_SUM are macros over
 * the addresses of library globals), and linking libmpi at build time would make every package
 * that builds this one need MPI. So nothing here links MPI: dp_mpi_init() dlopen()s Open MPI's
 * libmpi.so.40 at run time, and only when the process was started by an MPI launcher (mpirun,
 * mpiexec, srun with PMIx). A process started any other way is rank 0 of 1 and never loads MPI.
 *
 * Only the thread that called dp_mpi_init() may call the others (MPI_THREAD_FUNNELED).
 * Every function returns 0 on success or an MPI error code (> 0) / -1 with dp_mpi_error() set.
 */
#ifndef DP_MPI_H
#define DP_MPI_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/// Reduction operators of dp_mpi_allreduce_*.
typedef enum { DP_MPI_SUM = 0, DP_MPI_MIN = 1, DP_MPI_MAX = 2 } dp_mpi_op;

/// Whether an MPI launcher started this process, judged from the environment it sets
/// (OMPI_COMM_WORLD_SIZE, PMIX_RANK, PMI_SIZE; Slurm's SLURM_NTASKS only with PMI/PMIx vars).
/// Writes the launcher's world size to *size (0 when unknown). No MPI library is touched.
int dp_mpi_launched(int *size);

/// Loads libmpi (DUALPROP_MPI_LIBRARY, else libmpi.so.40, else libmpi.so) with RTLD_GLOBAL,
/// resolves the Open MPI handles and calls MPI_Init_thread(FUNNELED). Returns 0, or -1 with a
/// message in dp_mpi_error() (library missing, not Open MPI, init failed).
int dp_mpi_init(void);

/// The last error message of this module ("" when none).
const char *dp_mpi_error(void);

/// Rank and size in MPI_COMM_WORLD (0 and 1 before dp_mpi_init).
int dp_mpi_rank(void);
int dp_mpi_size(void);

/// Processes of this job on this node (OMPI_COMM_WORLD_LOCAL_SIZE etc.; 1 when unknown).
int dp_mpi_local_size(void);

/// In-place allreduces over MPI_COMM_WORLD; counts above INT_MAX are split.
int dp_mpi_allreduce_float(float *values, int64_t count, dp_mpi_op op);
int dp_mpi_allreduce_double(double *values, int64_t count, dp_mpi_op op);
int dp_mpi_allreduce_int64(int64_t *values, int64_t count, dp_mpi_op op);

/// A pending non-blocking operation (an opaque MPI_Request).
typedef struct { void *request; } dp_mpi_request;

/// Starts an in-place non-blocking float sum (count ≤ INT_MAX); finish it with dp_mpi_wait.
int dp_mpi_iallreduce_float_sum(float *values, int64_t count, dp_mpi_request *request);
/// Lets pending operations progress; *done = 1 when `request` has completed (it is then freed).
int dp_mpi_test(dp_mpi_request *request, int *done);
/// Waits for `request`.
int dp_mpi_wait(dp_mpi_request *request);

/// Broadcasts `count` bytes from `root`.
int dp_mpi_bcast_bytes(void *bytes, int64_t count, int root);

/// Waits until every rank arrives.
int dp_mpi_barrier(void);

/// MPI_Abort(MPI_COMM_WORLD, code): ends every rank of the job. Does not return.
void dp_mpi_abort(int code);

/// MPI_Finalize (a no-op when MPI was never initialised).
int dp_mpi_finalize(void);

#ifdef __cplusplus
}
#endif
#endif
