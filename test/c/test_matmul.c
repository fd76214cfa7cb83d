/* matmul: known products, and random shapes against the naive triple loop.
 * The kernel promises the naive loop's order of additions, so the
 * comparison is bit for bit. */
#include <math.h>

#include "../../core/tc_internal.h"
#include "harness.h"
#include "ref.h"

static tc_status job_matmul(const float *a, const float *b, size_t m, size_t k,
                            size_t n, float **c) {
  tc_job job;
  void *out;
  tct_matmul_job(&job, a, b, m, k, n);
  tc_status st = tct_run(&job, &out);
  *c = out;
  return st;
}

/* Bits equal, or both NaN (NaN payloads are the hardware's choice). */
/* The first element whose bits differ, NaNs included; n if none. */
static size_t first_difference(const float *x, const float *y, size_t n) {
  for (size_t i = 0; i < n; i++)
    if (tct_bits32(x[i]) != tct_bits32(y[i])) return i;
  return n;
}

static float random_float(tct_rng *r) {
  /* A value in [-1, 1) times a power of two in [2^-8, 2^8]. */
  double u = (double)(tct_next(r) >> 40) / 16777216.0 * 2 - 1;
  return (float)ldexp(u, (int)tct_below(r, 17) - 8);
}

void test_matmul_known_answers(void) {
  float a[] = {1, 2, 3, 4, 5, 6}, b[] = {7, 8, 9, 10, 11, 12};
  float want[] = {58, 64, 139, 154};
  float *c;
  CHECK_STATUS(job_matmul(a, b, 2, 3, 2, &c), TC_OK);
  CHECK(c && memcmp(c, want, sizeof want) == 0, "2x3 by 3x2");
  free(c);

  /* The identity times B is B, bit for bit. */
  size_t n = 37;
  tct_rng r = {12};
  float *id = calloc(n * n, sizeof *id), *bm = tct_xmalloc(n * 50 * 4);
  for (size_t i = 0; i < n; i++) id[i * n + i] = 1;
  for (size_t i = 0; i < n * 50; i++) bm[i] = random_float(&r) + 3.0f;
  CHECK_STATUS(job_matmul(id, bm, n, n, 50, &c), TC_OK);
  CHECK(c && memcmp(c, bm, n * 50 * 4) == 0, "identity");
  free(c);
  free(id);
  free(bm);

  /* k = 0: an empty sum, +0 everywhere. */
  float zeros[12] = {0};
  CHECK_STATUS(job_matmul(NULL, NULL, 3, 0, 4, &c), TC_OK);
  CHECK(c && memcmp(c, zeros, sizeof zeros) == 0, "k = 0");
  free(c);
  /* m = 0 or n = 0: nothing to compute. */
  CHECK_STATUS(job_matmul(NULL, b, 0, 3, 2, &c), TC_OK);
  free(c);
  CHECK_STATUS(job_matmul(a, NULL, 2, 3, 0, &c), TC_OK);
  free(c);
}

void test_matmul_random_vs_ref(void) {
  /* Shapes around the register tiles (4, 6 or 8 rows; 8 to 24 columns),
   * the k block (256) and the n block (576). */
  static const size_t shapes[][3] = {
      {1, 1, 1},     {1, 7, 1},      {3, 5, 7},     {4, 8, 8},    {5, 9, 17},
      {2, 3, 513},   {17, 257, 33},  {6, 300, 520}, {33, 513, 9}, {64, 64, 64},
      {100, 1, 100}, {7, 600, 1030}, {130, 70, 3},  {8, 256, 24}, {9, 257, 577},
      {12, 512, 48}, {25, 255, 575}};
  tct_rng r = {13};
  for (size_t s = 0; s < sizeof shapes / sizeof *shapes; s++) {
    size_t m = shapes[s][0], k = shapes[s][1], n = shapes[s][2];
    float *a = tct_xmalloc(m * k * 4), *b = tct_xmalloc(k * n * 4);
    float *want = tct_xmalloc(m * n * 4), *c;
    for (size_t i = 0; i < m * k; i++) a[i] = random_float(&r);
    for (size_t i = 0; i < k * n; i++) b[i] = random_float(&r);
    tct_ref_matmul(a, b, want, m, k, n);
    CHECK_STATUS(job_matmul(a, b, m, k, n, &c), TC_OK);
    size_t d = c ? first_difference(c, want, m * n) : 0;
    CHECK(c && d == m * n, "%zux%zux%zu: element %zu is %.9g, expected %.9g", m,
          k, n, d, c ? c[d] : 0.0, d < m * n ? want[d] : 0.0);
    /* A times itself, through one buffer. */
    if (m == k && k == n) {
      float *c2;
      tct_ref_matmul(a, a, want, m, m, m);
      CHECK_STATUS(job_matmul(a, a, m, m, m, &c2), TC_OK);
      CHECK(c2 && first_difference(c2, want, m * m) == m * m, "A.A");
      free(c2);
    }
    free(a);
    free(b);
    free(want);
    free(c);
  }
}

/* The vector widths to test: 1 (scalar code) and 4 everywhere, then 8 and
 * 16 as far as this CPU runs them (within TWINCORE_SIMD). */
static int next_width(int vw) {
  int widest = tc__matmul_widest();
  int next = vw == 1 ? 4 : 2 * vw;
  return next == 4 || next <= widest ? next : 0;
}

/* Every vector width this CPU can run gives the naive loop's bits. */
void test_matmul_every_width(void) {
  /* Whole tiles and blocks of every width, and one row, column or step
   * past them. */
  static const size_t shapes[][3] = {
      {7, 600, 1030}, {13, 31, 47},   {6, 256, 32},
      {24, 256, 576}, {25, 257, 577}, {23, 513, 100},
      {8, 1, 24},     {1, 50, 1},     {49, 20, 1153}};
  tct_rng r = {15};
  for (int vw = 1; vw != 0; vw = next_width(vw)) {
    for (size_t s = 0; s < sizeof shapes / sizeof *shapes; s++) {
      size_t m = shapes[s][0], k = shapes[s][1], n = shapes[s][2], sl;
      float *a = tct_xmalloc(m * k * 4), *b = tct_xmalloc(k * n * 4);
      float *want = tct_xmalloc(m * n * 4), *c = tct_xmalloc(m * n * 4);
      tc__matmul_scratch(k, n, &sl);
      void *scratch = tct_xmalloc(sl);
      for (size_t i = 0; i < m * k; i++) a[i] = random_float(&r);
      for (size_t i = 0; i < k * n; i++) b[i] = random_float(&r);
      tct_ref_matmul(a, b, want, m, k, n);
      CHECK_STATUS(tc__matmul_f32_vw(vw, a, b, c, m, k, n, scratch, NULL),
                   TC_OK);
      CHECK(first_difference(c, want, m * n) == m * n, "width %d, %zux%zux%zu",
            vw, m, k, n);
      free(a);
      free(b);
      free(want);
      free(c);
      free(scratch);
    }
  }
}

void test_matmul_special_values(void) {
  /* NaN, infinities and signed zeros flow through as in the naive loop:
   * -0 products added to +0 give +0, Inf times 0 gives NaN. */
  size_t m = 9, k = 300, n = 19;
  tct_rng r = {14};
  const float specials[] = {NAN, INFINITY, -INFINITY, 0.0f, -0.0f, 1e38f};
  float *a = tct_xmalloc(m * k * 4), *b = tct_xmalloc(k * n * 4);
  float *want = tct_xmalloc(m * n * 4), *c;
  for (size_t i = 0; i < m * k; i++)
    a[i] = tct_below(&r, 50) == 0 ? specials[tct_below(&r, 6)] : -0.0f;
  for (size_t i = 0; i < k * n; i++)
    b[i] = tct_below(&r, 50) == 0 ? specials[tct_below(&r, 6)] : 0.5f;
  tct_ref_matmul(a, b, want, m, k, n);
  CHECK_STATUS(job_matmul(a, b, m, k, n, &c), TC_OK);
  CHECK(c && first_difference(c, want, m * n) == m * n, "specials");
  free(a);
  free(b);
  free(want);
  free(c);
}

/* NaNs of every payload, quiet and signalling, with infinities: every NaN
 * in the result is the canonical 0x7fc00000, at every vector width, in
 * the tail columns and rows too. */
void test_matmul_nan_payloads(void) {
  static const uint32_t nans[] = {0x7fc00005u, 0x7fc00009u, 0xffc00001u,
                                  0x7fa00001u, 0xff800123u, 0x7fffffffu};
  static const size_t shapes[][3] = {{1, 1, 1}, {4, 2, 4}, {7, 300, 45}};
  tct_rng r = {16};
  for (int vw = 1; vw != 0; vw = next_width(vw)) {
    for (size_t s = 0; s < sizeof shapes / sizeof *shapes; s++) {
      size_t m = shapes[s][0], k = shapes[s][1], n = shapes[s][2], sl;
      float *a = tct_xmalloc(m * k * 4), *b = tct_xmalloc(k * n * 4);
      float *want = tct_xmalloc(m * n * 4), *c = tct_xmalloc(m * n * 4);
      void *scratch;
      for (size_t i = 0; i < m * k; i++)
        a[i] = tct_below(&r, 3) == 0   ? tct_f32(nans[tct_below(&r, 6)])
               : tct_below(&r, 4) == 0 ? INFINITY
                                       : random_float(&r);
      for (size_t i = 0; i < k * n; i++)
        b[i] = tct_below(&r, 3) == 0   ? tct_f32(nans[tct_below(&r, 6)])
               : tct_below(&r, 4) == 0 ? -INFINITY
                                       : random_float(&r);
      tct_ref_matmul(a, b, want, m, k, n);
      CHECK_STATUS(tc__matmul_scratch(k, n, &sl), TC_OK);
      scratch = tct_xmalloc(sl);
      CHECK_STATUS(tc__matmul_f32_vw(vw, a, b, c, m, k, n, scratch, NULL),
                   TC_OK);
      {
        size_t d = first_difference(c, want, m * n);
        CHECK(d == m * n, "width %d, %zux%zux%zu: element %zu is 0x%08x", vw, m,
              k, n, d, d < m * n ? tct_bits32(c[d]) : 0u);
      }
      free(a);
      free(b);
      free(want);
      free(c);
      free(scratch);
    }
  }
}
