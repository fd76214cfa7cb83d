/* What the WebAssembly runtime (wasm/runtime.js) needs from the module
 * besides tc_run(), tc_plan(), malloc() and free(): where the fields of a
 * tc_job sit in this build (wasm32), how much of the heap is in use, and
 * what built it. */
#include <emscripten.h>
#include <malloc.h>
#include <stddef.h>

#include "../core/tc.h"

/* sizeof(tc_job), then the offset of each field the runtime writes, then
 * sizeof(tc_plan_t) and sizeof(tc_stats_t). */
static const int32_t tc_wasm_layout_table[] = {
    (int32_t)sizeof(tc_job),
    (int32_t)offsetof(tc_job, status),
    (int32_t)offsetof(tc_job, cancel),
    (int32_t)offsetof(tc_job, kernel),
    (int32_t)offsetof(tc_job, dtype),
    (int32_t)offsetof(tc_job, in),
    (int32_t)offsetof(tc_job, in_len),
    (int32_t)offsetof(tc_job, in2),
    (int32_t)offsetof(tc_job, in2_len),
    (int32_t)offsetof(tc_job, out),
    (int32_t)offsetof(tc_job, out_len),
    (int32_t)offsetof(tc_job, scratch),
    (int32_t)offsetof(tc_job, scratch_len),
    (int32_t)offsetof(tc_job, dim),
    (int32_t)sizeof(tc_plan_t),
    (int32_t)sizeof(tc_stats_t),
};

/** Address of the layout table above (16 int32 values). */
EMSCRIPTEN_KEEPALIVE const int32_t *tc_wasm_layout(void) {
  return tc_wasm_layout_table;
}

#define TC__STR_(x) #x
#define TC__STR(x) TC__STR_(x)

/** The compiler that built this module, e.g. "emcc 3.1.6". */
EMSCRIPTEN_KEEPALIVE const char *tc_wasm_compiler(void) {
  return "emcc " TC__STR(__EMSCRIPTEN_major__) "." TC__STR(
      __EMSCRIPTEN_minor__) "." TC__STR(__EMSCRIPTEN_tiny__);
}

/** Bytes of the heap that malloc() has handed out and not taken back. */
EMSCRIPTEN_KEEPALIVE size_t tc_wasm_heap_used(void) {
  return (size_t)mallinfo().uordblks;
}
