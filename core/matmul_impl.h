/* The blocked matmul for one vector width, instantiated by matmul.c. Before
 * inclusion, matmul.c defines:
 *   TC__VW        floats per vector (4, 8 or 16)
 *   TC__MR        rows of a register tile of C
 *   TC__NV        vectors per row of a register tile (NR = NV * VW columns)
 * and TC__KC, TC__NC: the k and n blocks of B packed at a time (NC a
 * multiple of NR).
 *   TC__FN(x)     x with a suffix naming the width
 *   TC__TARGET    a function attribute selecting the instruction set, or
 *                 nothing
 *
 * A tile of C, MR rows by NR columns, stays in registers while the
 * micro-kernel walks one packed panel of A (MR rows, interleaved so that
 * step p reads MR contiguous floats) and one packed panel of B (NR
 * columns, step p reads NR contiguous floats). GCC/Clang vector extensions
 * give explicit SIMD that every target (SSE, AVX2, AVX-512, wasm simd128)
 * compiles; each lane does exactly the scalar operations of its element,
 * so neither the width nor the tile shape changes a result bit.
 */

#define TC__NR (TC__NV * TC__VW)

typedef float TC__FN(tc__vf) __attribute__((vector_size(TC__VW * 4)));
typedef int32_t TC__FN(tc__vi) __attribute__((vector_size(TC__VW * 4)));

/* Floats of scratch this width needs for k x n B: one packed A panel, then
 * one packed block of B whose width is rounded up to whole panels. Both
 * parts are whole multiples of 16 floats, so both start 64-byte aligned. */
static size_t TC__FN(tc__scratch_floats)(size_t k, size_t n) {
  size_t kc = k < TC__KC ? k : TC__KC;
  size_t nc = n < TC__NC ? n : TC__NC;
  size_t a = (TC__MR * kc + 15) / 16 * 16;
  return a + kc * ((nc + TC__NR - 1) / TC__NR * TC__NR);
}

/* Every NaN lane of x as the one canonical quiet NaN (0x7fc00000). Which
 * NaN an operation on NaNs gives differs between CPUs and WebAssembly
 * (x86 keeps the first operand's payload, wasm may give either or a
 * canonical one), so results are made canonical where they are stored for
 * the last time: the same bits on every backend and width. */
static TC__TARGET TC__INLINE TC__FN(tc__vf)
    TC__FN(tc__canonical)(TC__FN(tc__vf) x) {
  TC__FN(tc__vi) nan = x != x, bits;
  memcpy(&bits, &x, sizeof bits);
  bits = (bits & ~nan) | (nan & 0x7fc00000);
  memcpy(&x, &bits, sizeof x);
  return x;
}

/* Pack B[0, kc) x [0, nc) (row stride ldb) into panels of NR columns,
 * zero-padded: panel after panel, each kc steps of NR floats. */
static TC__TARGET void TC__FN(tc__pack_b)(const float *b, size_t ldb, size_t kc,
                                          size_t nc, float *bp) {
  for (size_t jr = 0; jr < nc; jr += TC__NR) {
    size_t nr = nc - jr < TC__NR ? nc - jr : TC__NR;
    if (nr == TC__NR) {
      for (size_t p = 0; p < kc; p++) {
        memcpy(bp, b + p * ldb + jr, TC__NR * sizeof *bp);
        bp += TC__NR;
      }
    } else {
      for (size_t p = 0; p < kc; p++) {
        const float *row = b + p * ldb + jr;
        size_t j = 0;
        for (; j < nr; j++) bp[j] = row[j];
        for (; j < TC__NR; j++) bp[j] = 0.0f;
        bp += TC__NR;
      }
    }
  }
}

/* Pack A[0, mr) x [0, kc) (row stride lda) into one panel of MR rows,
 * interleaved (step p holds a[0][p], ..., a[MR-1][p]); rows past mr are
 * zeros, whose products land in tile rows that are never stored. */
static TC__TARGET void TC__FN(tc__pack_a)(const float *a, size_t lda, size_t mr,
                                          size_t kc, float *ap) {
  if (mr == TC__MR) {
    for (size_t p = 0; p < kc; p++)
      for (size_t r = 0; r < TC__MR; r++) ap[p * TC__MR + r] = a[r * lda + p];
  } else {
    for (size_t p = 0; p < kc; p++)
      for (size_t r = 0; r < TC__MR; r++)
        ap[p * TC__MR + r] = r < mr ? a[r * lda + p] : 0.0f;
  }
}

static TC__TARGET TC__INLINE TC__FN(tc__vf) TC__FN(tc__load)(const float *p) {
  TC__FN(tc__vf) v;
  memcpy(&v, p, sizeof v);
  return v;
}

/* The MR x NR tile at c (row stride ldc) = (first ? +0 : the tile) + the
 * packed A panel times the packed B panel, over kc steps; NaNs made
 * canonical when last. Every column and row of the tile is in bounds.
 * Scalar times vector multiplies every lane by the same float, which is
 * the broadcast the instruction sets have. */
static TC__TARGET TC__INLINE void TC__FN(tc__micro)(const float *ap,
                                                    const float *bp, size_t kc,
                                                    float *c, size_t ldc,
                                                    int first, int last) {
  TC__FN(tc__vf) acc[TC__MR][TC__NV];
  for (size_t r = 0; r < TC__MR; r++)
    for (size_t v = 0; v < TC__NV; v++)
      acc[r][v] = first ? (TC__FN(tc__vf)){0}
                        : TC__FN(tc__load)(c + r * ldc + v * TC__VW);
  for (size_t p = 0; p < kc; p++) {
    TC__FN(tc__vf) bv[TC__NV];
    for (size_t v = 0; v < TC__NV; v++)
      bv[v] = TC__FN(tc__load)(bp + v * TC__VW);
    for (size_t r = 0; r < TC__MR; r++) {
      float av = ap[r];
      for (size_t v = 0; v < TC__NV; v++) acc[r][v] = acc[r][v] + av * bv[v];
    }
    ap += TC__MR;
    bp += TC__NR;
  }
  for (size_t r = 0; r < TC__MR; r++)
    for (size_t v = 0; v < TC__NV; v++) {
      TC__FN(tc__vf) x = acc[r][v];
      if (last) x = TC__FN(tc__canonical)(x);
      memcpy(c + r * ldc + v * TC__VW, &x, sizeof x);
    }
}

/* A tile cut by the edge of C (mr < MR rows or nr < NR columns) goes
 * through a full tile on the stack, so the micro-kernel has one shape. */
static TC__TARGET void TC__FN(tc__micro_edge)(const float *ap, const float *bp,
                                              size_t kc, float *c, size_t ldc,
                                              size_t mr, size_t nr, int first,
                                              int last) {
  float tile[TC__MR * TC__NR];
  if (!first) {
    /* Cells past the edge are read too (their sums are dropped); zeros
     * keep them defined. */
    memset(tile, 0, sizeof tile);
    for (size_t r = 0; r < mr; r++)
      memcpy(tile + r * TC__NR, c + r * ldc, nr * sizeof *tile);
  }
  TC__FN(tc__micro)(ap, bp, kc, tile, TC__NR, first, last);
  for (size_t r = 0; r < mr; r++)
    memcpy(c + r * ldc, tile + r * TC__NR, nr * sizeof *tile);
}

static TC__TARGET tc_status TC__FN(tc__matmul)(const float *a, const float *b,
                                               float *c, size_t m, size_t k,
                                               size_t n, float *scratch,
                                               const int32_t *cancel) {
  float *ap = scratch;
  float *bp = scratch + (TC__MR * (k < TC__KC ? k : TC__KC) + 15) / 16 * 16;
  for (size_t jc = 0; jc < n; jc += TC__NC) {
    size_t nc = n - jc < TC__NC ? n - jc : TC__NC;
    for (size_t pc = 0; pc < k; pc += TC__KC) {
      size_t kc = k - pc < TC__KC ? k - pc : TC__KC;
      int first = pc == 0, last = pc + kc == k;
      if (tc__cancelled(cancel)) return TC_CANCELED;
      TC__FN(tc__pack_b)(b + pc * n + jc, n, kc, nc, bp);
      for (size_t ic = 0; ic < m; ic += TC__MR) {
        size_t mr = m - ic < TC__MR ? m - ic : TC__MR;
        float *crow = c + ic * n + jc;
        if (tc__cancelled(cancel)) return TC_CANCELED;
        TC__FN(tc__pack_a)(a + ic * k + pc, k, mr, kc, ap);
        for (size_t jr = 0; jr < nc; jr += TC__NR) {
          const float *panel = bp + jr * kc;
          size_t nr = nc - jr < TC__NR ? nc - jr : TC__NR;
          if (mr == TC__MR && nr == TC__NR)
            TC__FN(tc__micro)(ap, panel, kc, crow + jr, n, first, last);
          else
            TC__FN(tc__micro_edge)
          (ap, panel, kc, crow + jr, n, mr, nr, first, last);
        }
      }
    }
  }
  return TC_OK;
}

#undef TC__NR
