/* count, sum, min, max, mean and population variance of float64 data.
 *
 * One pass over memory, in a fixed order so that every build gives the same
 * bits: the data is cut into chunks small enough to stay in L1. For each
 * chunk, four interleaved lanes sum the values (lane j takes elements
 * i = j mod 4; the lanes are added as (l0 + l1) + (l2 + l3)), then a second
 * look at the cached chunk sums the squared deviations from the chunk's
 * mean in the same lane order. Chunks are merged in order with the pairwise
 * update of Chan, Golub and LeVeque, which keeps the variance accurate
 * where the textbook sum-of-squares formula cancels.
 *
 * Special values:
 *   - empty input: count 0, sum 0, min/max/mean/variance NaN;
 *   - any NaN: sum, min, max, mean and variance are NaN;
 *   - otherwise an infinity makes variance NaN and sum and mean follow
 *     IEEE arithmetic (+Inf plus -Inf is NaN), while min and max stay
 *     exact; finite data whose sum leaves the double range sums to an
 *     infinity the same way;
 *   - min prefers -0 to +0 and max +0 to -0, as Math.min and Math.max do.
 */
#include <math.h>
#include <string.h>

#include "tc_internal.h"

/* 2048 doubles: 16 KiB, which stays in any L1 data cache for the second
 * look. A multiple of 4 lanes. */
#define TC__STATS_CHUNK 2048
/* Chunks between two looks at the cancel flag: 4 MiB. */
#define TC__STATS_CANCEL_EVERY 256

typedef struct {
  double n, sum, mean, m2;
} tc__moments;

static inline uint64_t tc__bits(double x) {
  uint64_t u;
  memcpy(&u, &x, sizeof u);
  return u;
}

tc_status tc_stats_f64(const double *in, size_t n, tc_stats_t *out,
                       const int32_t *cancel) {
  const uint64_t neg_zero = (uint64_t)1 << 63;
  tc__moments all = {0.0, 0.0, 0.0, 0.0};
  double mn = INFINITY, mx = -INFINITY;
  int saw_nan = 0, saw_pzero = 0, saw_nzero = 0;
  size_t chunk = 0;

  for (size_t start = 0; start < n; start += TC__STATS_CHUNK, chunk++) {
    size_t len = n - start < TC__STATS_CHUNK ? n - start : TC__STATS_CHUNK;
    const double *x = in + start;
    double s0 = 0.0, s1 = 0.0, s2 = 0.0, s3 = 0.0;
    double q0 = 0.0, q1 = 0.0, q2 = 0.0, q3 = 0.0;
    size_t i;

    if (chunk % TC__STATS_CANCEL_EVERY == 0 && tc__cancelled(cancel))
      return TC_CANCELED;

    /* Three looks at the chunk, each a simple loop the compiler can
     * vectorize without reordering any addition. */
    for (i = 0; i + 4 <= len; i += 4) {
      s0 += x[i];
      s1 += x[i + 1];
      s2 += x[i + 2];
      s3 += x[i + 3];
    }
    if (i < len) s0 += x[i++];
    if (i < len) s1 += x[i++];
    if (i < len) s2 += x[i++];
    for (i = 0; i < len; i++) {
      double v = x[i];
      uint64_t b = tc__bits(v);
      mn = v < mn ? v : mn;
      mx = v > mx ? v : mx;
      saw_nan |= v != v;
      saw_pzero |= b == 0;
      saw_nzero |= b == neg_zero;
    }
    double csum = (s0 + s1) + (s2 + s3);
    double cn = (double)len;
    double cmean = csum / cn;
    for (i = 0; i + 4 <= len; i += 4) {
      double d0 = x[i] - cmean, d1 = x[i + 1] - cmean;
      double d2 = x[i + 2] - cmean, d3 = x[i + 3] - cmean;
      q0 += d0 * d0;
      q1 += d1 * d1;
      q2 += d2 * d2;
      q3 += d3 * d3;
    }
    for (; i < len; i++) {
      double d = x[i] - cmean;
      if ((i & 3) == 0)
        q0 += d * d;
      else if ((i & 3) == 1)
        q1 += d * d;
      else
        q2 += d * d;
    }
    double cm2 = (q0 + q1) + (q2 + q3);

    if (all.n == 0.0) {
      all.n = cn;
      all.sum = csum;
      all.mean = cmean;
      all.m2 = cm2;
    } else {
      double tn = all.n + cn;
      double delta = cmean - all.mean;
      all.mean = all.mean + delta * (cn / tn);
      all.m2 = all.m2 + cm2 + delta * delta * (all.n * cn / tn);
      all.sum = all.sum + csum;
      all.n = tn;
    }
  }

  out->count = (double)n;
  out->sum = all.sum;
  if (n == 0 || saw_nan) {
    double nan = NAN;
    if (n != 0) out->sum = nan;
    out->min = out->max = out->mean = out->variance = nan;
    return TC_OK;
  }
  /* Comparisons see -0 == +0; settle the sign from what the data held. */
  if (mn == 0.0) mn = saw_nzero ? -0.0 : 0.0;
  if (mx == 0.0) mx = saw_pzero ? 0.0 : -0.0;
  out->min = mn;
  out->max = mx;
  out->mean = all.sum / all.n;
  out->variance = all.m2 / all.n;
  return TC_OK;
}
