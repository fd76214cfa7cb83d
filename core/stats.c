/* count, sum, min, max, mean and population variance of float64 data.
 *
 * One pass over memory, in a fixed order so that every build gives the same
 * bits: the data is cut into chunks small enough to stay in L1. For each
 * chunk, eight interleaved lanes sum the values (lane j takes elements
 * i = j mod 8; the lanes are added as ((l0 + l1) + (l2 + l3)) + ((l4 + l5)
 * + (l6 + l7))), then a second look at the cached chunk sums the squared
 * deviations from the chunk's mean in the same lane order. Chunks are
 * merged in order with the pairwise update of Chan, Golub and LeVeque,
 * which keeps the variance accurate where the textbook sum-of-squares
 * formula cancels: a block's chunks in order, then the blocks in order. The
 * lane loops are SIMD (stats_impl.h), built for 16-byte vectors everywhere and,
 * on x86-64, for AVX2 and AVX-512, picked at run time; the lanes, not the
 * vectors, fix the order, so every width gives the same bits.
 *
 * Special values:
 *   - empty input: count 0, sum 0, min/max/mean/variance NaN;
 *   - any NaN: sum, min, max, mean and variance are NaN;
 *   - otherwise an infinity makes variance NaN and sum and mean follow
 *     IEEE arithmetic (+Inf plus -Inf is NaN), while min and max stay
 *     exact; finite data whose sum overflows on the way is summed again
 *     from values scaled by 2^-64, so that the sum is an infinity only
 *     where it leaves the double range, and the mean and variance stay
 *     finite where they are doubles;
 *   - min prefers -0 to +0 and max +0 to -0, as Math.min and Math.max do.
 */
#include <math.h>
#include <string.h>

#include "tc_internal.h"

#if defined(__wasm_simd128__)
#include <wasm_simd128.h>
#elif defined(__x86_64__) || defined(__SSE2__)
#include <immintrin.h>
#endif

/* 2048 doubles: 16 KiB, which stays in any L1 data cache for the second
 * look. A multiple of the lanes. */
#define TC__STATS_CHUNK 2048
/* 64 chunks, 1 MiB: a block. Blocks are the unit of a split (each part
 * takes whole blocks) and of the looks at the cancel flag. A block's
 * chunks are merged in order, then the blocks in order, whether one
 * thread or several computed them: the same bits either way. */
#define TC__STATS_BLOCK (TC__STATS_CHUNK * 64)
#define TC__LANES 8

/* What one chunk gave, and the running minimum and maximum. */
typedef struct {
  double sum[TC__LANES];
  double min, max;
  int saw_nan, saw_pzero, saw_nzero;
} tc__lanes;

/* Width 1: scalar code in the same eight lanes, for TWINCORE_SIMD=scalar. */
#define TC__VD 1
#define TC__FN(x) x##_v1
#define TC__TARGET TC__NO_VECTORIZE
#include "stats_impl.h"
#undef TC__VD
#undef TC__FN
#undef TC__TARGET

#define TC__VD 2
#define TC__FN(x) x##_v2
#define TC__TARGET
#include "stats_impl.h"
#undef TC__VD
#undef TC__FN
#undef TC__TARGET

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__)) && \
    !defined(__EMSCRIPTEN__)
#define TC__X86_WIDE 1

#define TC__VD 4
#define TC__FN(x) x##_v4
#define TC__TARGET __attribute__((target("avx2")))
#include "stats_impl.h"
#undef TC__VD
#undef TC__FN
#undef TC__TARGET

#define TC__VD 8
#define TC__FN(x) x##_v8
#define TC__TARGET __attribute__((target("avx512f")))
#include "stats_impl.h"
#undef TC__VD
#undef TC__FN
#undef TC__TARGET
#endif

/* The mean of len values whose sum overflowed, as a running mean in one
 * fixed order: m + (x - m) / i, with x and m halved so that no step can
 * overflow (equal values give their value exactly). An infinity or NaN
 * among them keeps mean as it was. */
static double tc__running_mean(const double *x, size_t len, double mean) {
  double m = 0.0;
  for (size_t i = 0; i < len; i++) {
    if (!isfinite(x[i])) return mean;
    m = m + (x[i] * 0.5 - m * 0.5) / (double)(i + 1) * 2.0;
  }
  return m;
}

/* The fixed order in which the lanes are added. */
static double tc__lane_sum(const double *l) {
  return ((l[0] + l[1]) + (l[2] + l[3])) + ((l[4] + l[5]) + (l[6] + l[7]));
}

typedef void (*tc__chunk_fn)(const double *, size_t, tc__lanes *);
typedef void (*tc__dev_fn)(const double *, size_t, double, double *);

/* Whether x holds a NaN: asked only of a chunk whose lanes summed to NaN,
 * which a NaN makes them, and so do infinities of both signs. */
static int tc__has_nan(const double *x, size_t len) {
  for (size_t i = 0; i < len; i++)
    if (x[i] != x[i]) return 1;
  return 0;
}

int tc__stats_widest(void) {
  int cap = tc__simd_cap_bytes();
  if (cap == 0) return 1;
#ifdef TC__X86_WIDE
  if (cap >= 64 && __builtin_cpu_supports("avx512f")) return 8;
  if (cap >= 32 && __builtin_cpu_supports("avx2")) return 4;
#endif
  return 2;
}

tc_status tc_stats_f64(const double *in, size_t n, tc_stats_t *out,
                       const int32_t *cancel) {
  return tc__stats_f64_vd(tc__stats_widest(), in, n, out, cancel);
}

/* What a block gave, and what blocks merged in order give: count, sum,
 * mean and sum of squared deviations, the running min and max, and
 * whether a NaN, +0 or -0 was seen where it matters. */
typedef struct {
  double n, sum, mean, m2, min, max;
  int saw_nan, saw_pzero, saw_nzero;
} tc__moments;

static void tc__moments_init(tc__moments *m) {
  memset(m, 0, sizeof *m);
  m->min = INFINITY;
  m->max = -INFINITY;
}

/* Moments of cn values into acc: the first ones as they are, later ones
 * by the pairwise update. */
static void tc__merge(tc__moments *acc, double cn, double csum, double cmean,
                      double cm2) {
  if (acc->n == 0.0) {
    acc->n = cn;
    acc->sum = csum;
    acc->mean = cmean;
    acc->m2 = cm2;
    return;
  }
  double tn = acc->n + cn;
  double delta = cmean - acc->mean;
  /* Halved and doubled, which changes no bit of ordinary data, so that
   * means near the double range cannot overflow on the way. */
  acc->mean = acc->mean + (cmean * 0.5 - acc->mean * 0.5) * (cn / tn) * 2.0;
  acc->m2 = acc->m2 + cm2 + delta * delta * (acc->n * cn / tn);
  acc->sum = acc->sum + csum;
  acc->n = tn;
}

/* A whole block's moments into acc, and its extremes and flags. */
static void tc__merge_block(tc__moments *acc, const tc__moments *b) {
  tc__merge(acc, b->n, b->sum, b->mean, b->m2);
  if (b->min < acc->min) acc->min = b->min;
  if (b->max > acc->max) acc->max = b->max;
  acc->saw_nan |= b->saw_nan;
  acc->saw_pzero |= b->saw_pzero;
  acc->saw_nzero |= b->saw_nzero;
}

/* The kernels of one width. */
typedef struct {
  tc__chunk_fn chunk, zero;
  tc__dev_fn dev;
} tc__stats_fns;

static tc__stats_fns tc__stats_width(int vd) {
  tc__stats_fns f = {tc__chunk_v2, tc__zero_signs_v2, tc__deviations_v2};
#ifdef TC__X86_WIDE
  if (vd == 8) {
    f.chunk = tc__chunk_v8;
    f.dev = tc__deviations_v8;
    f.zero = tc__zero_signs_v8;
  } else if (vd == 4) {
    f.chunk = tc__chunk_v4;
    f.dev = tc__deviations_v4;
    f.zero = tc__zero_signs_v4;
  }
#endif
  if (vd == 1) {
    f.chunk = tc__chunk_v1;
    f.dev = tc__deviations_v1;
    f.zero = tc__zero_signs_v1;
  }
  return f;
}

/* One block of at most TC__STATS_BLOCK values, chunk by chunk in order. */
static void tc__stats_block(const tc__stats_fns *f, const double *in, size_t n,
                            tc__moments *out) {
  tc__lanes lanes;
  memset(&lanes, 0, sizeof lanes);
  lanes.min = INFINITY;
  lanes.max = -INFINITY;
  tc__moments_init(out);
  for (size_t start = 0; start < n; start += TC__STATS_CHUNK) {
    size_t len = n - start < TC__STATS_CHUNK ? n - start : TC__STATS_CHUNK;
    const double *x = in + start;
    double q[TC__LANES];

    f->chunk(x, len, &lanes);
    double csum = tc__lane_sum(lanes.sum);
    if (csum != csum && !lanes.saw_nan) lanes.saw_nan = tc__has_nan(x, len);
    /* The signs of zeros matter only where the minimum or maximum ends up
     * zero; a running one that is zero now was zero or above (below) all
     * along, so every chunk with a zero of the sign that matters gets
     * here. */
    if ((lanes.min == 0.0 && !lanes.saw_nzero) ||
        (lanes.max == 0.0 && !lanes.saw_pzero))
      f->zero(x, len, &lanes);
    double cn = (double)len;
    double cmean = csum / cn;
    /* Finite values whose sum leaves the double range: the chunk's mean is
     * taken again as a running mean, so that mean and variance stay
     * finite. */
    if (!isfinite(cmean)) cmean = tc__running_mean(x, len, cmean);
    f->dev(x, len, cmean, q);
    tc__merge(out, cn, csum, cmean, tc__lane_sum(q));
  }
  out->min = lanes.min;
  out->max = lanes.max;
  out->saw_nan = lanes.saw_nan;
  out->saw_pzero = lanes.saw_pzero;
  out->saw_nzero = lanes.saw_nzero;
}

static tc_status tc__stats_finish(const double *in, size_t n,
                                  const tc__moments *all, tc_stats_t *out,
                                  const int32_t *cancel);

tc_status tc__stats_f64_vd(int vd, const double *in, size_t n, tc_stats_t *out,
                           const int32_t *cancel) {
  tc__stats_fns f = tc__stats_width(vd);
  tc__moments all, block;
  tc__moments_init(&all);
  for (size_t start = 0; start < n; start += TC__STATS_BLOCK) {
    if (tc__cancelled(cancel)) return TC_CANCELED;
    tc__stats_block(&f, in + start,
                    n - start < TC__STATS_BLOCK ? n - start : TC__STATS_BLOCK,
                    &block);
    tc__merge_block(&all, &block);
  }
  return tc__stats_finish(in, n, &all, out, cancel);
}

/* The result from the merged moments of all n values. */
static tc_status tc__stats_finish(const double *in, size_t n,
                                  const tc__moments *all, tc_stats_t *out,
                                  const int32_t *cancel) {
  double all_n = all->n, all_sum = all->sum, all_m2 = all->m2;
  out->count = (double)n;
  out->sum = all_sum;
  if (n == 0 || all->saw_nan) {
    double nan = NAN;
    if (n != 0) out->sum = nan;
    out->min = out->max = out->mean = out->variance = nan;
    return TC_OK;
  }
  /* Comparisons see -0 == +0; settle the sign from what the data held. */
  double mn = all->min, mx = all->max;
  if (mn == 0.0) mn = all->saw_nzero ? -0.0 : 0.0;
  if (mx == 0.0) mx = all->saw_pzero ? 0.0 : -0.0;
  out->min = mn;
  out->max = mx;
  out->mean = all_sum / all_n;
  /* Finite data whose sum overflowed on the way (one way, or both: then
   * NaN): once more over the data in index order. The sum from the values
   * times 2^-64, so that it is an infinity only where it truly leaves the
   * double range; the mean as the midpoint c of min and max plus the mean
   * of x - c (at most half the range each, so finite), times 2^-64, so
   * that equal values give their value exactly. */
  if (!isfinite(all_sum) && isfinite(mn) && isfinite(mx)) {
    double q = 0.0, d = 0.0, c = mn * 0.5 + mx * 0.5;
    for (size_t i = 0; i < n; i++) {
      if (i % TC__STATS_BLOCK == 0 && tc__cancelled(cancel)) return TC_CANCELED;
      q = q + in[i] * 0x1p-64;
      d = d + (in[i] - c) * 0x1p-64;
    }
    out->sum = q * 0x1p64;
    out->mean = c + d / all_n * 0x1p64;
  }
  out->variance = all_m2 / all_n;
  /* Finite data whose squared deviations overflow the running sum, while
   * the variance itself may not: once more over the data with deviations
   * halved and scaled by 2^-511, in index order. */
  if (isinf(out->variance) && isfinite(mn) && isfinite(mx) &&
      isfinite(out->mean)) {
    double q = 0.0;
    for (size_t i = 0; i < n; i++) {
      double d = (in[i] * 0.5 - out->mean * 0.5) * 0x1p-511;
      if (i % TC__STATS_BLOCK == 0 && tc__cancelled(cancel)) return TC_CANCELED;
      q = q + d * d;
    }
    /* (x - mean)^2 = 4 (d 2^511)^2: the mean of the squares times 2^1024. */
    out->variance = q / all_n * 0x1p512 * 0x1p512;
  }
  return TC_OK;
}

/* ---- split: each part takes whole blocks (phase 0), and the blocks'
 * moments (the area, then their merge) are merged in order by tc_next().
 * Where the result needs another pass over the data in index order (a sum
 * or squared deviations that overflowed), that pass is phase 1, run by
 * part 0: tc_next() stays short (a merge of the blocks' moments), since
 * the other pool threads of the job wait while it runs. ---- */

static size_t tc__stats_blocks(const tc_job *job) {
  return (job->in_len / sizeof(double) + TC__STATS_BLOCK - 1) / TC__STATS_BLOCK;
}

static tc_status tc__stats_parts(const tc_job *job, size_t want, size_t *parts,
                                 size_t *area_len) {
  size_t blocks = tc__stats_blocks(job);
  *parts = want < blocks ? want : blocks;
  /* The blocks' moments, then the merge of them all. */
  *area_len = (blocks + 1) * sizeof(tc__moments);
  return TC_OK;
}

static tc_status tc__stats_part(tc_job *job, tc__split_t *s, size_t part) {
  tc__stats_fns f = tc__stats_width(tc__stats_widest());
  tc__moments *m = (tc__moments *)(void *)tc__split_area(s);
  const double *in = job->in;
  size_t n = job->in_len / sizeof(double), first, end;
  if (s->phase == 1) {
    return part == 0 ? tc__stats_finish(in, n, &m[tc__stats_blocks(job)],
                                        job->out, &job->cancel)
                     : TC_OK;
  }
  tc__part_range(n, TC__STATS_BLOCK, s->parts, part, &first, &end);
  for (size_t start = first; start < end; start += TC__STATS_BLOCK) {
    if (tc__cancelled(&job->cancel)) return TC_CANCELED;
    tc__stats_block(
        &f, in + start,
        end - start < TC__STATS_BLOCK ? end - start : TC__STATS_BLOCK,
        &m[start / TC__STATS_BLOCK]);
  }
  return TC_OK;
}

static tc_status tc__stats_next(tc_job *job, tc__split_t *s) {
  tc__moments *m = (tc__moments *)(void *)tc__split_area(s);
  size_t blocks = tc__stats_blocks(job);
  tc__moments *all = &m[blocks];
  tc_status st = tc__phase_status(s);
  if (st != TC_OK || s->phase == 1) return st;
  tc__moments_init(all);
  for (size_t b = 0; b < blocks; b++) tc__merge_block(all, &m[b]);
  /* Another pass over the data: the sum or the squared deviations left
   * the double range on the way (see tc__stats_finish()). */
  if (!all->saw_nan && isfinite(all->min) && isfinite(all->max) &&
      (!isfinite(all->sum) || isinf(all->m2 / all->n))) {
    s->phase = 1;
    return TC_PENDING;
  }
  return tc__stats_finish(job->in, job->in_len / sizeof(double), all, job->out,
                          &job->cancel);
}

const tc__splitter_t tc__stats_splitter = {tc__stats_parts, NULL,
                                           tc__stats_part, tc__stats_next};
