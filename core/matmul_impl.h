/* The blocked matmul for one vector width, instantiated by matmul.c. Before
 * inclusion, matmul.c defines:
 *   TC__VW        floats per vector (4, 8 or 16)
 *   TC__FN(x)     x with a suffix naming the width
 *   TC__TARGET    a function attribute selecting the instruction set, or
 *                 nothing
 *
 * Tiles of C are TC__MR rows by NR = 2 vectors of columns, kept in
 * registers while the micro-kernel walks one packed panel of B and MR rows
 * of A. GCC/Clang vector extensions give explicit SIMD that every target
 * (SSE, AVX2, AVX-512, wasm simd128) compiles; each lane does exactly the
 * scalar operations of its element, so the width changes no result bit.
 */

#define TC__NR (2 * TC__VW)

typedef float TC__FN(tc__vf) __attribute__((vector_size(TC__VW * 4)));
typedef int32_t TC__FN(tc__vi) __attribute__((vector_size(TC__VW * 4)));

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
 * zero-padded. */
static TC__TARGET void TC__FN(tc__pack_b)(const float *b, size_t ldb, size_t kc,
                                          size_t nc, float *bp) {
  for (size_t jr = 0; jr < nc; jr += TC__NR) {
    size_t nr = nc - jr < TC__NR ? nc - jr : TC__NR;
    for (size_t p = 0; p < kc; p++) {
      const float *row = b + p * ldb + jr;
      size_t j = 0;
      for (; j < nr; j++) bp[j] = row[j];
      for (; j < TC__NR; j++) bp[j] = 0.0f;
      bp += TC__NR;
    }
  }
}

/* C[0, mr) x [0, nr) (row stride ldc) = (first ? +0 : C) + A[0, mr) x [0,
 * kc) (row stride lda) times one packed panel. mr is a constant at each
 * call site. */
static TC__TARGET TC__INLINE void TC__FN(tc__micro)(size_t mr, const float *a,
                                                    size_t lda, const float *bp,
                                                    size_t kc, float *c,
                                                    size_t ldc, size_t nr,
                                                    int first, int last) {
  TC__FN(tc__vf) acc0[TC__MR], acc1[TC__MR];
  float tile[TC__NR];
  for (size_t r = 0; r < mr; r++) {
    for (size_t j = 0; j < TC__NR; j++)
      tile[j] = (first || j >= nr) ? 0.0f : c[r * ldc + j];
    memcpy(&acc0[r], tile, sizeof acc0[r]);
    memcpy(&acc1[r], tile + TC__VW, sizeof acc1[r]);
  }
  for (size_t p = 0; p < kc; p++) {
    TC__FN(tc__vf) b0, b1;
    memcpy(&b0, bp + p * TC__NR, sizeof b0);
    memcpy(&b1, bp + p * TC__NR + TC__VW, sizeof b1);
    for (size_t r = 0; r < mr; r++) {
      TC__FN(tc__vf) av = (TC__FN(tc__vf)){0} + a[r * lda + p];
      acc0[r] = acc0[r] + av * b0;
      acc1[r] = acc1[r] + av * b1;
    }
  }
  for (size_t r = 0; r < mr; r++) {
    if (last) {
      acc0[r] = TC__FN(tc__canonical)(acc0[r]);
      acc1[r] = TC__FN(tc__canonical)(acc1[r]);
    }
    memcpy(tile, &acc0[r], sizeof acc0[r]);
    memcpy(tile + TC__VW, &acc1[r], sizeof acc1[r]);
    for (size_t j = 0; j < nr; j++) c[r * ldc + j] = tile[j];
  }
}

static TC__TARGET tc_status TC__FN(tc__matmul)(const float *a, const float *b,
                                               float *c, size_t m, size_t k,
                                               size_t n, float *bp,
                                               const int32_t *cancel) {
  for (size_t jc = 0; jc < n; jc += TC__NC) {
    size_t nc = n - jc < TC__NC ? n - jc : TC__NC;
    for (size_t pc = 0; pc < k; pc += TC__KC) {
      size_t kc = k - pc < TC__KC ? k - pc : TC__KC;
      int first = pc == 0, last = pc + kc == k;
      if (tc__cancelled(cancel)) return TC_CANCELED;
      TC__FN(tc__pack_b)(b + pc * n + jc, n, kc, nc, bp);
      for (size_t ic = 0; ic < m; ic += TC__MR) {
        size_t mr = m - ic < TC__MR ? m - ic : TC__MR;
        const float *arow = a + ic * k + pc;
        float *crow = c + ic * n + jc;
        if (tc__cancelled(cancel)) return TC_CANCELED;
        for (size_t jr = 0; jr < nc; jr += TC__NR) {
          const float *panel = bp + jr * kc;
          size_t nr = nc - jr < TC__NR ? nc - jr : TC__NR;
          if (mr == TC__MR) {
            TC__FN(tc__micro)
            (TC__MR, arow, k, panel, kc, crow + jr, n, nr, first, last);
          } else {
            for (size_t r = 0; r < mr; r++) TC__FN(tc__micro)
            (1, arow + r * k, k, panel, kc, crow + r * n + jr, n, nr, first,
             last);
          }
        }
      }
    }
  }
  return TC_OK;
}

#undef TC__NR
