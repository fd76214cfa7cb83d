/* What the WebAssembly runtime (wasm/runtime.js) needs from the module
 * besides tc_run(), tc_plan(), malloc() and free(): where the fields of a
 * tc_job sit in this build (wasm32), the ticket by which pool threads run
 * a split job's phases, how much of the heap is in use, and what built
 * it. */
#include <emscripten.h>
#include <malloc.h>
#include <stddef.h>
#include <stdint.h>

#include "../core/tc.h"

/* A split job's turn on the pool, one per job, in the heap. The calling
 * thread starts the job with tc_wasm_ticket_begin(), then queues the
 * ticket's address once per part, once for the whole job; each pool thread
 * that takes one runs tc_wasm_run_ticket(), which runs parts of the job's
 * phases until the job ends, or until its parts are done and other jobs
 * wait (tc_wasm_leave_ticket()). The threads themselves go from one phase
 * to the next, so the calling thread hears of the job once, at its end. */
typedef struct {
  int32_t phase; /**< the phase's number, or -1 once the job ended. */
  int32_t next;  /**< the part of the phase the next thread takes. */
  int32_t left;  /**< parts of the phase that have not returned yet. */
  int32_t gen;   /**< counts changes of phase: what threads wait on. */
  int32_t slots; /**< queued addresses that have not left the ticket. */
  int32_t parts; /**< parts of each phase. */
  tc_job *job;
} tc_wasm_ticket_t;

/* sizeof(tc_job), then the offset of each field the runtime writes, then
 * sizeof(tc_plan_t) and sizeof(tc_stats_t), then the offsets of parts in
 * tc_job and in tc_plan_t, the size of a ticket and the offset of its
 * job. */
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
    (int32_t)offsetof(tc_wasm_ticket_t, job),
};

/** Address of the layout table above (20 int32 values). */
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

/** Start a split job on the calling thread: tc_begin(), and its ticket
 * set for the first phase.
 * @param t the job's ticket, t->job set.
 * @param parts the parts its plan split it into (2 or more).
 * @return tc_begin()'s status: TC_PENDING, and then the caller queues the
 * ticket's address parts times, or the job's final status. */
EMSCRIPTEN_KEEPALIVE int32_t tc_wasm_ticket_begin(tc_wasm_ticket_t *t,
                                                  int32_t parts) {
  t->phase = 0;
  t->next = 0;
  t->left = parts;
  t->gen = 0;
  t->slots = parts;
  t->parts = parts;
  return (int32_t)tc_begin(t->job);
}

/* How long a pool thread whose parts are done waits for the next phase
 * of its split job at a time: then it returns to its caller, which looks
 * at the queue (wasm/worker.js), and either waits again or leaves the job
 * to take the other jobs waiting there. */
#define TC_WASM_PHASE_WAIT_NS 1000000

/* tc_wasm_run_ticket(): the thread waited TC_WASM_PHASE_WAIT_NS and the
 * job is still in the same phase. */
#define TC_WASM_TICKET_WAITING (-1)

/** A pool thread is done with one of a ticket's queued addresses: the
 * job ended, or its parts are done and other jobs wait in the queue (the
 * job's other threads finish it: a thread only waits while another runs a
 * part).
 * @return how many of the ticket's addresses have not left it: 0 for the
 * last one, which reports the job done (the job has ended by then; no
 * thread touches the ticket again). */
EMSCRIPTEN_KEEPALIVE int32_t tc_wasm_leave_ticket(tc_wasm_ticket_t *t) {
  return __atomic_sub_fetch(&t->slots, 1, __ATOMIC_ACQ_REL);
}

/** On a pool thread that took one of the ticket's queued addresses: take
 * parts of the job's current phase (each part is taken once, by whichever
 * thread comes first), and run them, until every part is taken; then wait
 * for the phase's last part to return (TC_WASM_PHASE_WAIT_NS at a time).
 * The thread that returns it runs tc_next() and starts the next phase, or
 * ends the job; the threads still here take its parts. Every part runs,
 * cancelled or not: a cancelled part returns at its next chunk by itself,
 * and tc_next() needs each part's status. A thread only waits while
 * another runs a part, so a single thread runs the whole job where the
 * others are busy or gone; and one that takes its address after the job
 * ended leaves at once.
 * @param t a ticket started by tc_wasm_ticket_begin(), queued t->parts
 * times.
 * @return TC_WASM_TICKET_WAITING, and then the caller calls it again or
 * tc_wasm_leave_ticket(); or how many of the ticket's addresses have not
 * left it (tc_wasm_leave_ticket()). */
EMSCRIPTEN_KEEPALIVE int32_t tc_wasm_run_ticket(tc_wasm_ticket_t *t) {
  for (;;) {
    /* gen before phase: a change of phase after this read changes gen
     * after it (and after next is 0 again), so the wait below does not
     * sleep through it. */
    int32_t gen = __atomic_load_n(&t->gen, __ATOMIC_ACQUIRE);
    int32_t phase = __atomic_load_n(&t->phase, __ATOMIC_ACQUIRE);
    if (phase < 0) break;
    /* A thread that read the phase before it ended may take a part of the
     * next one: a part like any other, since next is 0 again only once
     * tc_next() has set the phase up and left and phase are stored. */
    int32_t part = __atomic_fetch_add(&t->next, 1, __ATOMIC_ACQ_REL);
    if (part >= t->parts) {
      /* 1 (not equal) at once where the phase changed since gen was read;
       * 2 once the wait timed out. */
      if (__builtin_wasm_memory_atomic_wait32(&t->gen, gen,
                                              TC_WASM_PHASE_WAIT_NS) == 2)
        return TC_WASM_TICKET_WAITING;
      continue;
    }
    tc_run_part(t->job, (size_t)part);
    /* Release: the part's writes are seen by whoever returns the last. */
    if (__atomic_sub_fetch(&t->left, 1, __ATOMIC_ACQ_REL) != 0) continue;
    /* The part's phase, which may be later than the one read above. The
     * thread that ended the phase before stored it before next, which
     * this thread's part was taken from: no store of it is still to come
     * but this thread's. */
    phase = __atomic_load_n(&t->phase, __ATOMIC_ACQUIRE);
    if (tc_next(t->job) == TC_PENDING) {
      __atomic_store_n(&t->left, t->parts, __ATOMIC_RELAXED);
      __atomic_store_n(&t->phase, phase + 1, __ATOMIC_RELEASE);
      __atomic_store_n(&t->next, 0, __ATOMIC_RELEASE);
    } else {
      __atomic_store_n(&t->phase, -1, __ATOMIC_RELEASE);
    }
    __atomic_fetch_add(&t->gen, 1, __ATOMIC_RELEASE);
    __builtin_wasm_memory_atomic_notify(&t->gen, UINT32_MAX);
  }
  return tc_wasm_leave_ticket(t);
}

/** The heap's size in 64 KiB pages: it changes only when the heap grew, so
 * the runtime compares it to renew its views without asking the engine for
 * the memory's buffer on every access. */
EMSCRIPTEN_KEEPALIVE int32_t tc_wasm_heap_pages(void) {
  return (int32_t)__builtin_wasm_memory_size(0);
}
