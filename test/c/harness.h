/* A small test harness for the core's C tests: one function per test, a
 * CHECK that records a failure without stopping the test, and helpers that
 * every test file shares. The same sources build natively, under
 * ASan/UBSan and with emcc. */
#ifndef TC_TEST_HARNESS_H
#define TC_TEST_HARNESS_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../core/tc.h"

/* Failures of the test that is running; main.c resets it per test. */
extern int tct_failures;
/* Path of the NIST SHA-256 vectors, from the command line. */
extern const char *tct_fixture_dir;

#define CHECK(cond, ...)                                             \
  do {                                                               \
    if (!(cond)) {                                                   \
      tct_failures++;                                                \
      if (tct_failures <= 10) {                                      \
        fprintf(stderr, "  %s:%d: %s: ", __FILE__, __LINE__, #cond); \
        fprintf(stderr, __VA_ARGS__);                                \
        fputc('\n', stderr);                                         \
      }                                                              \
    }                                                                \
  } while (0)

#define CHECK_STATUS(got, want)                                 \
  do {                                                          \
    int tct_got_ = (int)(got), tct_want_ = (int)(want);         \
    CHECK(tct_got_ == tct_want_, "status %s, expected %s",      \
          tc_status_name(tct_got_), tc_status_name(tct_want_)); \
  } while (0)

/* The list of tests: name. Each is a void function test_<name>(void). */
#define TCT_TESTS(XX)       \
  XX(status_names)          \
  XX(kernel_paths)          \
  XX(simd_cap)              \
  XX(job_init_and_plan)     \
  XX(bad_kernel_and_dtype)  \
  XX(bad_ranges)            \
  XX(bad_sizes)             \
  XX(bad_alignment)         \
  XX(bad_aliasing)          \
  XX(bad_scratch)           \
  XX(cancel_before_start)   \
  XX(sha256_nist_vectors)   \
  XX(sha256_known_answers)  \
  XX(sha256_random_vs_ref)  \
  XX(sha256_unaligned)      \
  XX(sha256_in_place)       \
  XX(stats_known_answers)   \
  XX(stats_special_values)  \
  XX(stats_random_vs_ref)   \
  XX(stats_every_width)     \
  XX(sort_known_answers)    \
  XX(sort_special_values)   \
  XX(sort_random_vs_ref)    \
  XX(sort_patterns)         \
  XX(sort_cancel_midway)    \
  XX(matmul_known_answers)  \
  XX(matmul_random_vs_ref)  \
  XX(matmul_every_width)    \
  XX(matmul_special_values) \
  XX(matmul_nan_payloads)   \
  XX(split_stats)           \
  XX(split_matmul)          \
  XX(split_sort)            \
  XX(split_plan)            \
  XX(split_ranges)          \
  XX(split_cancel)

#define TCT_DECLARE(name) void test_##name(void);
TCT_TESTS(TCT_DECLARE)
#undef TCT_DECLARE

/* splitmix64: a deterministic generator, the same in every build. */
typedef struct {
  uint64_t s;
} tct_rng;

static inline uint64_t tct_next(tct_rng *r) {
  uint64_t z = (r->s += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

/* Uniform in [0, n), n > 0 (the slight bias does not matter here). */
static inline size_t tct_below(tct_rng *r, size_t n) {
  return (size_t)(tct_next(r) % n);
}

static inline void *tct_xmalloc(size_t n) {
  void *p = malloc(n ? n : 1);
  if (p == NULL) {
    fprintf(stderr, "out of memory (%zu bytes)\n", n);
    exit(2);
  }
  return p;
}

/* A matmul job of a (m×k) by b (k×n), everything else as tc_job_init()
 * left it. */
static inline void tct_matmul_job(tc_job *job, const float *a, const float *b,
                                  size_t m, size_t k, size_t n) {
  tc_job_init(job);
  job->kernel = TC_KERNEL_MATMUL;
  job->dtype = TC_DTYPE_F32;
  job->in = a;
  job->in_len = m * k * sizeof *a;
  job->in2 = b;
  job->in2_len = k * n * sizeof *b;
  job->dim[0] = m;
  job->dim[1] = k;
  job->dim[2] = n;
}

/* Run a job through tc_plan and tc_run with freshly allocated out and
 * scratch; returns the status and hands back out (caller frees). */
tc_status tct_run(tc_job *job, void **out);

/* The same bits, read as another type. */
static inline uint64_t tct_bits64(double x) {
  uint64_t u;
  memcpy(&u, &x, sizeof u);
  return u;
}
static inline double tct_f64(uint64_t u) {
  double x;
  memcpy(&x, &u, sizeof x);
  return x;
}
static inline uint32_t tct_bits32(float x) {
  uint32_t u;
  memcpy(&u, &x, sizeof u);
  return u;
}
static inline float tct_f32(uint32_t u) {
  float x;
  memcpy(&x, &u, sizeof x);
  return x;
}

/* Fill a digest as lowercase hex (65 bytes with the terminator). */
void tct_hex(const uint8_t *d, size_t n, char *hex);

#endif /* TC_TEST_HARNESS_H */
