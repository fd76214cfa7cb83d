/* Plain references the core's results are checked against, written from
 * the specifications (FIPS 180-4; the order and arithmetic the README
 * gives) without the core's shortcuts. The C tests and the fuzzer share
 * them. */
#include "ref.h"

#include <math.h>

#include "harness.h"

static uint32_t ref_rotr(uint32_t x, int n) {
  return (x >> n) | (x << (32 - n));
}

void tct_ref_sha256(const uint8_t *msg, size_t len, uint8_t out[32]) {
  static const uint32_t k[64] = {
      0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1,
      0x923f82a4, 0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3,
      0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786,
      0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
      0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147,
      0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13,
      0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b,
      0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
      0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a,
      0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208,
      0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2};
  uint32_t h[8] = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
                   0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};
  size_t total = (len + 9 + 63) / 64 * 64;
  uint8_t *m = tct_xmalloc(total);
  uint64_t bits = (uint64_t)len * 8;
  if (len > 0) memcpy(m, msg, len); /* msg may be NULL when len is 0 */
  memset(m + len, 0, total - len);
  m[len] = 0x80;
  for (size_t i = 0; i < 8; i++) m[total - 1 - i] = (uint8_t)(bits >> (8 * i));

  for (size_t off = 0; off < total; off += 64) {
    uint32_t w[64], v[8];
    for (int t = 0; t < 64; t++) {
      if (t < 16) {
        const uint8_t *p = m + off + 4 * t;
        w[t] = (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
               (uint32_t)p[2] << 8 | p[3];
      } else {
        uint32_t s0 =
            ref_rotr(w[t - 15], 7) ^ ref_rotr(w[t - 15], 18) ^ (w[t - 15] >> 3);
        uint32_t s1 =
            ref_rotr(w[t - 2], 17) ^ ref_rotr(w[t - 2], 19) ^ (w[t - 2] >> 10);
        w[t] = s1 + w[t - 7] + s0 + w[t - 16];
      }
    }
    memcpy(v, h, sizeof v);
    for (int t = 0; t < 64; t++) {
      uint32_t e = v[4], a = v[0];
      uint32_t ch = (e & v[5]) ^ (~e & v[6]);
      uint32_t maj = (a & v[1]) ^ (a & v[2]) ^ (v[1] & v[2]);
      uint32_t t1 = v[7] +
                    (ref_rotr(e, 6) ^ ref_rotr(e, 11) ^ ref_rotr(e, 25)) + ch +
                    k[t] + w[t];
      uint32_t t2 = (ref_rotr(a, 2) ^ ref_rotr(a, 13) ^ ref_rotr(a, 22)) + maj;
      memmove(v + 1, v, 7 * sizeof *v);
      v[4] += t1;
      v[0] = t1 + t2;
    }
    for (int i = 0; i < 8; i++) h[i] += v[i];
  }
  for (int i = 0; i < 8; i++) {
    out[4 * i] = (uint8_t)(h[i] >> 24);
    out[4 * i + 1] = (uint8_t)(h[i] >> 16);
    out[4 * i + 2] = (uint8_t)(h[i] >> 8);
    out[4 * i + 3] = (uint8_t)h[i];
  }
  free(m);
}

/* TypedArray.prototype.sort()'s order spelled out: numeric, -0 before +0,
 * NaN after everything. Among NaNs, whose order the spec leaves open, the
 * README's: the sign bit clear first, by ascending bits, then the sign bit
 * set, by descending bits. */
static int cmp_nan_bits(uint64_t a, uint64_t b, uint64_t sign) {
  int sa = (a & sign) != 0, sb = (b & sign) != 0;
  if (sa != sb) return sa - sb;
  if (a == b) return 0;
  return (a < b) == !sa ? -1 : 1;
}

static int cmp_f64(const void *pa, const void *pb) {
  double a, b;
  memcpy(&a, pa, 8);
  memcpy(&b, pb, 8);
  if (isnan(a) || isnan(b)) {
    if (!isnan(b)) return 1;
    if (!isnan(a)) return -1;
    return cmp_nan_bits(tct_bits64(a), tct_bits64(b), 1ull << 63);
  }
  if (a < b) return -1;
  if (a > b) return 1;
  return (int)!signbit(a) - (int)!signbit(b);
}

static int cmp_f32(const void *pa, const void *pb) {
  float a, b;
  memcpy(&a, pa, 4);
  memcpy(&b, pb, 4);
  if (isnan(a) || isnan(b)) {
    if (!isnan(b)) return 1;
    if (!isnan(a)) return -1;
    return cmp_nan_bits(tct_bits32(a), tct_bits32(b), 1ull << 31);
  }
  if (a < b) return -1;
  if (a > b) return 1;
  return (int)!signbit(a) - (int)!signbit(b);
}

static int cmp_i32(const void *pa, const void *pb) {
  int32_t a, b;
  memcpy(&a, pa, 4);
  memcpy(&b, pb, 4);
  return a < b ? -1 : a > b;
}

static int cmp_u32(const void *pa, const void *pb) {
  uint32_t a, b;
  memcpy(&a, pa, 4);
  memcpy(&b, pb, 4);
  return a < b ? -1 : a > b;
}

void tct_ref_sort(int dtype, void *data, size_t n) {
  int (*cmp)(const void *, const void *) = dtype == TC_DTYPE_F64   ? cmp_f64
                                           : dtype == TC_DTYPE_F32 ? cmp_f32
                                           : dtype == TC_DTYPE_I32 ? cmp_i32
                                                                   : cmp_u32;
  qsort(data, n, tc_dtype_size(dtype), cmp);
}

void tct_ref_matmul(const float *a, const float *b, float *c, size_t m,
                    size_t k, size_t n) {
  for (size_t i = 0; i < m; i++)
    for (size_t j = 0; j < n; j++) {
      float s = 0.0f;
      for (size_t p = 0; p < k; p++) s = s + a[i * k + p] * b[p * n + j];
      /* The core writes every NaN as the canonical quiet NaN. */
      c[i * n + j] = isnan(s) ? tct_f32(0x7fc00000u) : s;
    }
}

/* Two passes in long double, left to right. */
void tct_ref_stats(const double *x, size_t n, tc_stats_t *s) {
  long double sum = 0, m2 = 0, mean;
  double mn = INFINITY, mx = -INFINITY;
  for (size_t i = 0; i < n; i++) {
    sum += x[i];
    if (x[i] < mn) mn = x[i];
    if (x[i] > mx) mx = x[i];
  }
  mean = sum / (long double)n;
  for (size_t i = 0; i < n; i++) m2 += (x[i] - mean) * (x[i] - mean);
  s->count = (double)n;
  s->sum = (double)sum;
  s->min = mn;
  s->max = mx;
  s->mean = (double)mean;
  s->variance = (double)(m2 / (long double)n);
}
