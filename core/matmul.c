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
 * columns (zero-padded) that sit contiguously in scratch, and A one panel
 * of MR rows at a time, interleaved so that each step of k reads MR
 * contiguous floats. A micro-kernel keeps an MR x NR tile of C in registers
 * while it walks one A panel and one B panel (matmul_impl.h). Vectorizing
 * across the NR columns of a tile changes no element's order of additions,
 * so the kernel is built for several instruction sets, each with its own
 * tile shape, and on x86-64 the best the CPU has is picked at run time:
 * 16-byte vectors everywhere (SSE2, wasm simd128), AVX2 and AVX-512 where
 * present. All give the same bits.
 */
#include <string.h>

#include "tc_internal.h"

#if defined(__GNUC__) || defined(__clang__)
#define TC__INLINE inline __attribute__((always_inline))
#else
#define TC__INLINE inline
#endif

/* Tile shapes and blocks, per instruction set. A tile of MR x NV vectors
 * keeps MR * NV accumulators, NV vectors of B and a broadcast of A in
 * registers: 16 of them with SSE2 and AVX2, and in wasm as V8 compiles
 * it on x64; 32 with AVX-512. A packed A panel (MR x KC floats) stays in
 * L1 while the packed block of B (KC x NC, 576 KiB) sits in L2 (1 MiB on
 * the CPU measured): a block that outgrows L2 measured no faster for
 * large products and up to a fifth slower for few rows of A, where
 * packing B is most of the work. The shapes are the fastest measured for
 * 1024^3 on an AMD Zen 4. */
#define TC__KC 256
#define TC__NC 576 /* a multiple of every NR below (8, 12, 16, 24) */

/* Width 1: scalar code, for TWINCORE_SIMD=scalar (12 accumulators in
 * the 16 scalar floating-point registers). */
#define TC__VW 1
#define TC__MR 4
#define TC__NV 3
#define TC__FN(x) x##_v1
#define TC__TARGET TC__NO_VECTORIZE
#include "matmul_impl.h"
#undef TC__VW
#undef TC__MR
#undef TC__NV
#undef TC__FN
#undef TC__TARGET

#if defined(__wasm_simd128__)
/* V8's register allocator spills with 12 accumulators; 8 do not. */
#define TC__MR 4
#define TC__NV 2
#else
/* SSE2 has no three-operand forms: each product needs a copy of B. */
#define TC__MR 4
#define TC__NV 3
#endif
#define TC__VW 4
#define TC__FN(x) x##_v4
#define TC__TARGET
#include "matmul_impl.h"
#undef TC__VW
#undef TC__MR
#undef TC__NV
#undef TC__FN
#undef TC__TARGET

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__)) && \
    !defined(__EMSCRIPTEN__)
#define TC__X86_WIDE 1

#define TC__VW 8
#define TC__MR 6
#define TC__NV 2
#define TC__FN(x) x##_v8
#define TC__TARGET __attribute__((target("avx2")))
#include "matmul_impl.h"
#undef TC__VW
#undef TC__MR
#undef TC__NV
#undef TC__FN
#undef TC__TARGET

/* The AVX-512 level (tc__matmul_f32_vw(16, ...)) uses AVX-512VL's 32
 * registers with 256-bit vectors: on Zen 4, whose units are 256 bits wide
 * and run a 512-bit operation as two halves, every 512-bit tile measured
 * slower (8 x 3 zmm: 75 GFLOP/s at 1024^3) than a 256-bit tile of the
 * same registers (8 x 3 ymm: 97 GFLOP/s). */
#define TC__VW 8
#define TC__MR 8
#define TC__NV 3
#define TC__FN(x) x##_v16
#define TC__TARGET __attribute__((target("avx512f,avx512vl")))
#include "matmul_impl.h"
#undef TC__VW
#undef TC__MR
#undef TC__NV
#undef TC__FN
#undef TC__TARGET
#endif

/* Enough for every width this build has, so that a plan fits any of them.
 * Each part is bounded by its block sizes, so nothing can overflow. */
tc_status tc__matmul_scratch(size_t k, size_t n, size_t *bytes) {
  size_t floats = tc__scratch_floats_v4(k, n), v1 = tc__scratch_floats_v1(k, n);
  if (v1 > floats) floats = v1;
#ifdef TC__X86_WIDE
  size_t v8 = tc__scratch_floats_v8(k, n), v16 = tc__scratch_floats_v16(k, n);
  if (v8 > floats) floats = v8;
  if (v16 > floats) floats = v16;
#endif
  *bytes = floats * sizeof(float) + TC__SCRATCH_ALIGN;
  return TC_OK;
}

int tc__matmul_widest(void) {
  int cap = tc__simd_cap_bytes();
  if (cap == 0) return 1;
#ifdef TC__X86_WIDE
  if (cap >= 64 && __builtin_cpu_supports("avx512f") &&
      __builtin_cpu_supports("avx512vl"))
    return 16;
  if (cap >= 32 && __builtin_cpu_supports("avx2")) return 8;
#endif
  return 4;
}

tc_status tc__matmul_f32_vw(int vw, const float *a, const float *b, float *c,
                            size_t m, size_t k, size_t n, void *scratch,
                            const int32_t *cancel) {
  float *sp = (float *)tc__align_up(scratch, TC__SCRATCH_ALIGN);

  if (k == 0) {
    /* An empty sum: every element is +0, whose bits are all zero. */
    if (m > 0 && n > 0) memset(c, 0, m * n * sizeof *c);
    return TC_OK;
  }
#ifdef TC__X86_WIDE
  if (vw == 16) return tc__matmul_v16(a, b, c, m, k, n, sp, cancel);
  if (vw == 8) return tc__matmul_v8(a, b, c, m, k, n, sp, cancel);
#endif
  if (vw == 1) return tc__matmul_v1(a, b, c, m, k, n, sp, cancel);
  return tc__matmul_v4(a, b, c, m, k, n, sp, cancel);
}

tc_status tc_matmul_f32(const float *a, const float *b, float *c, size_t m,
                        size_t k, size_t n, void *scratch,
                        const int32_t *cancel) {
  return tc__matmul_f32_vw(tc__matmul_widest(), a, b, c, m, k, n, scratch,
                           cancel);
}

/* ---- split: each part takes whole rows of A and C, in bands of a
 * multiple of every tile's height (4, 6, 8), with scratch of its own
 * to pack B in. Each element of C is the same sum whichever part computes
 * it. ---- */

#define TC__MATMUL_BAND 24

/* Bytes of one part's scratch, rounded up so that the next one stays
 * aligned. */
static size_t tc__matmul_part_scratch(const tc_job *job) {
  size_t one;
  tc__matmul_scratch(job->dim[1], job->dim[2], &one);
  return (one + TC__SCRATCH_ALIGN - 1) / TC__SCRATCH_ALIGN * TC__SCRATCH_ALIGN;
}

static tc_status tc__matmul_parts(const tc_job *job, size_t want, size_t *parts,
                                  size_t *area_len) {
  size_t bands = (job->dim[0] + TC__MATMUL_BAND - 1) / TC__MATMUL_BAND;
  *parts = job->dim[1] == 0 ? 1 : want < bands ? want : bands;
  return tc__mul_overflow(tc__matmul_part_scratch(job), *parts, area_len)
             ? TC_EOVERFLOW
             : TC_OK;
}

static tc_status tc__matmul_part(tc_job *job, tc__split_t *s, size_t part) {
  size_t m = job->dim[0], k = job->dim[1], n = job->dim[2], first, end;
  size_t one = tc__matmul_part_scratch(job);
  tc__part_range(m, TC__MATMUL_BAND, s->parts, part, &first, &end);
  if (first == end) return TC_OK;
  return tc_matmul_f32((const float *)job->in + first * k, job->in2,
                       (float *)job->out + first * n, end - first, k, n,
                       tc__split_area(s) + part * one, &job->cancel);
}

static tc_status tc__matmul_next(tc_job *job, tc__split_t *s) {
  (void)job;
  return tc__phase_status(s);
}

const tc__splitter_t tc__matmul_splitter = {tc__matmul_parts, NULL,
                                            tc__matmul_part, tc__matmul_next};
