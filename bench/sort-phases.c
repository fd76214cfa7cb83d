/* Where a large sort's time goes, per phase of the core's split sort
 * (core/sort_impl.h): 0 counts the top varying digit of the input (and,
 * for floats whose first split is on 16 bits, those bits next), 1
 * scatters the input into the scratch on that digit, 2 sorts each bucket
 * into the output. The same file is built natively (at the addon's flags)
 * and to WebAssembly (at the wasm module's), so that the two builds of the
 * same C can be compared phase by phase.
 *
 * The job is split into two parts run in turn on this one thread, which
 * does the whole sort's work once; each phase is timed over both parts.
 * Usage: sort-phases [dtype [elements [repeats [dist]]]], dtype uint32,
 * int32, float32 or float64; dist random (the default), log-uniform or
 * clustered (floats only). Prints one line of JSON:
 *   {"dtype":..,"dist":..,"n":..,"phases":[best seconds of phase 0, 1, 2],
 *    "total":best seconds of a whole tc_run() of the same sort} */
#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L /* clock_gettime */
#endif
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "tc.h"

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

/* Whether data holds n elements of dtype in ascending order. */
static int sorted(int dtype, const void *data, size_t n) {
  for (size_t i = 1; i < n; i++) {
    int ok =
        dtype == TC_DTYPE_F64
            ? ((const double *)data)[i - 1] <= ((const double *)data)[i]
        : dtype == TC_DTYPE_F32
            ? ((const float *)data)[i - 1] <= ((const float *)data)[i]
        : dtype == TC_DTYPE_I32
            ? ((const int32_t *)data)[i - 1] <= ((const int32_t *)data)[i]
            : ((const uint32_t *)data)[i - 1] <= ((const uint32_t *)data)[i];
    if (!ok) return 0;
  }
  return 1;
}

/* Uniformly random bits (xorshift64); floats in [-1, 1), or as the bench's
 * other distributions of floats (bench/cases.js): 'log-uniform' (either
 * sign, magnitudes 2^-1000 to 2^1000, uniform in the exponent) and
 * 'clustered' (256 centres uniform in +-5e5, each value within 1 of its
 * centre). */
static uint64_t xorshift(uint64_t *x) {
  *x ^= *x << 13;
  *x ^= *x >> 7;
  *x ^= *x << 17;
  return *x;
}

/* A uniform double in [0, 1) from the next 53 random bits. */
static double unit(uint64_t *x) {
  return (double)(xorshift(x) >> 11) / 9007199254740992.0;
}

static void fill(int dtype, const char *dist, void *data, size_t n) {
  uint64_t x = 0x9e3779b97f4a7c15u, y = 0x2545f4914f6cdd1du;
  int log = strcmp(dist, "log-uniform") == 0,
      clustered = strcmp(dist, "clustered") == 0;
  double centres[256];
  /* The centres from a sequence of their own: the keys of random data are
   * the same whatever dist is. */
  for (int c = 0; c < 256; c++) centres[c] = (unit(&y) - 0.5) * 1e6;
  for (size_t i = 0; i < n; i++) {
    double v;
    if (dtype != TC_DTYPE_F64 && dtype != TC_DTYPE_F32) {
      ((uint32_t *)data)[i] = (uint32_t)(xorshift(&x) >> 32);
      continue;
    }
    if (log || clustered) {
      /* Two draws, in this order (bench/cases.js). */
      double u = unit(&x), w = unit(&x);
      v = log ? (u < 0.5 ? -1 : 1) * pow(2, (w - 0.5) * 2000)
              : centres[(int)(u * 256)] + w * 2 - 1;
    } else if (dtype == TC_DTYPE_F32) {
      ((float *)data)[i] = (float)(xorshift(&x) >> 40) / 16777216.0f * 2 - 1;
      continue;
    } else {
      v = unit(&x) * 2 - 1;
    }
    if (dtype == TC_DTYPE_F64)
      ((double *)data)[i] = v;
    else
      ((float *)data)[i] = (float)v;
  }
}

int main(int argc, char **argv) {
  static const char *names[] = {"uint32", "int32", "float32", "float64"};
  static const int dtypes[] = {TC_DTYPE_U32, TC_DTYPE_I32, TC_DTYPE_F32,
                               TC_DTYPE_F64};
  const char *name = argc > 1 ? argv[1] : "uint32";
  size_t n = argc > 2 ? strtoul(argv[2], NULL, 10) : (size_t)1 << 24;
  int reps = argc > 3 ? atoi(argv[3]) : 5, dtype = -1;
  const char *dist = argc > 4 ? argv[4] : "random";
  double best[3] = {1e30, 1e30, 1e30}, total = 1e30;
  size_t width, bytes;
  void *src, *data, *scratch;
  tc_job job;
  tc_plan_t plan;
  for (int i = 0; i < 4; i++)
    if (strcmp(name, names[i]) == 0) dtype = dtypes[i];
  width = dtype < 0 ? 0 : tc_dtype_size(dtype);
  if (dtype < 0 || reps <= 0 || n < ((size_t)1 << 18) ||
      (strcmp(dist, "random") != 0 &&
       ((dtype != TC_DTYPE_F64 && dtype != TC_DTYPE_F32) ||
        (strcmp(dist, "log-uniform") != 0 && strcmp(dist, "clustered") != 0)))) {
    fprintf(stderr,
            "usage: sort-phases [uint32|int32|float32|float64 [elements "
            "(2^18 or more) [repeats [random|log-uniform|clustered (floats "
            "only)]]]]\n");
    return 2;
  }
  bytes = n * width;
  tc_job_init(&job);
  job.kernel = TC_KERNEL_SORT;
  job.dtype = dtype;
  job.in_len = bytes;
  job.parts = 2;
  if (tc_plan(&job, &plan) != TC_OK || plan.parts != 2) return 1;
  src = malloc(bytes);
  data = malloc(bytes);
  scratch = malloc(plan.scratch_len);
  if (src == NULL || data == NULL || scratch == NULL) return 1;
  fill(dtype, dist, src, n);
  /* Every page touched once before the first timed run. */
  memset(scratch, 0, plan.scratch_len);
  job.in = job.out = data;
  job.out_len = bytes;
  job.scratch = scratch;
  job.scratch_len = plan.scratch_len;
  for (int r = 0; r < reps; r++) {
    double t0, t[4] = {0, 0, 0, 0};
    size_t phase = 0;
    tc_status st;
    memcpy(data, src, bytes);
    job.parts = plan.parts;
    job.status = TC_PENDING;
    t0 = now();
    st = tc_begin(&job);
    while (st == TC_PENDING && phase < 4) {
      for (size_t p = 0; p < plan.parts; p++) tc_run_part(&job, p);
      st = tc_next(&job);
      /* The data's top digit varies (random bits, floats of both signs), so
       * each phase runs once: count, scatter, buckets; floats, whose
       * exponents crowd the top digit, count 16 bits after it. */
      t[phase] += now() - t0;
      t0 = now();
      if (st == TC_PENDING) phase++;
    }
    if (phase == 3) {
      /* Both counts as one. */
      t[0] += t[1];
      t[1] = t[2];
      t[2] = t[3];
      phase = 2;
    }
    if (st != TC_OK || phase != 2 || !sorted(dtype, data, n)) {
      fprintf(stderr, "sort-phases: the split sort went wrong\n");
      return 1;
    }
    for (int p = 0; p < 3; p++)
      if (t[p] < best[p]) best[p] = t[p];
    memcpy(data, src, bytes);
    job.parts = 1;
    job.status = TC_PENDING;
    t0 = now();
    if (tc_run(&job) != TC_OK) return 1;
    if (now() - t0 < total) total = now() - t0;
    if (!sorted(dtype, data, n)) {
      fprintf(stderr, "sort-phases: the sort went wrong\n");
      return 1;
    }
  }
  printf(
      "{\"dtype\":\"%s\",\"dist\":\"%s\",\"n\":%zu,"
      "\"phases\":[%.6f,%.6f,%.6f],\"total\":%.6f}\n",
      name, dist, n, best[0], best[1], best[2], total);
  free(src);
  free(data);
  free(scratch);
  return 0;
}
