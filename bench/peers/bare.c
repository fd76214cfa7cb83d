/* Floors the bench measures twincore's async path against.
 * roundTrip(seconds = 0[, buffer]) queues a bare Node-API async work item
 * that does nothing (or sleeps that long on the pool) and returns a
 * Promise that settles when it completes; nothing is parsed, copied or
 * converted. Given an ArrayBuffer, the work item reads all of it, again
 * and again until `seconds` have passed (at least once), instead of
 * sleeping, and the Promise resolves to how many times it did: the memory
 * traffic of a long call on another core, without the call.
 * threadCpu() is the calling thread's CPU time in seconds
 * (CLOCK_THREAD_CPUTIME_ID), the bench's measure of main-thread time. A
 * roundTrip(w) shows what merely waiting w for a completion costs the main
 * thread (its sleep and wake-up), which is no call's own work;
 * roundTrip(w, buffer) what waiting costs while another core streams
 * memory through the caches the main thread shares with it. Built by the
 * Makefile for `make bench` only; built with BARE_CALLGRIND (for make
 * main-thread-ir), it also has dump(): callgrind's counts so far written
 * out and zeroed, so that a run under callgrind counts the instructions
 * of a window of its own. */
#define _POSIX_C_SOURCE 200809L
#define NAPI_VERSION 8
#include <node_api.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <time.h>
#ifdef BARE_CALLGRIND
#include <valgrind/callgrind.h>
#endif

typedef struct {
  napi_async_work work;
  napi_deferred deferred;
  double seconds;
  int reads; /* read the buffer rather than sleep */
  const uint64_t *words;
  size_t nwords;
  napi_ref buffer;
  double passes;          /* how many times it was read */
  volatile uint64_t sink; /* keeps the reads */
} bare_t;

static double bare_now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* Threadpool thread: no work at all, a sleep, or reads of the buffer. */
static void bare_execute(napi_env env, void *data) {
  bare_t *b = data;
  (void)env;
  if (b->reads) {
    double end = bare_now() + b->seconds;
    do {
      uint64_t sum = 0;
      for (size_t i = 0; i < b->nwords; i++) sum += b->words[i];
      b->sink = sum;
      b->passes++;
    } while (bare_now() < end);
  } else if (b->seconds > 0) {
    struct timespec ts;
    ts.tv_sec = (time_t)b->seconds;
    ts.tv_nsec = (long)((b->seconds - (double)ts.tv_sec) * 1e9);
    while (nanosleep(&ts, &ts) != 0) {
    }
  }
}

/* JS thread. */
static void bare_complete(napi_env env, napi_status status, void *data) {
  bare_t *b = data;
  napi_value value;
  if (!b->reads || napi_create_double(env, b->passes, &value) != napi_ok)
    napi_get_undefined(env, &value);
  if (status == napi_ok)
    napi_resolve_deferred(env, b->deferred, value);
  else
    napi_reject_deferred(env, b->deferred, value);
  napi_delete_async_work(env, b->work);
  if (b->buffer != NULL) napi_delete_reference(env, b->buffer);
  free(b);
}

static napi_value bare_round_trip(napi_env env, napi_callback_info info) {
  napi_value promise, name, argv[2];
  size_t argc = 2;
  double seconds = 0;
  void *data = NULL;
  size_t len = 0;
  bool is_buffer = false;
  bare_t *b;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok)
    return NULL;
  if (argc >= 1 && napi_get_value_double(env, argv[0], &seconds) != napi_ok)
    seconds = 0;
  if (argc >= 2) {
    if (napi_is_arraybuffer(env, argv[1], &is_buffer) != napi_ok ||
        !is_buffer ||
        napi_get_arraybuffer_info(env, argv[1], &data, &len) != napi_ok) {
      napi_throw_type_error(env, NULL, "buffer must be an ArrayBuffer");
      return NULL;
    }
  }
  b = calloc(1, sizeof *b);
  if (b == NULL) {
    napi_throw_error(env, NULL, "out of memory");
    return NULL;
  }
  b->seconds = seconds > 0 && seconds < 10 ? seconds : 0;
  if (is_buffer) {
    /* An ArrayBuffer's memory is aligned for any element type. */
    b->reads = 1;
    b->words = data;
    b->nwords = data != NULL ? len / sizeof(uint64_t) : 0;
    if (napi_create_reference(env, argv[1], 1, &b->buffer) != napi_ok) {
      free(b);
      napi_throw_error(env, NULL, "could not reference the buffer");
      return NULL;
    }
  }
  if (napi_create_promise(env, &b->deferred, &promise) != napi_ok ||
      napi_create_string_utf8(env, "bare", NAPI_AUTO_LENGTH, &name) !=
          napi_ok ||
      napi_create_async_work(env, NULL, name, bare_execute, bare_complete, b,
                             &b->work) != napi_ok ||
      napi_queue_async_work(env, b->work) != napi_ok) {
    if (b->buffer != NULL) napi_delete_reference(env, b->buffer);
    free(b);
    napi_throw_error(env, NULL, "could not queue the work");
    return NULL;
  }
  return promise;
}

#ifdef BARE_CALLGRIND
static napi_value bare_dump(napi_env env, napi_callback_info info) {
  (void)env;
  (void)info;
  CALLGRIND_DUMP_STATS;
  return NULL;
}
#endif

static napi_value bare_thread_cpu(napi_env env, napi_callback_info info) {
  struct timespec ts;
  napi_value out;
  (void)info;
  if (clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts) != 0) {
    napi_throw_error(env, NULL, "no thread CPU clock");
    return NULL;
  }
  if (napi_create_double(env, (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9,
                         &out) != napi_ok)
    return NULL;
  return out;
}

NAPI_MODULE_INIT(/* napi_env env, napi_value exports */) {
  napi_value fn, cpu;
  if (napi_create_function(env, "roundTrip", NAPI_AUTO_LENGTH, bare_round_trip,
                           NULL, &fn) != napi_ok ||
      napi_set_named_property(env, exports, "roundTrip", fn) != napi_ok ||
      napi_create_function(env, "threadCpu", NAPI_AUTO_LENGTH, bare_thread_cpu,
                           NULL, &cpu) != napi_ok ||
      napi_set_named_property(env, exports, "threadCpu", cpu) != napi_ok)
    return NULL;
#ifdef BARE_CALLGRIND
  if (napi_create_function(env, "dump", NAPI_AUTO_LENGTH, bare_dump, NULL,
                           &fn) != napi_ok ||
      napi_set_named_property(env, exports, "dump", fn) != napi_ok)
    return NULL;
#endif
  return exports;
}
