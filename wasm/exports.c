/* What the WebAssembly runtime (wasm/runtime.js) needs from the module
 * besides tc_run(), tc_plan(), tc_begin(), tc_next(), malloc() and free():
 * where the fields of a tc_job sit in this build (wasm32), the ticket a
 * pool thread runs a part of a split job by, how much of the heap is in
 * use, and what built it. */
#include <emscripten.h>
#include <malloc.h>
#include <stddef.h>

#include "../core/tc.h"

/* A split job's turn on the pool, one per job, in the heap. For each phase
 * the calling thread sets left and next to the phase's part count and 0,
 * then queues the ticket's address once per part; the pool thread that
 * takes one runs tc_wasm_run_ticket(), which hands it the next part. left
 * is at offset 0 and 32-bit so that the calling thread can wait on it with
 * Atomics.waitAsync; the pool thread that brings it to 0 notifies. */
typedef struct {
  int32_t left; /**< parts of the phase that have not returned yet. */
  int32_t next; /**< the part the next pool thread takes. */
  tc_job *job;
} tc_wasm_ticket_t;

_Static_assert(offsetof(tc_wasm_ticket_t, left) == 0,
               "the runtime waits on a ticket's first word");

/* sizeof(tc_job), then the offset of each field the runtime writes, then
 * sizeof(tc_plan_t) and sizeof(tc_stats_t), then the offsets of parts in
 * tc_job and in tc_plan_t, the size of a ticket and the offsets of its next
 * and job. */
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
    (int32_t)offsetof(tc_job, parts),
    (int32_t)offsetof(tc_plan_t, parts),
    (int32_t)sizeof(tc_wasm_ticket_t),
    (int32_t)offsetof(tc_wasm_ticket_t, next),
    (int32_t)offsetof(tc_wasm_ticket_t, job),
};

/** Address of the layout table above (21 int32 values). */
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

/** Run the next part of a split job's current phase, on a pool thread, and
 * count it off. Every part runs, cancelled or not: a cancelled part returns
 * at its next chunk by itself, and tc_next() needs each part's status.
 * @param t a ticket queued no more times than the phase has parts.
 * @return the parts of the phase still running: 0 when this was the last
 * one, and then the caller notifies waiters on t->left. */
EMSCRIPTEN_KEEPALIVE int32_t tc_wasm_run_ticket(tc_wasm_ticket_t *t) {
  int32_t part = __atomic_fetch_add(&t->next, 1, __ATOMIC_RELAXED);
  tc_run_part(t->job, (size_t)part);
  /* Release: the part's writes are seen by whoever reads left as 0. */
  return __atomic_sub_fetch(&t->left, 1, __ATOMIC_ACQ_REL);
}

/** The heap's size in 64 KiB pages: it changes only when the heap grew, so
 * the runtime compares it to renew its views without asking the engine for
 * the memory's buffer on every access. */
EMSCRIPTEN_KEEPALIVE int32_t tc_wasm_heap_pages(void) {
  return (int32_t)__builtin_wasm_memory_size(0);
}
