/* Helpers shared by the core's sources; not part of the public API. */
#ifndef TC_INTERNAL_H
#define TC_INTERNAL_H

#include "tc.h"

/* The cancel flag is written by another thread (the JS thread that owns an
 * AbortSignal) while a kernel runs; a relaxed atomic load is enough, since
 * the flag carries no data with it. */
#if defined(__GNUC__) || defined(__clang__)
#define TC__LOAD_RELAXED(p) __atomic_load_n((p), __ATOMIC_RELAXED)
#define TC__STORE_RELAXED(p, v) __atomic_store_n((p), (v), __ATOMIC_RELAXED)
#define TC__STORE_RELEASE(p, v) __atomic_store_n((p), (v), __ATOMIC_RELEASE)
#else
#define TC__LOAD_RELAXED(p) (*(volatile const int32_t *)(p))
#define TC__STORE_RELAXED(p, v) (*(volatile int32_t *)(p) = (v))
#define TC__STORE_RELEASE(p, v) (*(volatile int32_t *)(p) = (v))
#endif

/* Scratch is handed over with any alignment; kernels align it up by this
 * much, and tc_plan() adds it to every scratch size. */
#define TC__SCRATCH_ALIGN 64

static inline int tc__cancelled(const int32_t *cancel) {
  return cancel != NULL && TC__LOAD_RELAXED(cancel) != 0;
}

static inline void *tc__align_up(void *p, size_t align) {
  uintptr_t u = (uintptr_t)p;
  return (void *)((u + (align - 1)) & ~(uintptr_t)(align - 1));
}

/* *r = a * b; returns non-zero on overflow. */
static inline int tc__mul_overflow(size_t a, size_t b, size_t *r) {
  if (a != 0 && b > SIZE_MAX / a) return 1;
  *r = a * b;
  return 0;
}

/* *r = a + b; returns non-zero on overflow. */
static inline int tc__add_overflow(size_t a, size_t b, size_t *r) {
  if (b > SIZE_MAX - a) return 1;
  *r = a + b;
  return 0;
}

/* The state of a job split into parts (tc_begin), at the start of its
 * aligned scratch; the kernel's own state (area) follows it, aligned. */
typedef struct {
  size_t parts;
  unsigned phase;               /* the kernel's to number */
  int32_t status[TC_MAX_PARTS]; /* what each part of the phase returned */
} tc__split_t;

/* The header, rounded up so that the area after it stays aligned. */
#define TC__SPLIT_HEADER                                               \
  ((sizeof(tc__split_t) + TC__SCRATCH_ALIGN - 1) / TC__SCRATCH_ALIGN * \
   TC__SCRATCH_ALIGN)

/* The kernel's own state: TC__SCRATCH_ALIGN-aligned. */
static inline unsigned char *tc__split_area(tc__split_t *s) {
  return (unsigned char *)s + TC__SPLIT_HEADER;
}

/* How a kernel splits. parts(): how many parts the job, whose plan is
 * valid, can use, at most want (>= 2), and the bytes of area they need;
 * returning 1 means it runs whole. begin() runs once, before the first
 * phase, and may end the job (a final status) or return TC_PENDING; NULL
 * where the first phase needs nothing set up. */
typedef struct {
  tc_status (*parts)(const tc_job *job, size_t want, size_t *parts,
                     size_t *area_len);
  tc_status (*begin)(tc_job *job, tc__split_t *s);
  tc_status (*part)(tc_job *job, tc__split_t *s, size_t part);
  tc_status (*next)(tc_job *job, tc__split_t *s);
} tc__splitter_t;

extern const tc__splitter_t tc__stats_splitter, tc__sort_splitter,
    tc__matmul_splitter;

/* The worst status a phase's parts returned: TC_OK, TC_CANCELED, or the
 * first other one. */
static inline tc_status tc__phase_status(const tc__split_t *s) {
  tc_status st = TC_OK;
  for (size_t p = 0; p < s->parts; p++) {
    tc_status q = (tc_status)s->status[p];
    if (q != TC_OK && q != TC_CANCELED) return q;
    if (q == TC_CANCELED) st = q;
  }
  return st;
}

/* [first, end) of part p of n items cut into parts pieces of whole units
 * (the last unit takes what is left over). The units left over from an
 * even share go one each to the last parts, which hold the short last
 * unit: 1024 rows of matmul in bands of 24 split 504 / 520, not 528 / 496
 * (the slower part sets the time). Every kernel asks for at most as many
 * parts as there are units; with more, the first parts are empty. */
static inline void tc__part_range(size_t n, size_t unit, size_t parts, size_t p,
                                  size_t *first, size_t *end) {
  size_t units = (n + unit - 1) / unit;
  size_t q = units / parts, plain = parts - units % parts;
  size_t a = q * p + (p > plain ? p - plain : 0);
  size_t b = a + q + (p >= plain ? 1 : 0);
  *first = a * unit < n ? a * unit : n;
  *end = b * unit < n ? b * unit : n;
}

/** Scratch bytes tc_sort() needs for n elements of width bytes, alignment
 * slack included. @return TC_OK or TC_EOVERFLOW. */
tc_status tc__sort_scratch(size_t n, size_t width, size_t *bytes);

/** Scratch bytes tc_matmul_f32() needs for k x n B, alignment slack
 * included. @return TC_OK or TC_EOVERFLOW. */
tc_status tc__matmul_scratch(size_t k, size_t n, size_t *bytes);

/* What the core's 16-byte vector code (GCC/clang vector extensions)
 * compiles to in this build. */
#if defined(__wasm_simd128__)
#define TC__VEC16_PATH "simd128"
#elif defined(__SSE2__) || defined(_M_X64)
#define TC__VEC16_PATH "sse2"
#elif defined(__ARM_NEON)
#define TC__VEC16_PATH "neon"
#else
#define TC__VEC16_PATH "scalar"
#endif

/* Functions whose vector code must stay vector-free: the scalar
 * instantiations of the kernels, which TWINCORE_SIMD=scalar picks. GCC
 * would otherwise auto-vectorize them at -O3 (loops, and the SLP pass
 * joining lanes of width-1 vectors). Clang has no such function attribute
 * (only per-loop pragmas); in a build without vector instructions, such
 * as the scalar wasm module, there is nothing to vectorize with anyway. */
#if defined(__GNUC__) && !defined(__clang__)
#define TC__NO_VECTORIZE __attribute__((optimize("no-tree-vectorize")))
#else
#define TC__NO_VECTORIZE
#endif

/** The index of a TWINCORE_SIMD value among "scalar", "sse2", "avx2",
 * "avx512" (0 to 3), or -1 for NULL or anything else (core/cpu.c). */
int tc__simd_parse(const char *value);

/** The widest vector, in bytes, that TWINCORE_SIMD lets the kernels pick:
 * 0 (scalar), 16, 32 or 64 (also when unset or invalid: no cap). Reads
 * the environment once, at first use. */
int tc__simd_cap_bytes(void);

/** tc_sha256() with the portable compression function, whatever the CPU
 * has: the C tests reach it through this, since on a CPU with SHA-NI
 * nothing else runs it natively. */
tc_status tc__sha256_portable(const uint8_t *in, size_t len, uint8_t out[32],
                              const int32_t *cancel);

/** "sha-ni" where the SHA extensions run, else "scalar". */
const char *tc__sha256_path(void);

/** The widest matmul vector (floats) this CPU runs within the
 * TWINCORE_SIMD cap: 16, 8 or 4, or 1 (scalar code) under the scalar cap. */
int tc__matmul_widest(void);

/** tc_matmul_f32() with vectors of vw floats (16 and 8 only where
 * tc__matmul_widest() allows them; 1 is scalar code; anything else means
 * 4). The C tests call every width this CPU has. */
tc_status tc__matmul_f32_vw(int vw, const float *a, const float *b, float *c,
                            size_t m, size_t k, size_t n, void *scratch,
                            const int32_t *cancel);

/** The widest stats vector (doubles) this CPU runs within the
 * TWINCORE_SIMD cap: 8, 4 or 2, or 1 (scalar code) under the scalar cap. */
int tc__stats_widest(void);

/** tc_stats_f64() with vectors of vd doubles (8 and 4 only where
 * tc__stats_widest() allows them; 1 is scalar code; anything else means
 * 2). */
tc_status tc__stats_f64_vd(int vd, const double *in, size_t n, tc_stats_t *out,
                           const int32_t *cancel);

#endif /* TC_INTERNAL_H */
