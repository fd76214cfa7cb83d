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

/* One chunk of len values: lane sums, lane minima and maxima (NaN left
 * out), and which special values it saw; then the lane sums of squared
 * deviations from mean, on a second look while the chunk is in cache. */
static TC__TARGET void TC__FN(tc__chunk)(const double *x, size_t len,
                                         tc__lanes *out) {
  TC__FN(tc__vd) s[TC__NV], mn[TC__NV], mx[TC__NV];
  TC__FN(tc__vi) nan = {0}, pz = {0}, nz = {0};
  const TC__FN(tc__vi) zero = {0};
  const TC__FN(tc__vi) sign = zero + (int64_t)((uint64_t)1 << 63);
  size_t i = 0;
  for (int k = 0; k < TC__NV; k++) {
    s[k] = (TC__FN(tc__vd)){0};
    mn[k] = s[k] + out->min;
    mx[k] = s[k] + out->max;
  }
  for (; i + TC__LANES <= len; i += TC__LANES) {
    for (int k = 0; k < TC__NV; k++) {
      TC__FN(tc__vd) v;
      TC__FN(tc__vi) b, lt, gt;
      memcpy(&v, x + i + (size_t)k * TC__VD, sizeof v);
      memcpy(&b, &v, sizeof b);
      s[k] = s[k] + v;
      /* min = v < min ? v : min, as a bitwise select; a NaN compares
       * false and leaves min as it was. */
      lt = v < mn[k];
      gt = v > mx[k];
      mn[k] = (TC__FN(tc__vd))(((TC__FN(tc__vi))v & lt) |
                               ((TC__FN(tc__vi))mn[k] & ~lt));
      mx[k] = (TC__FN(tc__vd))(((TC__FN(tc__vi))v & gt) |
                               ((TC__FN(tc__vi))mx[k] & ~gt));
      nan |= v != v;
      pz |= b == zero;
      nz |= b == sign;
    }
  }
  for (int k = 0; k < TC__NV; k++) {
    for (int j = 0; j < TC__VD; j++) {
      out->sum[k * TC__VD + j] = s[k][j];
      if (mn[k][j] < out->min) out->min = mn[k][j];
      if (mx[k][j] > out->max) out->max = mx[k][j];
      out->saw_nan |= nan[j] != 0;
      out->saw_pzero |= pz[j] != 0;
      out->saw_nzero |= nz[j] != 0;
    }
  }
  /* The tail goes to the lanes its indices fall in. */
  for (; i < len; i++) {
    double v = x[i];
    uint64_t b;
    memcpy(&b, &v, sizeof b);
    out->sum[i % TC__LANES] += v;
    if (v < out->min) out->min = v;
    if (v > out->max) out->max = v;
    out->saw_nan |= v != v;
    out->saw_pzero |= b == 0;
    out->saw_nzero |= b == ((uint64_t)1 << 63);
  }
}

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

#undef TC__NV
