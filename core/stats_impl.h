/* The per-chunk loops of stats for one vector width, instantiated by
 * stats.c. Before inclusion, stats.c defines:
 *   TC__VD        doubles per vector (2, 4 or 8)
 *   TC__FN(x)     x with a suffix naming the width
 *   TC__TARGET    a function attribute selecting the instruction set, or
 *                 nothing
 *
 * The order of additions is that of TC__LANES (8) logical lanes, lane j
 * taking elements i = j mod 8 in turn, whatever the vector width: a width
 * only decides how many lanes one instruction carries. So every width
 * gives the same bits.
 */

#define TC__NV (TC__LANES / TC__VD)

typedef double TC__FN(tc__vd) __attribute__((vector_size(TC__VD * 8)));
typedef int64_t TC__FN(tc__vi) __attribute__((vector_size(TC__VD * 8)));

/* a < b ? a : b and a > b ? a : b, lane by lane, in one instruction where
 * there is one (x86's MINPD and MAXPD are defined as exactly this, and
 * wasm's pmin and pmax with the operands the other way round): a NaN in a
 * gives b. TC__MIN_TREE says whether that instruction exists: elsewhere
 * the select may become a branch (V8 compiles a scalar wasm select to
 * one), which guesses well against a running minimum but not between two
 * data values. */
#if TC__VD == 1
#define TC__MIN_TREE 0
#define TC__MIN(a, b) ((TC__FN(tc__vd)){(a)[0] < (b)[0] ? (a)[0] : (b)[0]})
#define TC__MAX(a, b) ((TC__FN(tc__vd)){(a)[0] > (b)[0] ? (a)[0] : (b)[0]})
#elif TC__VD == 2 && defined(__wasm_simd128__)
#define TC__MIN_TREE 1
#define TC__MIN(a, b) \
  ((TC__FN(tc__vd))wasm_f64x2_pmin((v128_t)(b), (v128_t)(a)))
#define TC__MAX(a, b) \
  ((TC__FN(tc__vd))wasm_f64x2_pmax((v128_t)(b), (v128_t)(a)))
#elif TC__VD == 2 && defined(__SSE2__)
#define TC__MIN_TREE 1
#define TC__MIN(a, b) ((TC__FN(tc__vd))_mm_min_pd((__m128d)(a), (__m128d)(b)))
#define TC__MAX(a, b) ((TC__FN(tc__vd))_mm_max_pd((__m128d)(a), (__m128d)(b)))
#elif TC__VD == 4
#define TC__MIN_TREE 1
#define TC__MIN(a, b) \
  ((TC__FN(tc__vd))_mm256_min_pd((__m256d)(a), (__m256d)(b)))
#define TC__MAX(a, b) \
  ((TC__FN(tc__vd))_mm256_max_pd((__m256d)(a), (__m256d)(b)))
#elif TC__VD == 8
#define TC__MIN_TREE 1
#define TC__MIN(a, b) \
  ((TC__FN(tc__vd))_mm512_min_pd((__m512d)(a), (__m512d)(b)))
#define TC__MAX(a, b) \
  ((TC__FN(tc__vd))_mm512_max_pd((__m512d)(a), (__m512d)(b)))
#else
/* A bitwise select on the comparison's mask. */
#define TC__MIN_TREE 0
#define TC__MIN(a, b) TC__FN(tc__select)((a) < (b), a, b)
#define TC__MAX(a, b) TC__FN(tc__select)((a) > (b), a, b)
static inline TC__FN(tc__vd)
    TC__FN(tc__select)(TC__FN(tc__vi) m, TC__FN(tc__vd) a, TC__FN(tc__vd) b) {
  return (TC__FN(tc__vd))(((TC__FN(tc__vi))a & m) | ((TC__FN(tc__vi))b & ~m));
}
#endif

/* One chunk of len values: lane sums, and the minimum and maximum (NaN
 * left out). The loop does only what these need: which special values
 * the chunk holds is found afterwards, and only where it can matter
 * (tc__zero_signs() below, and stats.c for NaN, which makes a lane sum
 * NaN). The order of the minimum and maximum is free, so one running
 * pair serves all lanes. With a MIN instruction each row's vectors meet
 * in a tree first, which leaves one step per row on the running pair's
 * chain and frees registers (V8 spilled one of twelve accumulators at 16
 * bytes); in the tree a NaN can hide other values, but then the minimum
 * and maximum are not used. Without one, each vector meets the running
 * pair in turn. */
static TC__TARGET void TC__FN(tc__chunk)(const double *x, size_t len,
                                         tc__lanes *out) {
  TC__FN(tc__vd) s[TC__NV];
  TC__FN(tc__vd) mn = (TC__FN(tc__vd)){0} + out->min;
  TC__FN(tc__vd) mx = (TC__FN(tc__vd)){0} + out->max;
  size_t i = 0;
  for (int k = 0; k < TC__NV; k++) s[k] = (TC__FN(tc__vd)){0};
  for (; i + TC__LANES <= len; i += TC__LANES) {
    TC__FN(tc__vd) lo[TC__NV], hi[TC__NV];
    for (int k = 0; k < TC__NV; k++) {
      memcpy(&lo[k], x + i + (size_t)k * TC__VD, sizeof lo[k]);
      hi[k] = lo[k];
      s[k] = s[k] + lo[k];
    }
#if TC__MIN_TREE
    /* Halving, level by level: loops of fixed length, which the
     * compilers unroll into registers. */
#if TC__NV >= 8
    for (int k = 0; k < 4; k++) {
      lo[k] = TC__MIN(lo[k + 4], lo[k]);
      hi[k] = TC__MAX(hi[k + 4], hi[k]);
    }
#endif
#if TC__NV >= 4
    for (int k = 0; k < 2; k++) {
      lo[k] = TC__MIN(lo[k + 2], lo[k]);
      hi[k] = TC__MAX(hi[k + 2], hi[k]);
    }
#endif
#if TC__NV >= 2
    lo[0] = TC__MIN(lo[1], lo[0]);
    hi[0] = TC__MAX(hi[1], hi[0]);
#endif
    /* v < min ? v : min, and so on: a NaN compares false and leaves min
     * as it was. */
    mn = TC__MIN(lo[0], mn);
    mx = TC__MAX(hi[0], mx);
#else
    for (int k = 0; k < TC__NV; k++) {
      mn = TC__MIN(lo[k], mn);
      mx = TC__MAX(hi[k], mx);
    }
#endif
  }
  for (int k = 0; k < TC__NV; k++)
    for (int j = 0; j < TC__VD; j++) out->sum[k * TC__VD + j] = s[k][j];
  for (int j = 0; j < TC__VD; j++) {
    if (mn[j] < out->min) out->min = mn[j];
    if (mx[j] > out->max) out->max = mx[j];
  }
  /* The tail goes to the lanes its indices fall in. */
  for (; i < len; i++) {
    double v = x[i];
    out->sum[i % TC__LANES] += v;
    if (v < out->min) out->min = v;
    if (v > out->max) out->max = v;
  }
}

/* The second look at the chunk, once its mean is known: the lane sums of
 * squared deviations from mean, into q. */
static TC__TARGET void TC__FN(tc__deviations)(const double *x, size_t len,
                                              double mean, double *q) {
  TC__FN(tc__vd) acc[TC__NV];
  size_t i = 0;
  for (int k = 0; k < TC__NV; k++) acc[k] = (TC__FN(tc__vd)){0};
  for (; i + TC__LANES <= len; i += TC__LANES) {
    for (int k = 0; k < TC__NV; k++) {
      TC__FN(tc__vd) v, d;
      memcpy(&v, x + i + (size_t)k * TC__VD, sizeof v);
      d = v - mean;
      acc[k] = acc[k] + d * d;
    }
  }
  for (int k = 0; k < TC__NV; k++)
    for (int j = 0; j < TC__VD; j++) q[k * TC__VD + j] = acc[k][j];
  for (; i < len; i++) {
    double d = x[i] - mean;
    q[i % TC__LANES] += d * d;
  }
}

/* Whether the chunk holds +0 and -0. Comparisons see -0 == +0, so the
 * minimum and maximum cannot tell; stats.c asks only once the running
 * minimum or maximum is zero, which data without zeros never reach. */
static TC__TARGET void TC__FN(tc__zero_signs)(const double *x, size_t len,
                                              tc__lanes *out) {
  const TC__FN(tc__vd) zero = {0};
  TC__FN(tc__vi) pz = {0}, nz = {0};
  size_t i = 0;
  for (; i + TC__VD <= len; i += TC__VD) {
    TC__FN(tc__vd) v;
    TC__FN(tc__vi) b, z;
    memcpy(&v, x + i, sizeof v);
    memcpy(&b, &v, sizeof b);
    /* A zero's sign bit lands in nz, its complement in pz. */
    z = v == zero;
    pz |= z & ~b;
    nz |= z & b;
  }
  for (int j = 0; j < TC__VD; j++) {
    out->saw_pzero |= pz[j] < 0;
    out->saw_nzero |= nz[j] < 0;
  }
  for (; i < len; i++) {
    uint64_t b;
    memcpy(&b, x + i, sizeof b);
    out->saw_pzero |= b == 0;
    out->saw_nzero |= b == ((uint64_t)1 << 63);
  }
}

#undef TC__NV
#undef TC__MIN
#undef TC__MAX
#undef TC__MIN_TREE
