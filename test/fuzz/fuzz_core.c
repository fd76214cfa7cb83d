/* libFuzzer target for the core: an arbitrary job descriptor (kernel,
 * dtype, shape, lengths, NULL, misaligned and overlapping buffers, short
 * outputs and scratch, a cancel flag) over arbitrary data, through
 * tc_plan() and tc_run(). Every outcome must be one of:
 *   - a status other than OK, and tc_run() agreeing with tc_plan(); a
 *     job given every buffer its plan asked for (aligned, apart, full
 *     length), and not cancelled, must run OK;
 *   - OK, with the result the plain reference gives (test/c/ref.c): the
 *     same digest, the same sorted bits, the same product bits, stats to
 *     rounding;
 *   - CANCELED, with a sort's output a permutation of its input.
 * Each buffer is allocated to its exact length, so that ASan sees any
 * access past it.
 *
 *   make fuzz                      FUZZ_SECONDS (600) of fuzzing, new
 *                                  inputs added to test/fuzz/corpus/
 *   make test (the fuzz suite)     60 s from the checked-in corpus */
#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../core/tc.h"
#include "../c/ref.h"

/* Reads bytes off the input; zeros once it runs out. */
typedef struct {
  const uint8_t *p;
  size_t n;
} tcf_in;

static uint8_t tcf_byte(tcf_in *in) {
  uint8_t b = 0;
  if (in->n > 0) {
    b = *in->p++;
    in->n--;
  }
  return b;
}

/* A buffer of len bytes, exact, at an offset of `shift` bytes from an
 * aligned allocation (so misaligned when shift is odd); its start in *base
 * for free(). */
static uint8_t *tcf_buffer(size_t len, size_t shift, void **base) {
  uint8_t *p = malloc(len + shift > 0 ? len + shift : 1);
  if (p == NULL) abort();
  *base = p;
  return p + shift;
}

static void tcf_fail(const char *what) {
  (void)what;
  __builtin_trap();
}

static int tcf_close(double got, double want, double scale) {
  if (isnan(want)) return isnan(got);
  if (isinf(want)) return got == want;
  return fabs(got - want) <= 1e-9 * (scale > 1e-300 ? scale : 1e-300);
}

/* The result of an OK job against the reference. */
static void tcf_check(const tc_job *job, const void *in, const void *in2,
                      const void *out) {
  size_t len = job->in_len;
  switch (job->kernel) {
    case TC_KERNEL_SHA256: {
      uint8_t want[32];
      tct_ref_sha256(in, len, want);
      if (memcmp(out, want, 32) != 0) tcf_fail("sha256");
      break;
    }
    case TC_KERNEL_SORT: {
      void *want = malloc(len + 1);
      if (want == NULL) abort();
      if (len > 0) memcpy(want, in, len);
      tct_ref_sort(job->dtype, want, len / tc_dtype_size(job->dtype));
      if (memcmp(out, want, len) != 0) tcf_fail("sort");
      free(want);
      break;
    }
    case TC_KERNEL_MATMUL: {
      size_t m = job->dim[0], k = job->dim[1], n = job->dim[2];
      float *want = malloc(m * n * sizeof(float) + 1);
      if (want == NULL) abort();
      tct_ref_matmul(in, in2, want, m, k, n);
      if (memcmp(out, want, m * n * sizeof(float)) != 0) tcf_fail("matmul");
      free(want);
      break;
    }
    case TC_KERNEL_STATS: {
      size_t n = len / sizeof(double);
      const double *x = in;
      tc_stats_t got, want;
      double scale = 0;
      int nan = 0, inf = 0;
      memcpy(&got, out, sizeof got);
      tct_ref_stats(x, n, &want);
      for (size_t i = 0; i < n; i++) {
        nan |= isnan(x[i]);
        inf |= isinf(x[i]);
        if (isfinite(x[i])) scale += fabs(x[i]);
      }
      if (got.count != (double)n) tcf_fail("stats count");
      if (n == 0 || nan) {
        if (!isnan(got.min) || !isnan(got.max) || !isnan(got.mean) ||
            !isnan(got.variance) || (n > 0 && !isnan(got.sum)))
          tcf_fail("stats NaN");
        break;
      }
      if (got.min != want.min || got.max != want.max) tcf_fail("stats min/max");
      /* Infinite or overflowing data: the README's rules, not rounding. */
      if (inf || !isfinite(scale)) break;
      if (!tcf_close(got.sum, want.sum, scale) ||
          !tcf_close(got.mean, want.mean, scale / (double)n))
        tcf_fail("stats sum/mean");
      /* The variance of data spread over a few ulps of its magnitude is
       * ill-conditioned: a mean rounded to a double moves it by about
       * range * ulp(mean). */
      {
        double range = want.max - want.min;
        double mag = fmax(fabs(want.min), fabs(want.max)) * DBL_EPSILON;
        /* ...and a subnormal variance holds few bits. */
        double tol = 1e-9 * range * range + 8 * range * mag + 8 * mag * mag +
                     4 * DBL_TRUE_MIN;
        if (!(fabs(got.variance - want.variance) <= tol) &&
            !(isinf(want.variance) && got.variance == want.variance))
          tcf_fail("stats variance");
      }
      break;
    }
    default:
      tcf_fail("OK for an unknown kernel");
  }
}

/* Whether b holds the same multiset of elements as a (a cancelled sort
 * leaves a permutation). */
static int tcf_permutation(int dtype, const void *a, const void *b,
                           size_t len) {
  void *x = malloc(len + 1), *y = malloc(len + 1);
  int same;
  if (x == NULL || y == NULL) abort();
  if (len > 0) {
    memcpy(x, a, len);
    memcpy(y, b, len);
  }
  tct_ref_sort(dtype, x, len / tc_dtype_size(dtype));
  tct_ref_sort(dtype, y, len / tc_dtype_size(dtype));
  same = memcmp(x, y, len) == 0;
  free(x);
  free(y);
  return same;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  tcf_in in = {data, size};
  tc_job job;
  tc_plan_t plan;
  void *in_base = NULL, *in2_base = NULL, *out_base = NULL, *sc_base = NULL;
  void *ov_base = NULL;
  uint8_t *a = NULL, *b = NULL, *out = NULL, *scratch = NULL, *copy = NULL;
  tc_status planned, ran;
  /* Planned OK, then given what it planned: aligned, apart, not short, not
   * cancelled, no NULL with a length. */
  int well_formed = 0;

  uint8_t kernel = tcf_byte(&in) % (TC_KERNEL_COUNT + 1);
  uint8_t dtype = tcf_byte(&in) % (TC_DTYPE_COUNT + 1);
  uint8_t flags = tcf_byte(&in);
  uint8_t more = tcf_byte(&in);
  size_t m = tcf_byte(&in) % 40, k = tcf_byte(&in) % 40, n = tcf_byte(&in) % 40;
  size_t width = tc_dtype_size(dtype) ? tc_dtype_size(dtype) : 1;
  size_t in_len, in2_len = 0;

  tc_job_init(&job);
  job.kernel = kernel;
  job.dtype = dtype;
  job.dim[0] = m;
  job.dim[1] = k;
  job.dim[2] = n;
  /* The rest of the input is the data: the exact lengths the kernel asks
   * for (matmul: A then B), or, with flag 0x01, whatever is left. */
  if (kernel == TC_KERNEL_MATMUL && !(flags & 0x01)) {
    in_len = m * k * sizeof(float);
    in2_len = k * n * sizeof(float);
  } else {
    in_len = in.n / width * width;
    if (flags & 0x01) in_len = in.n;
    if (flags & 0x02) in2_len = in.n - in_len;
  }
  a = tcf_buffer(in_len, (flags & 0x04) ? 1 : 0, &in_base);
  for (size_t i = 0; i < in_len; i++) a[i] = tcf_byte(&in);
  b = tcf_buffer(in2_len, (flags & 0x08) ? 1 : 0, &in2_base);
  for (size_t i = 0; i < in2_len; i++) b[i] = tcf_byte(&in);
  job.in = (flags & 0x10) && in_len == 0 ? NULL : a;
  job.in_len = in_len;
  job.in2 = b;
  job.in2_len = in2_len;
  if ((more & 0x03) == 0x03) job.in = NULL; /* NULL with a length */

  planned = tc_plan(&job, &plan);
  if (planned == TC_OK) {
    /* Output and scratch as planned, or short by one, or (sort) the input
     * itself, or overlapping it. */
    size_t out_len = plan.out_len, sc_len = plan.scratch_len;
    if ((more & 0x0c) == 0x04 && out_len > 0) out_len--;
    if ((more & 0x30) == 0x10 && sc_len > 0) sc_len--;
    well_formed = out_len == plan.out_len && sc_len == plan.scratch_len &&
                  (more & 0xc0) != 0x80 && (more & 0x03) != 0x03 &&
                  !(flags & (0x80 | 0x2c));
    if (kernel == TC_KERNEL_SORT && (more & 0xc0) == 0x40) {
      out = a; /* in place */
    } else if ((more & 0xc0) == 0x80 && job.in != NULL) {
      /* Overlapping the input by all but one byte: both in one buffer. */
      size_t both = in_len > out_len + 1 ? in_len : out_len + 1;
      uint8_t *ov = tcf_buffer(both, 0, &ov_base);
      if (in_len > 0) memcpy(ov, a, in_len);
      job.in = ov;
      out = ov + 1;
    } else {
      out = tcf_buffer(out_len, (flags & 0x20) ? 1 : 0, &out_base);
    }
    scratch = tcf_buffer(sc_len, (flags & 0x40) ? 3 : 0, &sc_base);
    job.out = out;
    job.out_len = out_len;
    job.scratch = scratch;
    job.scratch_len = sc_len;
  } else {
    job.out = NULL;
  }
  if (flags & 0x80) job.cancel = 1;

  /* The input as it was, for the reference (a sort in place overwrites
   * it). */
  copy = malloc(in_len + 1);
  if (copy == NULL) abort();
  if (in_len > 0) memcpy(copy, a, in_len);
  ran = tc_run(&job);
  if (job.status != (int32_t)ran) tcf_fail("status not stored");
  if (planned != TC_OK) {
    if (ran == TC_OK) tcf_fail("ran a job its plan refused");
  } else if (well_formed && ran != TC_OK) {
    tcf_fail("refused a job given all its plan asked for");
  } else if (ran == TC_OK) {
    tcf_check(&job, copy, b, job.out);
  } else if (ran == TC_CANCELED) {
    if (!job.cancel) tcf_fail("cancelled without a flag");
    if (kernel == TC_KERNEL_SORT && job.out == a &&
        !tcf_permutation(dtype, copy, a, in_len))
      tcf_fail("a cancelled sort lost elements");
  }
  free(copy);
  free(in_base);
  free(in2_base);
  free(out_base);
  free(sc_base);
  free(ov_base);
  return 0;
}
