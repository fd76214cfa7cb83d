/* C = A.B in float32, row-major, blocked for cache.
 *
 * Every element of C is computed in one fixed order whatever the blocking:
 * c = +0, then c = c + a[i][p] * b[p][j] for p = 0, 1, ..., k-1, each
 * product rounded before the addition (the core is built with
 * -ffp-contract=off, so no fused multiply-add). Blocks over k are visited in
 * ascending order and carry the partial sum through C, so the result is bit
 * for bit that of the naive triple loop, in every build.
 *
 * Blocking: B is packed, one KC x NC block at a time, into panels of NR
 * columns (zero-padded) that sit contiguously in scratch; a micro-kernel
 * keeps an MR x NR tile of C in registers while it walks one panel and MR
 * rows of A. Vectorizing across the NR columns of a tile changes no
 * element's order of additions.
 */
#include <string.h>

#include "tc_internal.h"

#if defined(__GNUC__) || defined(__clang__)
#define TC__INLINE inline __attribute__((always_inline))
#else
#define TC__INLINE inline
#endif

#define TC__MR 4
#define TC__NR 8
#define TC__KC 256
#define TC__NC 512

static size_t tc__min(size_t a, size_t b) {
  return a < b ? a : b;
}

tc_status tc__matmul_scratch(size_t k, size_t n, size_t *bytes) {
  /* kc <= TC__KC and nc <= TC__NC, so the product cannot overflow. */
  size_t kc = tc__min(k, TC__KC);
  size_t nc = (tc__min(n, TC__NC) + TC__NR - 1) / TC__NR * TC__NR;
  *bytes = kc * nc * sizeof(float) + TC__SCRATCH_ALIGN;
  return TC_OK;
}

/* Pack B[0, kc) x [0, nc) (row stride ldb) into panels of NR columns. */
static void tc__pack_b(const float *b, size_t ldb, size_t kc, size_t nc,
                       float *bp) {
  for (size_t jr = 0; jr < nc; jr += TC__NR) {
    size_t nr = tc__min(TC__NR, nc - jr);
    for (size_t p = 0; p < kc; p++) {
      const float *row = b + p * ldb + jr;
      size_t j = 0;
      for (; j < nr; j++) bp[j] = row[j];
      for (; j < TC__NR; j++) bp[j] = 0.0f;
      bp += TC__NR;
    }
  }
}

/* C[0, mr) x [0, nr) (row stride ldc) += A[0, mr) x [0, kc) (row stride lda)
 * times one packed panel; starts from +0 instead of C when first is set.
 * mr is a constant at each call site, so each gets its own unrolled copy. */
static TC__INLINE void tc__micro(size_t mr, const float *a, size_t lda,
                                 const float *bp, size_t kc, float *c,
                                 size_t ldc, size_t nr, int first) {
  float acc[TC__MR][TC__NR];
  for (size_t r = 0; r < mr; r++)
    for (size_t j = 0; j < TC__NR; j++)
      acc[r][j] = (first || j >= nr) ? 0.0f : c[r * ldc + j];
  for (size_t p = 0; p < kc; p++) {
    const float *b = bp + p * TC__NR;
    for (size_t r = 0; r < mr; r++) {
      float av = a[r * lda + p];
      for (size_t j = 0; j < TC__NR; j++) acc[r][j] += av * b[j];
    }
  }
  for (size_t r = 0; r < mr; r++)
    for (size_t j = 0; j < nr; j++) c[r * ldc + j] = acc[r][j];
}

tc_status tc_matmul_f32(const float *a, const float *b, float *c, size_t m,
                        size_t k, size_t n, void *scratch,
                        const int32_t *cancel) {
  float *bp = (float *)tc__align_up(scratch, TC__SCRATCH_ALIGN);

  if (k == 0) {
    /* An empty sum: every element is +0, whose bits are all zero. */
    if (m > 0 && n > 0) memset(c, 0, m * n * sizeof *c);
    return TC_OK;
  }
  for (size_t jc = 0; jc < n; jc += TC__NC) {
    size_t nc = tc__min(TC__NC, n - jc);
    for (size_t pc = 0; pc < k; pc += TC__KC) {
      size_t kc = tc__min(TC__KC, k - pc);
      int first = pc == 0;
      if (tc__cancelled(cancel)) return TC_CANCELED;
      tc__pack_b(b + pc * n + jc, n, kc, nc, bp);
      for (size_t ic = 0; ic < m; ic += TC__MR) {
        size_t mr = tc__min(TC__MR, m - ic);
        const float *arow = a + ic * k + pc;
        float *crow = c + ic * n + jc;
        if (tc__cancelled(cancel)) return TC_CANCELED;
        for (size_t jr = 0; jr < nc; jr += TC__NR) {
          const float *panel = bp + jr * kc;
          size_t nr = tc__min(TC__NR, nc - jr);
          if (mr == TC__MR) {
            tc__micro(TC__MR, arow, k, panel, kc, crow + jr, n, nr, first);
          } else {
            for (size_t r = 0; r < mr; r++)
              tc__micro(1, arow + r * k, k, panel, kc, crow + r * n + jr, n, nr,
                        first);
          }
        }
      }
    }
  }
  return TC_OK;
}
