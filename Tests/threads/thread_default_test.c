/*
 * thread_default_test.c — the parsers behind ck_default_num_threads on fixture strings (the
 * texts of /sys and /proc files as Linux writes them), then the default on this machine.
 * Exit status 0 = all passed.
 */
#include <ckernels/ckernels.h>
#include "runtime/thread_default.h"

#include <stdio.h>
#include <string.h>

static int failures = 0;

static void expect(int got, int want, const char *what) {
    if (got != want) {
        printf("FAIL %s: got %d, want %d\n", what, got, want);
        ++failures;
    }
}

int main(void) {
    /* CPU lists: sysfs thread_siblings_list / cpuset formats */
    expect(ck_cpulist_count("0\n"), 1, "cpulist 0");
    expect(ck_cpulist_count("0-3\n"), 4, "cpulist 0-3");
    expect(ck_cpulist_count("0-3,8,10-11\n"), 7, "cpulist 0-3,8,10-11");
    expect(ck_cpulist_count("0,64"), 2, "cpulist SMT pair 0,64");
    expect(ck_cpulist_first("5,69\n"), 5, "first of 5,69");
    expect(ck_cpulist_first("12-13"), 12, "first of 12-13");
    expect(ck_cpulist_count(""), -1, "cpulist empty");
    expect(ck_cpulist_count("3-1"), -1, "cpulist reversed range");
    expect(ck_cpulist_count("0-3,x"), -1, "cpulist garbage");
    expect(ck_cpulist_count(NULL), -1, "cpulist NULL");
    /* cgroup v2 cpu.max */
    expect(ck_cgroup2_cpu_limit("max 100000\n"), 0, "cpu.max unlimited");
    expect(ck_cgroup2_cpu_limit("200000 100000\n"), 2, "cpu.max 2 CPUs");
    expect(ck_cgroup2_cpu_limit("150000 100000\n"), 2, "cpu.max 1.5 CPUs rounds up");
    expect(ck_cgroup2_cpu_limit("50000 100000"), 1, "cpu.max half a CPU");
    expect(ck_cgroup2_cpu_limit("1600000 100000\n"), 16, "cpu.max 16 CPUs");
    expect(ck_cgroup2_cpu_limit("max"), -1, "cpu.max without period");
    expect(ck_cgroup2_cpu_limit("100000 0"), -1, "cpu.max zero period");
    expect(ck_cgroup2_cpu_limit("abc 100000"), -1, "cpu.max garbage");
    /* cgroup v1 CFS quota */
    expect(ck_cgroup1_cpu_limit("-1\n", "100000\n"), 0, "cfs quota unlimited");
    expect(ck_cgroup1_cpu_limit("400000\n", "100000\n"), 4, "cfs quota 4 CPUs");
    expect(ck_cgroup1_cpu_limit("250000", "100000"), 3, "cfs quota 2.5 CPUs rounds up");
    expect(ck_cgroup1_cpu_limit("0", "100000"), -1, "cfs quota 0");
    expect(ck_cgroup1_cpu_limit("x", "100000"), -1, "cfs quota garbage");
    /* /proc/self/cgroup */
    char path[256];
    expect(ck_cgroup2_path("0::/user.slice/session-3.scope\n", path, sizeof path), 0, "cgroup2 path found");
    expect(strcmp(path, "/user.slice/session-3.scope"), 0, "cgroup2 path text");
    expect(ck_cgroup2_path("12:cpu,cpuacct:/docker/abc\n11:memory:/docker/abc\n0::/docker/abc\n", path, sizeof path), 0,
           "hybrid cgroup2 path found");
    expect(strcmp(path, "/docker/abc"), 0, "hybrid cgroup2 path text");
    expect(ck_cgroup2_path("4:cpu,cpuacct:/x\n3:memory:/x\n", path, sizeof path), -1, "pure v1: no cgroup2 path");
    /* OMP_NUM_THREADS */
    expect(ck_omp_num_threads_value("8"), 8, "OMP_NUM_THREADS=8");
    expect(ck_omp_num_threads_value(" 16 "), 16, "OMP_NUM_THREADS=' 16 '");
    expect(ck_omp_num_threads_value("4,2"), 4, "OMP_NUM_THREADS=4,2 (nested)");
    expect(ck_omp_num_threads_value("0"), 0, "OMP_NUM_THREADS=0 ignored");
    expect(ck_omp_num_threads_value("eight"), 0, "OMP_NUM_THREADS=eight ignored");
    expect(ck_omp_num_threads_value(""), 0, "OMP_NUM_THREADS empty ignored");
    expect(ck_omp_num_threads_value(NULL), 0, "OMP_NUM_THREADS unset");

    char why[256];
    int n = ck_default_num_threads(why, sizeof why);
    printf("default on this machine: %d threads (%s)\n", n, why);
    if (n < 1 || !why[0]) { printf("FAIL default count or reason missing\n"); ++failures; }
    if (ck_get_num_threads() != n) { printf("FAIL ck_get_num_threads differs from the default\n"); ++failures; }
    printf("%s\n", failures ? "thread_default_test: FAILURES above" : "thread_default_test: all passed");
    return failures ? 1 : 0;
}
