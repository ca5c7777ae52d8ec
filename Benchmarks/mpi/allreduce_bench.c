/* Times MPI_Allreduce (in place, float sum) of a VGG16-sized gradient, 134 MB, as cifar-vgg's
 * data-parallel step does it (25 MB buckets with MPI_Iallreduce, then wait) and in one call.
 *   mpicc -O2 Benchmarks/mpi/allreduce_bench.c -o /tmp/allreduce_bench
 *   mpirun --allow-run-as-root --oversubscribe -np 2 /tmp/allreduce_bench [MB] [repeats]
 * Not part of the package build (no target includes this folder). */
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv) {
    MPI_Init(&argc, &argv);
    int rank, size;
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    const double mb = argc > 1 ? atof(argv[1]) : 134.0;
    const int repeats = argc > 2 ? atoi(argv[2]) : 5;
    const long n = (long)(mb * 1e6 / 4), bucket = 25L << 20 >> 2;
    float *g = malloc((size_t)n * sizeof *g);
    for (long i = 0; i < n; i++) g[i] = (float)(i % 1000) * 1e-3f;
    double one = 1e30, bucketed = 1e30;
    for (int r = 0; r < repeats; r++) {
        MPI_Barrier(MPI_COMM_WORLD);
        double t = MPI_Wtime();
        MPI_Allreduce(MPI_IN_PLACE, g, (int)n, MPI_FLOAT, MPI_SUM, MPI_COMM_WORLD);
        t = MPI_Wtime() - t;
        if (t < one) one = t;
        MPI_Request req[64];
        int k = 0;
        MPI_Barrier(MPI_COMM_WORLD);
        t = MPI_Wtime();
        for (long at = 0; at < n && k < 64; at += bucket, k++)
            MPI_Iallreduce(MPI_IN_PLACE, g + at, (int)(n - at < bucket ? n - at : bucket), MPI_FLOAT, MPI_SUM, MPI_COMM_WORLD, &req[k]);
        MPI_Waitall(k, req, MPI_STATUSES_IGNORE);
        t = MPI_Wtime() - t;
        if (t < bucketed) bucketed = t;
    }
    if (rank == 0)
        printf("%d ranks, %.0f MB: MPI_Allreduce %.1f ms, 25 MB MPI_Iallreduce buckets %.1f ms (best of %d); %.2f GB/s algorithm bandwidth\n",
               size, mb, 1e3 * one, 1e3 * bucketed, repeats, mb / 1e3 / one);
    free(g);
    MPI_Finalize();
    return 0;
}
