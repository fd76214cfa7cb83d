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

/* The rows left under a whole tile (fewer than MR) split into tiles of 4,
 * 2 and 1 rows. */
_Static_assert(TC__MR >= 4 && TC__MR <= 8, "MR must be 4 to 8");

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
 * zero-padded: panel after panel, each kc steps of NR floats. B is read
 * row by row, in the order it lies in memory. */
static TC__TARGET void TC__FN(tc__pack_b)(const float *b, size_t ldb, size_t kc,
                                          size_t nc, float *bp) {
  size_t full = nc / TC__NR * TC__NR, rest = nc - full;
  for (size_t p = 0; p < kc; p++) {
    const float *row = b + p * ldb;
    float *dst = bp + p * TC__NR;
    for (size_t jr = 0; jr < full; jr += TC__NR)
      memcpy(dst + jr * kc, row + jr, TC__NR * sizeof *dst);
    if (rest > 0) {
      memcpy(dst + full * kc, row + full, rest * sizeof *dst);
      memset(dst + full * kc + rest, 0, (TC__NR - rest) * sizeof *dst);
    }
  }
}

/* Pack A[0, mr) x [0, kc) (row stride lda) into one panel of MR rows,
 * interleaved: step p holds a[0][p], ..., a[mr-1][p] at p * MR. */
static TC__TARGET void TC__FN(tc__pack_a)(const float *a, size_t lda, size_t mr,
                                          size_t kc, float *ap) {
  if (mr == TC__MR) {
    for (size_t p = 0; p < kc; p++)
      for (size_t r = 0; r < TC__MR; r++) ap[p * TC__MR + r] = a[r * lda + p];
  } else {
    for (size_t p = 0; p < kc; p++)
      for (size_t r = 0; r < mr; r++) ap[p * TC__MR + r] = a[r * lda + p];
  }
}

static TC__TARGET TC__INLINE TC__FN(tc__vf) TC__FN(tc__load)(const float *p) {
  TC__FN(tc__vf) v;
  memcpy(&v, p, sizeof v);
  return v;
}

/* The h x (np * NR) tile at c (row stride ldc) = (first ? +0 : the tile)
 * + h rows of a packed A panel (from ap, step stride MR) times np adjacent
 * packed B panels (from bp, panel stride NR * kc), over kc steps; NaNs made
 * canonical when last. h and np are constants at every call site, so the
 * tile's accumulators are registers. Scalar times vector multiplies every
 * lane by the same float: the broadcast the instruction sets have. */
static TC__TARGET TC__INLINE void TC__FN(tc__micro)(size_t h, size_t np,
                                                    const float *ap,
                                                    const float *bp, size_t kc,
                                                    float *c, size_t ldc,
                                                    int first, int last) {
  TC__FN(tc__vf) acc[TC__MR][2 * TC__NV];
  size_t nv = np * TC__NV;
  for (size_t r = 0; r < h; r++)
    for (size_t v = 0; v < nv; v++)
      acc[r][v] = first ? (TC__FN(tc__vf)){0}
                        : TC__FN(tc__load)(c + r * ldc + v * TC__VW);
  for (size_t p = 0; p < kc; p++) {
    TC__FN(tc__vf) bv[2 * TC__NV];
    for (size_t v = 0; v < nv; v++)
      bv[v] =
          TC__FN(tc__load)(bp + v / TC__NV * TC__NR * kc + v % TC__NV * TC__VW);
    for (size_t r = 0; r < h; r++) {
      float av = ap[r];
      for (size_t v = 0; v < nv; v++) acc[r][v] = acc[r][v] + av * bv[v];
    }
    ap += TC__MR;
    bp += TC__NR;
  }
  for (size_t r = 0; r < h; r++)
    for (size_t v = 0; v < nv; v++) {
      TC__FN(tc__vf) x = acc[r][v];
      if (last) x = TC__FN(tc__canonical)(x);
      memcpy(c + r * ldc + v * TC__VW, &x, sizeof x);
    }
}

/* C[0, h) x [0, nc) (row stride ldc) += h rows of the packed A panel times
 * the packed block of B, one panel of NR columns at a time, or two at a
 * time for h <= 2, whose tiles would otherwise keep too few sums in flight
 * to hide the latency of an addition. A panel cut by the right edge of C
 * (nc - jr < NR) works on a tile on the stack, so that the micro-kernel
 * always has whole vectors. h is a constant at every call site. */
static TC__TARGET TC__INLINE void TC__FN(tc__rows)(size_t h, const float *ap,
                                                   const float *bp, size_t kc,
                                                   size_t nc, float *c,
                                                   size_t ldc, int first,
                                                   int last) {
  size_t jr = 0;
  if (h <= 2)
    for (; nc - jr >= 2 * TC__NR; jr += 2 * TC__NR)
      TC__FN(tc__micro)(h, 2, ap, bp + jr * kc, kc, c + jr, ldc, first, last);
  for (; jr < nc; jr += TC__NR) {
    size_t nr = nc - jr < TC__NR ? nc - jr : TC__NR;
    float tile[TC__MR * TC__NR];
    float *t = c + jr;
    size_t ldt = ldc;
    if (nr < TC__NR) {
      t = tile;
      ldt = TC__NR;
      /* Columns past the edge are summed too, then dropped; zeros keep
       * them defined. */
      if (!first) {
        memset(tile, 0, sizeof tile);
        for (size_t r = 0; r < h; r++)
          memcpy(tile + r * TC__NR, c + r * ldc + jr, nr * sizeof *tile);
      }
    }
    TC__FN(tc__micro)(h, 1, ap, bp + jr * kc, kc, t, ldt, first, last);
    if (nr < TC__NR)
      for (size_t r = 0; r < h; r++)
        memcpy(c + r * ldc + jr, tile + r * TC__NR, nr * sizeof *tile);
  }
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
        if (mr == TC__MR) {
          TC__FN(tc__rows)(TC__MR, ap, bp, kc, nc, crow, n, first, last);
          continue;
        }
        /* The last mr < MR rows, as tiles of 4, 2 and 1 rows: no work on
         * rows that are not there (m = 1 is a common shape). */
        size_t r0 = 0;
        if (mr & 4) {
          TC__FN(tc__rows)(4, ap, bp, kc, nc, crow, n, first, last);
          r0 = 4;
        }
        if (mr & 2) {
          TC__FN(tc__rows)
          (2, ap + r0, bp, kc, nc, crow + r0 * n, n, first, last);
          r0 += 2;
        }
        if (mr & 1) {
          TC__FN(tc__rows)
          (1, ap + r0, bp, kc, nc, crow + r0 * n, n, first, last);
        }
      }
    }
  }
  return TC_OK;
}

#undef TC__NR
