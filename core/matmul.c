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
 * rows of A (matmul_impl.h). Vectorizing across the NR columns of a tile
 * changes no element's order of additions, so the kernel is built for
 * several vector widths and, on x86-64, the widest the CPU has is picked
 * at run time: 16-byte vectors everywhere (SSE2, wasm simd128), AVX2 and
 * AVX-512 where present. All give the same bits.
 */
#include <string.h>

#include "tc_internal.h"

#if defined(__GNUC__) || defined(__clang__)
#define TC__INLINE inline __attribute__((always_inline))
#else
#define TC__INLINE inline
#endif

#define TC__MR 6
#define TC__KC 256
/* A multiple of every panel width (2 vectors of up to 16 floats). */
#define TC__NC 512
#define TC__NR_MAX 32

static size_t tc__min(size_t a, size_t b) {
  return a < b ? a : b;
}

tc_status tc__matmul_scratch(size_t k, size_t n, size_t *bytes) {
  /* kc <= TC__KC and nc <= TC__NC, so the product cannot overflow. */
  size_t kc = tc__min(k, TC__KC);
  size_t nc = (tc__min(n, TC__NC) + TC__NR_MAX - 1) / TC__NR_MAX * TC__NR_MAX;
  *bytes = kc * nc * sizeof(float) + TC__SCRATCH_ALIGN;
  return TC_OK;
}

/* Width 1: scalar code, for TWINCORE_SIMD=scalar. */
#define TC__VW 1
#define TC__FN(x) x##_v1
#define TC__TARGET TC__NO_VECTORIZE
#include "matmul_impl.h"
#undef TC__VW
#undef TC__FN
#undef TC__TARGET

#define TC__VW 4
#define TC__FN(x) x##_v4
#define TC__TARGET
#include "matmul_impl.h"
#undef TC__VW
#undef TC__FN
#undef TC__TARGET

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__)) && \
    !defined(__EMSCRIPTEN__)
#define TC__X86_WIDE 1

#define TC__VW 8
#define TC__FN(x) x##_v8
#define TC__TARGET __attribute__((target("avx2")))
#include "matmul_impl.h"
#undef TC__VW
#undef TC__FN
#undef TC__TARGET

#define TC__VW 16
#define TC__FN(x) x##_v16
#define TC__TARGET __attribute__((target("avx512f")))
#include "matmul_impl.h"
#undef TC__VW
#undef TC__FN
#undef TC__TARGET
#endif

int tc__matmul_widest(void) {
  int cap = tc__simd_cap_bytes();
  if (cap == 0) return 1;
#ifdef TC__X86_WIDE
  if (cap >= 64 && __builtin_cpu_supports("avx512f")) return 16;
  if (cap >= 32 && __builtin_cpu_supports("avx2")) return 8;
#endif
  return 4;
}

tc_status tc__matmul_f32_vw(int vw, const float *a, const float *b, float *c,
                            size_t m, size_t k, size_t n, void *scratch,
                            const int32_t *cancel) {
  float *bp = (float *)tc__align_up(scratch, TC__SCRATCH_ALIGN);

  if (k == 0) {
    /* An empty sum: every element is +0, whose bits are all zero. */
    if (m > 0 && n > 0) memset(c, 0, m * n * sizeof *c);
    return TC_OK;
  }
#ifdef TC__X86_WIDE
  if (vw == 16) return tc__matmul_v16(a, b, c, m, k, n, bp, cancel);
  if (vw == 8) return tc__matmul_v8(a, b, c, m, k, n, bp, cancel);
#endif
  if (vw == 1) return tc__matmul_v1(a, b, c, m, k, n, bp, cancel);
  return tc__matmul_v4(a, b, c, m, k, n, bp, cancel);
}

tc_status tc_matmul_f32(const float *a, const float *b, float *c, size_t m,
                        size_t k, size_t n, void *scratch,
                        const int32_t *cancel) {
  return tc__matmul_f32_vw(tc__matmul_widest(), a, b, c, m, k, n, scratch,
                           cancel);
}
