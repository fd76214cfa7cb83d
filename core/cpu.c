/* The TWINCORE_SIMD cap: how wide the vector code may be that the kernels
 * pick at run time.
 *
 * The kernels pick the widest code path the CPU runs (stats.c, matmul.c,
 * sha256.c); the environment variable TWINCORE_SIMD lowers that ceiling,
 * so that one machine can run, and measure, what a smaller CPU would:
 *
 *   avx512  vectors of up to 64 bytes: what the kernels pick anyway;
 *   avx2    up to 32 bytes (AVX2);
 *   sse2    16 bytes (SSE2 on x86-64, NEON on arm64);
 *   scalar  no vector code where a scalar path exists, and no SHA
 *           extensions (which otherwise count as 16-byte code and stay
 *           under every other cap).
 *
 * A cap above what the CPU has changes nothing. Unset, empty or any other
 * value is no cap (the JS facade then refuses every call to the native
 * backend instead). Every path gives the same bits, so the cap changes speed
 * only.
 *
 * The variable is read once, at first use, and kept: the one piece of
 * state the core holds. Reading it twice at once from two threads is
 * harmless (both store the same value). The Node-API addon reads it when
 * it loads, on the JS thread. WebAssembly builds read no environment
 * (Emscripten's is not the process's, and a wasm pool thread cannot call
 * into JS): the facade loads the scalar module instead.
 */
#include <stdlib.h>
#include <string.h>

#include "tc_internal.h"

/* The caps by name, and the widest vector each allows, in bytes. */
static const char *const tc__simd_names[] = {"scalar", "sse2", "avx2",
                                             "avx512"};
static const int tc__simd_widths[] = {0, 16, 32, 64};
#define TC__SIMD_COUNT ((int)(sizeof tc__simd_widths / sizeof *tc__simd_widths))

/* 0 until the variable is read; then the index of the cap plus one, or
 * TC__SIMD_COUNT + 1 for no cap. */
static int32_t tc__simd_state;

int tc__simd_parse(const char *value) {
  if (value == NULL) return -1;
  for (int i = 0; i < TC__SIMD_COUNT; i++)
    if (strcmp(value, tc__simd_names[i]) == 0) return i;
  return -1;
}

/* The cap's index, or -1 for none; reads the environment the first time. */
static int tc__simd_index(void) {
  int32_t s = TC__LOAD_RELAXED(&tc__simd_state);
  if (s == 0) {
#if defined(__EMSCRIPTEN__)
    int i = -1;
#else
    int i = tc__simd_parse(getenv("TWINCORE_SIMD"));
#endif
    s = i < 0 ? TC__SIMD_COUNT + 1 : i + 1;
    TC__STORE_RELAXED(&tc__simd_state, s);
  }
  return s > TC__SIMD_COUNT ? -1 : (int)s - 1;
}

int tc__simd_cap_bytes(void) {
  int i = tc__simd_index();
  return i < 0 ? 64 : tc__simd_widths[i];
}

const char *tc_simd_cap(void) {
  int i = tc__simd_index();
  return i < 0 ? NULL : tc__simd_names[i];
}
