/* twincore: the shared C compute core.
 *
 * Every kernel is a pure function over caller-owned memory: it allocates
 * nothing, touches no global state and reports through a tc_status. One job
 * descriptor (tc_job) describes any call, and tc_run() dispatches it through
 * one kernel table, so both bindings (Node-API and WebAssembly) are generic
 * over that table.
 *
 * A binding drives a job in three steps:
 *   1. fill kernel, dtype, in/in2 and dim[], then call tc_plan() to learn the
 *      output and scratch sizes the job needs;
 *   2. provide out and scratch buffers of at least those sizes;
 *   3. call tc_run() on any thread. It validates the whole job again, runs
 *      the kernel and stores the result in job->status.
 */
#ifndef TC_H
#define TC_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Status codes. The order is part of the ABI: bindings map a status to the
 * same JS error code on every backend. The core itself never returns
 * ENOMEM; it is there for the bindings, which allocate. */
#define TC_STATUS_MAP(XX)                                            \
  XX(OK, "success")                                                  \
  XX(PENDING, "job has not finished")                                \
  XX(CANCELED, "job was cancelled")                                  \
  XX(EKERNEL, "unknown kernel")                                      \
  XX(EDTYPE, "element type not supported by this kernel")            \
  XX(ENULL, "NULL pointer with a non-zero length")                   \
  XX(ESIZE, "buffer length does not match the job's shape")          \
  XX(EOVERFLOW, "size computation overflows")                        \
  XX(EALIGN, "pointer is not aligned to its element size")           \
  XX(EALIAS, "buffers overlap where they must not")                  \
  XX(ESCRATCH, "scratch buffer is smaller than tc_plan() asked for") \
  XX(ENOMEM, "out of memory")

typedef enum {
#define TC__STATUS_ENUM(name, msg) TC_##name,
  TC_STATUS_MAP(TC__STATUS_ENUM)
#undef TC__STATUS_ENUM
      TC_STATUS_COUNT
} tc_status;

/* Element types: name, size in bytes. */
#define TC_DTYPE_MAP(XX) \
  XX(U8, 1)              \
  XX(I32, 4)             \
  XX(U32, 4)             \
  XX(F32, 4)             \
  XX(F64, 8)

typedef enum {
#define TC__DTYPE_ENUM(name, size) TC_DTYPE_##name,
  TC_DTYPE_MAP(TC__DTYPE_ENUM)
#undef TC__DTYPE_ENUM
      TC_DTYPE_COUNT
} tc_dtype;

/* Kernels: name. The table in core/run.c follows this order. */
#define TC_KERNEL_MAP(XX) \
  XX(SHA256, sha256)      \
  XX(STATS, stats)        \
  XX(SORT, sort)          \
  XX(MATMUL, matmul)

typedef enum {
#define TC__KERNEL_ENUM(id, name) TC_KERNEL_##id,
  TC_KERNEL_MAP(TC__KERNEL_ENUM)
#undef TC__KERNEL_ENUM
      TC_KERNEL_COUNT
} tc_kernel;

/* One call of one kernel.
 *
 * status and cancel come first and are 32-bit so that a WebAssembly host can
 * wait on status and set cancel with Atomics at fixed offsets 0 and 4.
 * Lengths are in bytes.
 *
 *   kernel  in            in2            out                 dim[]
 *   SHA256  message       -              32-byte digest      -
 *   STATS   float64 data  -              tc_stats_t          -
 *   SORT    dtype data    -              sorted data; may    -
 *                                        be the same as in
 *   MATMUL  A, m x k      B, k x n       C = A.B, m x n      m, k, n
 *           float32 row-major throughout
 */
typedef struct tc_job_s {
  int32_t status; /**< TC_PENDING until tc_run() stores the result. */
  int32_t cancel; /**< set non-zero from any thread to stop the job. */
  int32_t kernel; /**< a tc_kernel. */
  int32_t dtype;  /**< a tc_dtype: the element type of in and out. */
  const void *in;
  size_t in_len;
  const void *in2;
  size_t in2_len;
  void *out;
  size_t out_len;
  void *scratch; /**< any alignment; the kernel aligns inside it. */
  size_t scratch_len;
  size_t dim[3];
  size_t parts; /**< at most this many parts may run it at once (see
                     tc_begin); 0 or 1: one. */
} tc_job;

/* What a job needs besides its inputs. */
typedef struct tc_plan_s {
  size_t out_len;     /**< exact size of job->out in bytes. */
  size_t scratch_len; /**< minimum size of job->scratch in bytes. */
  size_t parts;       /**< how many parts the job splits into: 1, or up to
                           job->parts (and TC_MAX_PARTS) where the kernel
                           and the input's size allow. */
} tc_plan_t;

/* The most parts one job splits into. */
#define TC_MAX_PARTS 64

/* Result of the stats kernel. count is a double so that the struct is six
 * float64 values in a row, readable from JS as one Float64Array. */
typedef struct tc_stats_s {
  double count;
  double sum;
  double min;
  double max;
  double mean;
  double variance; /**< population variance: sum((x - mean)^2) / count. */
} tc_stats_t;

/** Reset a job: everything zero, status TC_PENDING. */
void tc_job_init(tc_job *job);

/** Ask a running job to stop: sets job->cancel atomically, from any
 * thread. A long kernel returns TC_CANCELED at its next chunk. */
void tc_job_cancel(tc_job *job);

/** Validate kernel, dtype, input lengths and shape; report sizes.
 * @param job  a job whose kernel, dtype, in_len, in2_len and dim are set.
 * @param plan receives the output and scratch sizes.
 * @return TC_OK, or the first problem found. */
tc_status tc_plan(const tc_job *job, tc_plan_t *plan);

/** A job's work, roughly, in bytes of input (a multiply-add of matmul
 * counts as a quarter of one; a byte of any kernel takes 0.1-3 ns): what a
 * pool weighs to decide when to hand results back or start threads, not a
 * cost model. Reads kernel, in_len, in2_len and dim only. */
double tc_job_work(const tc_job *job);

/** Validate the whole job, run its kernel and store the result (with release
 * order) in job->status. Safe to call on any thread; touches only the job's
 * buffers.
 * @return the status that was stored. */
tc_status tc_run(tc_job *job);

/* A job split into parts runs in phases. The parts of one phase may run
 * at once, on any threads; a phase starts once every part of the one
 * before it has returned. Nothing in a part waits for another, so a pool
 * smaller than the number of parts still finishes the job. The result is
 * the same, bit for bit, for any number of parts: tc_run() of the same job
 * runs the same phases in turn on the calling thread. Split: stats (1 MiB
 * blocks), sort (2^18 elements and up) and matmul (rows); sha256 is one
 * serial chain and never splits.
 *
 *   tc_status st = tc_begin(job);        // plan.parts > 1
 *   while (st == TC_PENDING) {
 *     for each part p < plan.parts, at once: tc_run_part(job, p);
 *     st = tc_next(job);                 // after all of them returned
 *   }
 *
 * The split's state lives in the job's scratch (tc_plan() counts it). A
 * cancelled part returns at its next chunk; tc_next() then ends the job
 * with TC_CANCELED, leaving what the whole kernel would leave. */

/** Validate the job and start its first phase. @return TC_PENDING when
 * the parts of a phase are to run; otherwise the job's final status, stored
 * in job->status (a validation error, or the whole job's result when it
 * does not split: then tc_begin() ran it, as tc_run() would). */
tc_status tc_begin(tc_job *job);

/** Run part `part` (below plan.parts) of the current phase. Safe to call
 * at once with the phase's other parts, on any threads. @return the
 * part's status (TC_OK or TC_CANCELED); tc_next() reads it too. */
tc_status tc_run_part(tc_job *job, size_t part);

/** The step between phases, once every part of the current one has
 * returned (any thread, one call). @return TC_PENDING when the parts of
 * another phase are to run; otherwise the job's final status, stored (with
 * release order) in job->status. */
tc_status tc_next(tc_job *job);

/** Short name of a status, such as "EALIGN"; "UNKNOWN" if out of range. */
const char *tc_status_name(int status);

/** Human-readable message of a status; never empty. */
const char *tc_strerror(int status);

/** Name of a kernel, such as "sha256"; NULL if out of range. */
const char *tc_kernel_name(int kernel);

/** Size in bytes of one element of a dtype; 0 if out of range. */
size_t tc_dtype_size(int dtype);

/** The code path tc_run() takes for a kernel in this build on this CPU,
 * as picked at run time within the TWINCORE_SIMD cap (tc_simd_cap()):
 * "avx512f", "avx2", "sse2", "neon" or "simd128" (the vector instructions
 * it runs), "sha-ni" (the x86 SHA extensions) or "scalar" (portable C).
 * NULL if the kernel is out of range. */
const char *tc_kernel_path(int kernel);

/** The cap the environment variable TWINCORE_SIMD puts on the code paths
 * tc_kernel_path() reports and tc_run() takes, read once at first use:
 * "scalar" (no vector code, no SHA extensions), "sse2" (16-byte vectors),
 * "avx2" (32) or "avx512" (64: every path). NULL when
 * the variable is unset or holds anything else: then there is no cap.
 * WebAssembly builds read no environment and always give NULL. */
const char *tc_simd_cap(void);

/* The kernels themselves, usable without a job. cancel may be NULL; when it
 * is not, long kernels read it between chunks and return TC_CANCELED once it
 * is non-zero. They assume arguments that tc_run() has validated. */

/** FIPS 180-4 SHA-256 of len bytes at in (any alignment) into out[32]. */
tc_status tc_sha256(const uint8_t *in, size_t len, uint8_t out[32],
                    const int32_t *cancel);

/** count, sum, min, max, mean, population variance of n doubles. */
tc_status tc_stats_f64(const double *in, size_t n, tc_stats_t *out,
                       const int32_t *cancel);

/** Sort n elements of dtype from in into out (in == out sorts in place),
 * ordered as TypedArray.prototype.sort() orders them. scratch must hold
 * tc_plan()'s scratch_len. A cancelled sort leaves out holding a
 * permutation of the input. */
tc_status tc_sort(tc_dtype dtype, const void *in, void *out, size_t n,
                  void *scratch, const int32_t *cancel);

/** C = A.B for row-major float32 A (m x k), B (k x n), C (m x n). Each C
 * element is +0 plus the products a[i][p] * b[p][j] added in ascending p. */
tc_status tc_matmul_f32(const float *a, const float *b, float *c, size_t m,
                        size_t k, size_t n, void *scratch,
                        const int32_t *cancel);

#ifdef __cplusplus
}
#endif

#endif /* TC_H */
