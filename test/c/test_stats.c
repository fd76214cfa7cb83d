/* stats: exact known answers, the special values the README documents, and
 * random data against a two-pass reference in long double. */
#include <math.h>

#include "../../core/tc_internal.h"
#include "harness.h"
#include "ref.h"

static tc_status job_stats(const double *x, size_t n, tc_stats_t *s) {
  tc_job job;
  void *out;
  tc_job_init(&job);
  job.kernel = TC_KERNEL_STATS;
  job.dtype = TC_DTYPE_F64;
  job.in = x;
  job.in_len = n * sizeof *x;
  tc_status st = tct_run(&job, &out);
  if (out) memcpy(s, out, sizeof *s);
  free(out);
  return st;
}

static int same_bits(double a, double b) {
  return tct_bits64(a) == tct_bits64(b) || (isnan(a) && isnan(b));
}

#define CHECK_SAME(got, want, what) \
  CHECK(same_bits(got, want), "%s: %.17g, expected %.17g", what, got, want)

void test_stats_known_answers(void) {
  tc_stats_t s;
  double x[] = {1, 2, 3, 4};
  CHECK_STATUS(job_stats(x, 4, &s), TC_OK);
  CHECK(s.count == 4 && s.sum == 10 && s.min == 1 && s.max == 4 &&
            s.mean == 2.5 && s.variance == 1.25,
        "1..4: %g %g %g %g %g %g", s.count, s.sum, s.min, s.max, s.mean,
        s.variance);

  double one = 7.5;
  CHECK_STATUS(job_stats(&one, 1, &s), TC_OK);
  CHECK(s.count == 1 && s.sum == 7.5 && s.min == 7.5 && s.max == 7.5 &&
            s.mean == 7.5 && s.variance == 0,
        "one value");

  /* Integers 1..n: every partial sum is exact, so is the mean, and the
   * population variance is (n^2 - 1) / 12. */
  size_t n = 100001;
  double *y = tct_xmalloc(n * sizeof *y);
  for (size_t i = 0; i < n; i++) y[i] = (double)(i + 1);
  CHECK_STATUS(job_stats(y, n, &s), TC_OK);
  CHECK(s.sum == 5000150001.0 && s.mean == 50001.0 && s.min == 1 &&
            s.max == (double)n,
        "1..n: sum %.17g mean %.17g", s.sum, s.mean);
  double want = ((double)n * (double)n - 1) / 12;
  CHECK(fabs(s.variance - want) <= 1e-9 * want, "1..n: variance %.17g",
        s.variance);
  free(y);

  CHECK_STATUS(job_stats(NULL, 0, &s), TC_OK);
  CHECK(s.count == 0 && s.sum == 0 && !signbit(s.sum) && isnan(s.min) &&
            isnan(s.max) && isnan(s.mean) && isnan(s.variance),
        "empty input");
}

/* stats of x at every vector width this CPU has (within TWINCORE_SIMD),
 * which must agree to the bit; *s gets width 2's. */
static void stats_every_width(const double *x, size_t n, tc_stats_t *s,
                              const char *what) {
  tc_stats_t got;
  CHECK_STATUS(tc__stats_f64_vd(2, x, n, s, NULL), TC_OK);
  for (int vd = 1; vd == 1 || vd <= tc__stats_widest();
       vd = vd == 1 ? 4 : 2 * vd) {
    CHECK_STATUS(tc__stats_f64_vd(vd, x, n, &got, NULL), TC_OK);
    CHECK(memcmp(&got, s, sizeof got) == 0, "%s: width %d", what, vd);
  }
}

void test_stats_special_values(void) {
  const double inf = INFINITY, nan = NAN;
  tc_stats_t s;
  size_t n = 5000;
  double *x = tct_xmalloc(n * sizeof *x);

  /* One NaN anywhere, even across chunks, makes everything but count NaN. */
  size_t spots[] = {0, 1, 2047, 2048, 4999};
  for (size_t i = 0; i < sizeof spots / sizeof *spots; i++) {
    for (size_t j = 0; j < n; j++) x[j] = (double)j - 100;
    x[spots[i]] = nan;
    CHECK_STATUS(job_stats(x, n, &s), TC_OK);
    CHECK(s.count == (double)n && isnan(s.sum) && isnan(s.min) &&
              isnan(s.max) && isnan(s.mean) && isnan(s.variance),
          "NaN at %zu", spots[i]);
  }

  double a[] = {inf, 1};
  CHECK_STATUS(job_stats(a, 2, &s), TC_OK);
  CHECK(s.sum == inf && s.min == 1 && s.max == inf && s.mean == inf &&
            isnan(s.variance),
        "+Inf and 1");
  double b[] = {-inf, inf, 3};
  CHECK_STATUS(job_stats(b, 3, &s), TC_OK);
  CHECK(isnan(s.sum) && s.min == -inf && s.max == inf && isnan(s.mean) &&
            isnan(s.variance),
        "-Inf and +Inf");

  /* Finite data whose sum overflows: the sum is IEEE's infinity, the mean
   * and variance finite, within one chunk and across chunks. */
  double big[] = {1.5e308, 1.5e308};
  CHECK_STATUS(job_stats(big, 2, &s), TC_OK);
  CHECK(
      s.sum == inf && s.mean == 1.5e308 && s.variance == 0 && s.max == 1.5e308,
      "1.5e308 twice: sum %g mean %g variance %g", s.sum, s.mean, s.variance);
  for (size_t j = 0; j < n; j++) x[j] = j % 2 ? 1.25e308 : 1.75e308;
  CHECK_STATUS(job_stats(x, n, &s), TC_OK);
  /* Variance (0.25e308)^2 is beyond the double range. */
  CHECK(s.sum == inf && s.mean == 1.5e308 && s.variance == inf,
        "overflowing chunks: sum %g mean %.17g variance %g", s.sum, s.mean,
        s.variance);
  for (size_t j = 0; j < n; j++) x[j] = -1.5e308;
  CHECK_STATUS(job_stats(x, n, &s), TC_OK);
  CHECK(s.sum == -inf && s.mean == -1.5e308 && s.variance == 0,
        "-1.5e308 throughout: sum %g mean %.17g variance %g", s.sum, s.mean,
        s.variance);
  /* Overflowing both ways on the way: the sum is what it truly is. */
  double both[] = {1.7e308, 1.7e308, -1.7e308, -1.7e308};
  CHECK_STATUS(job_stats(both, 4, &s), TC_OK);
  CHECK(s.sum == 0 && s.mean == 0 && s.variance == inf,
        "1.7e308 and -1.7e308 twice: sum %g mean %g variance %g", s.sum, s.mean,
        s.variance);

  /* Signed zeros: min prefers -0, max prefers +0, as Math.min/max do. */
  double z1[] = {-0.0, 0.0}, z2[] = {0.0, -0.0}, z3[] = {-0.0, -0.0};
  CHECK_STATUS(job_stats(z1, 2, &s), TC_OK);
  CHECK_SAME(s.min, -0.0, "min of -0, +0");
  CHECK_SAME(s.max, 0.0, "max of -0, +0");
  CHECK_STATUS(job_stats(z2, 2, &s), TC_OK);
  CHECK_SAME(s.min, -0.0, "min of +0, -0");
  CHECK_SAME(s.max, 0.0, "max of +0, -0");
  CHECK_STATUS(job_stats(z3, 2, &s), TC_OK);
  CHECK_SAME(s.min, -0.0, "min of -0, -0");
  CHECK_SAME(s.max, -0.0, "max of -0, -0");
  CHECK_SAME(s.sum, 0.0, "sum of -0, -0 starts from +0");
  for (size_t j = 0; j < n; j++) x[j] = (double)j + 1;
  x[4321] = -0.0;
  CHECK_STATUS(job_stats(x, n, &s), TC_OK);
  CHECK_SAME(s.min, -0.0, "-0 late in the data");

  /* The kernel looks for zeros' signs only once the running minimum or
   * maximum is zero: here it becomes zero at one zero, and the other sign
   * comes two chunks later. */
  const struct {
    double sign, first, later, min, max;
  } zeros[] = {
      {1, 0.0, -0.0, -0.0, 5000},  {1, -0.0, 0.0, -0.0, 5000},
      {1, 0.0, 0.0, 0.0, 5000},    {-1, -0.0, 0.0, -5000, 0.0},
      {-1, 0.0, -0.0, -5000, 0.0}, {-1, -0.0, -0.0, -5000, -0.0},
  };
  for (size_t i = 0; i < sizeof zeros / sizeof *zeros; i++) {
    for (size_t j = 0; j < n; j++) x[j] = zeros[i].sign * (double)(j + 1);
    x[100] = zeros[i].first;
    x[4321] = zeros[i].later;
    stats_every_width(x, n, &s, "zeros across chunks");
    CHECK_SAME(s.min, zeros[i].min, "min, zeros across chunks");
    CHECK_SAME(s.max, zeros[i].max, "max, zeros across chunks");
  }

  /* Infinities of both signs make a chunk's lanes sum to NaN without a
   * NaN in the data: in neighbouring lanes of one chunk, and in two
   * chunks; then a NaN in a later chunk still counts. */
  const size_t infs[][3] = {{5, 6, 0}, {5, 3000, 0}, {5, 6, 2100}};
  for (size_t i = 0; i < sizeof infs / sizeof *infs; i++) {
    for (size_t j = 0; j < n; j++) x[j] = (double)j;
    x[infs[i][0]] = inf;
    x[infs[i][1]] = -inf;
    if (infs[i][2]) x[infs[i][2]] = nan;
    stats_every_width(x, n, &s, "infinities of both signs");
    CHECK(isnan(s.sum) && isnan(s.mean) && isnan(s.variance),
          "infinities at %zu, %zu: sum %g mean %g variance %g", infs[i][0],
          infs[i][1], s.sum, s.mean, s.variance);
    if (infs[i][2])
      CHECK(isnan(s.min) && isnan(s.max), "NaN after infinities");
    else
      CHECK(s.min == -inf && s.max == inf, "infinities at %zu, %zu: %g %g",
            infs[i][0], infs[i][1], s.min, s.max);
  }

  /* All-equal data: variance is zero up to the rounding of the mean. */
  double vals[] = {0.1, 3.0, -1e300, 1e-300, 123456.789};
  for (size_t i = 0; i < sizeof vals / sizeof *vals; i++) {
    for (size_t j = 0; j < n; j++) x[j] = vals[i];
    CHECK_STATUS(job_stats(x, n, &s), TC_OK);
    CHECK(s.min == vals[i] && s.max == vals[i], "all %g: min/max", vals[i]);
    CHECK(fabs(s.mean - vals[i]) <= 1e-12 * fabs(vals[i]), "all %g: mean %.17g",
          vals[i], s.mean);
    CHECK(s.variance >= 0 && s.variance <= 1e-24 * vals[i] * vals[i],
          "all %g: variance %.17g", vals[i], s.variance);
  }
  free(x);
}

static int close_to(double got, double want, double scale, double rel) {
  return fabs(got - want) <= rel * scale;
}

void test_stats_random_vs_ref(void) {
  tct_rng r = {4};
  size_t sizes[] = {1, 2, 3, 5, 7, 2047, 2048, 2049, 10007, 1000003};
  for (size_t c = 0; c < sizeof sizes / sizeof *sizes; c++) {
    for (int kind = 0; kind < 3; kind++) {
      size_t n = sizes[c];
      double *x = tct_xmalloc(n * sizeof *x);
      double abs_sum = 0;
      tc_stats_t got, want;
      for (size_t i = 0; i < n; i++) {
        double u = (double)(tct_next(&r) >> 11) / 9007199254740992.0;
        /* uniform in [-1000, 1000); a large offset with a small spread,
         * where sum-of-squares formulas cancel; wide magnitudes */
        x[i] = kind == 0   ? 2000 * u - 1000
               : kind == 1 ? 1e9 + u
                           : (2 * u - 1) * pow(10, (double)tct_below(&r, 40));
        abs_sum += fabs(x[i]);
      }
      CHECK_STATUS(job_stats(x, n, &got), TC_OK);
      tct_ref_stats(x, n, &want);
      CHECK(got.count == want.count, "count");
      CHECK_SAME(got.min, want.min, "min");
      CHECK_SAME(got.max, want.max, "max");
      CHECK(close_to(got.sum, want.sum, abs_sum, 1e-12), "n %zu kind %d sum", n,
            kind);
      CHECK(close_to(got.mean, want.mean, abs_sum / (double)n, 1e-12),
            "n %zu kind %d mean %.17g want %.17g", n, kind, got.mean,
            want.mean);
      CHECK(close_to(got.variance, want.variance, want.variance, 1e-6) ||
                (n == 1 && got.variance == 0),
            "n %zu kind %d variance %.17g want %.17g", n, kind, got.variance,
            want.variance);
      free(x);
    }
  }
}

/* Every vector width this CPU can run gives the same bits: 1 (scalar code
 * in the same eight lanes) everywhere, 4 and 8 as far as this CPU runs them
 * (within TWINCORE_SIMD), against 2. */
void test_stats_every_width(void) {
  tct_rng r = {16};
  size_t sizes[] = {1, 7, 8, 9, 2047, 2049, 100003};
  for (size_t c = 0; c < sizeof sizes / sizeof *sizes; c++) {
    size_t n = sizes[c];
    double *x = tct_xmalloc(n * sizeof *x);
    tc_stats_t want, got;
    for (size_t i = 0; i < n; i++)
      x[i] = i % 101 == 3 ? -0.0 : ((double)(tct_next(&r) >> 11) - 4e15) * 1e-3;
    CHECK_STATUS(tc__stats_f64_vd(2, x, n, &want, NULL), TC_OK);
    for (int vd = 1; vd == 1 || vd <= tc__stats_widest();
         vd = vd == 1 ? 4 : 2 * vd) {
      CHECK_STATUS(tc__stats_f64_vd(vd, x, n, &got, NULL), TC_OK);
      CHECK(memcmp(&got, &want, sizeof got) == 0, "width %d, n %zu", vd, n);
    }
    free(x);
  }
}
