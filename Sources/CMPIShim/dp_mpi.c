/*
 * dp_mpi: Open MPI loaded with dlopen() (see dp_mpi.h for why nothing links it).
 *
 * Open MPI's handles are the addresses of exported globals (MPI_COMM_WORLD is
 * &ompi_mpi_comm_world, MPI_FLOAT &ompi_mpi_float, MPI_SUM &ompi_mpi_op_sum), MPI_IN_PLACE is
 * (void *)1 and MPI_STATUS_IGNORE is NULL: that is Open MPI's ABI, stable across its 3.x-5.x
 * releases (libmpi.so.40). Other MPIs (MPICH's integer handles) are refused with a message.
 * All state is written once by dp_mpi_init on the one thread that uses MPI.
 */
#define _GNU_SOURCE
#include "dp_mpi.h"

#include <dlfcn.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef void *handle;
enum { THREAD_FUNNELED = 1 };

static struct {
    void *library;
    int rank, size;
    handle world, float_type, double_type, int64_type, byte_type, ops[3];
    void *in_place;
    int (*init_thread)(int *, char ***, int, int *);
    int (*initialized)(int *);
    int (*finalized)(int *);
    int (*comm_rank)(handle, int *);
    int (*comm_size)(handle, int *);
    int (*allreduce)(const void *, void *, int, handle, handle, handle);
    int (*iallreduce)(const void *, void *, int, handle, handle, handle, handle *);
    int (*test)(handle *, int *, void *);
    int (*wait)(handle *, void *);
    int (*bcast)(void *, int, handle, int, handle);
    int (*barrier)(handle);
    int (*abort)(handle, int);
    int (*finalize)(void);
} mpi = {.rank = 0, .size = 1};

static char error_text[512];

static int fail(const char *format, const char *detail) {
    snprintf(error_text, sizeof error_text, format, detail ? detail : "");
    return -1;
}

const char *dp_mpi_error(void) { return error_text; }

static int env_int(const char *name) {
    const char *v = getenv(name);
    if (!v || !*v) return -1;
    char *end = NULL;
    long x = strtol(v, &end, 10);
    return (*end == 0 && x >= 0 && x <= INT_MAX) ? (int)x : -1;
}

int dp_mpi_launched(int *size) {
    static const char *const size_vars[] = {"OMPI_COMM_WORLD_SIZE", "PMIX_SIZE", "PMI_SIZE"};
    *size = 0;
    for (size_t i = 0; i < sizeof size_vars / sizeof *size_vars; i++) {
        int n = env_int(size_vars[i]);
        if (n > 0) { *size = n; return 1; }
    }
    if (getenv("PMIX_RANK") || getenv("PMI_RANK")) return 1;  // size comes from MPI itself
    return 0;
}

int dp_mpi_local_size(void) {
    static const char *const vars[] = {"OMPI_COMM_WORLD_LOCAL_SIZE", "MPI_LOCALNRANKS", "SLURM_NTASKS_PER_NODE"};
    for (size_t i = 0; i < sizeof vars / sizeof *vars; i++) {
        int n = env_int(vars[i]);
        if (n > 0) return n;
    }
    return 1;
}

#define RESOLVE(field, symbol)                                                         \
    do {                                                                               \
        *(void **)&mpi.field = dlsym(mpi.library, symbol);                             \
        if (!mpi.field) return fail("%s: symbol " symbol " missing (not Open MPI ≥ 3?)", name); \
    } while (0)

int dp_mpi_init(void) {
    if (mpi.library) return 0;
    const char *override = getenv("DUALPROP_MPI_LIBRARY");
    // An explicit library is the only candidate: falling back would hide a wrong path.
    const char *candidates[] = {override, "libmpi.so.40", "libmpi.so"};
    const size_t first = (override && *override) ? 0 : 1, last = (override && *override) ? 1 : 3;
    const char *name = NULL;
    char first_error[256] = "";
    for (size_t i = first; i < last && !mpi.library; i++) {
        name = candidates[i];
        // RTLD_GLOBAL: Open MPI's plugins (mca_*.so) resolve libmpi's symbols from the global scope.
        mpi.library = dlopen(name, RTLD_NOW | RTLD_GLOBAL);
        if (!mpi.library && !first_error[0]) snprintf(first_error, sizeof first_error, "%s", dlerror());
    }
    if (!mpi.library)
        return fail("started by an MPI launcher, but Open MPI's library could not be loaded (%s); "
                    "install it (apt-get install openmpi-bin libopenmpi-dev) or set DUALPROP_MPI_LIBRARY", first_error);
    if (!dlsym(mpi.library, "ompi_mpi_comm_world")) {
        fail("%s is not Open MPI (no ompi_mpi_comm_world): only Open MPI's ABI is supported", name);
        dlclose(mpi.library); mpi.library = NULL;
        return -1;
    }
    mpi.world = dlsym(mpi.library, "ompi_mpi_comm_world");
    RESOLVE(float_type, "ompi_mpi_float");
    RESOLVE(double_type, "ompi_mpi_double");
    RESOLVE(int64_type, "ompi_mpi_int64_t");
    RESOLVE(byte_type, "ompi_mpi_byte");
    RESOLVE(ops[DP_MPI_SUM], "ompi_mpi_op_sum");
    RESOLVE(ops[DP_MPI_MIN], "ompi_mpi_op_min");
    RESOLVE(ops[DP_MPI_MAX], "ompi_mpi_op_max");
    RESOLVE(init_thread, "MPI_Init_thread");
    RESOLVE(initialized, "MPI_Initialized");
    RESOLVE(finalized, "MPI_Finalized");
    RESOLVE(comm_rank, "MPI_Comm_rank");
    RESOLVE(comm_size, "MPI_Comm_size");
    RESOLVE(allreduce, "MPI_Allreduce");
    RESOLVE(iallreduce, "MPI_Iallreduce");
    RESOLVE(test, "MPI_Test");
    RESOLVE(wait, "MPI_Wait");
    RESOLVE(bcast, "MPI_Bcast");
    RESOLVE(barrier, "MPI_Barrier");
    RESOLVE(abort, "MPI_Abort");
    RESOLVE(finalize, "MPI_Finalize");
    mpi.in_place = (void *)1;  // Open MPI's MPI_IN_PLACE
    int provided = 0, rc = mpi.init_thread(NULL, NULL, THREAD_FUNNELED, &provided);
    if (rc != 0) {
        char code[32];
        snprintf(code, sizeof code, "%d", rc);
        return fail("MPI_Init_thread failed with error %s", code);
    }
    if (mpi.comm_rank(mpi.world, &mpi.rank) != 0 || mpi.comm_size(mpi.world, &mpi.size) != 0)
        return fail("MPI_Comm_rank/MPI_Comm_size failed%s", NULL);
    return 0;
}

int dp_mpi_rank(void) { return mpi.rank; }
int dp_mpi_size(void) { return mpi.size; }

/// Splits a long in-place allreduce into pieces MPI's int count can hold.
static int allreduce_chunks(char *values, int64_t count, size_t element, handle type, dp_mpi_op op) {
    if (!mpi.library || mpi.size == 1) return 0;
    if (op < DP_MPI_SUM || op > DP_MPI_MAX) return fail("dp_mpi: unknown reduction%s", NULL);
    const int64_t piece = INT_MAX / 2;
    for (int64_t start = 0; start < count; start += piece) {
        int n = (int)(count - start < piece ? count - start : piece);
        int rc = mpi.allreduce(mpi.in_place, values + (size_t)start * element, n, type, mpi.ops[op], mpi.world);
        if (rc != 0) return rc;
    }
    return 0;
}

int dp_mpi_allreduce_float(float *v, int64_t n, dp_mpi_op op) { return allreduce_chunks((char *)v, n, 4, mpi.float_type, op); }
int dp_mpi_allreduce_double(double *v, int64_t n, dp_mpi_op op) { return allreduce_chunks((char *)v, n, 8, mpi.double_type, op); }
int dp_mpi_allreduce_int64(int64_t *v, int64_t n, dp_mpi_op op) { return allreduce_chunks((char *)v, n, 8, mpi.int64_type, op); }

int dp_mpi_iallreduce_float_sum(float *values, int64_t count, dp_mpi_request *request) {
    request->request = NULL;
    if (!mpi.library || mpi.size == 1) return 0;
    if (count < 0 || count > INT_MAX) return fail("dp_mpi_iallreduce_float_sum: count outside 0...INT_MAX%s", NULL);
    handle r = NULL;
    int rc = mpi.iallreduce(mpi.in_place, values, (int)count, mpi.float_type, mpi.ops[DP_MPI_SUM], mpi.world, &r);
    request->request = r;
    return rc;
}

int dp_mpi_test(dp_mpi_request *request, int *done) {
    *done = 1;
    if (!request->request) return 0;
    handle r = request->request;
    int rc = mpi.test(&r, done, NULL);  // NULL: MPI_STATUS_IGNORE in Open MPI
    if (*done) request->request = NULL;
    return rc;
}

int dp_mpi_wait(dp_mpi_request *request) {
    if (!request->request) return 0;
    handle r = request->request;
    int rc = mpi.wait(&r, NULL);
    request->request = NULL;
    return rc;
}

int dp_mpi_bcast_bytes(void *bytes, int64_t count, int root) {
    if (!mpi.library || mpi.size == 1) return 0;
    const int64_t piece = INT_MAX / 2;
    for (int64_t start = 0; start < count; start += piece) {
        int n = (int)(count - start < piece ? count - start : piece);
        int rc = mpi.bcast((char *)bytes + start, n, mpi.byte_type, root, mpi.world);
        if (rc != 0) return rc;
    }
    return 0;
}

int dp_mpi_barrier(void) { return (!mpi.library || mpi.size == 1) ? 0 : mpi.barrier(mpi.world); }

void dp_mpi_abort(int code) {
    fflush(NULL);
    if (mpi.library) mpi.abort(mpi.world, code);
    _Exit(code);
}

int dp_mpi_finalize(void) {
    if (!mpi.library) return 0;
    int done = 0;
    mpi.finalized(&done);
    return done ? 0 : mpi.finalize();
}
