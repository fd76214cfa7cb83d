/* Floors the bench measures twincore's async path against.
 * roundTrip(seconds = 0[, buffer]) queues a bare Node-API async work item
 * that does nothing (or sleeps that long on the pool) and returns a
 * Promise that settles when it completes; nothing is parsed, copied or
 * converted. Given an ArrayBuffer (not empty), the work item reads it
 * instead of sleeping: all of it once, then on round and round, 1 MiB at
 * a time, until `seconds` have passed. The Promise resolves to { bytes,
 * sum }: how many bytes it read, and the sum of the buffer's 8-byte words
 * (in the machine's byte order, modulo 2^64) in its low 32 bits. The
 * caller keeps the buffer attached meanwhile (the reference keeps it
 * alive, not its memory).
 * threadCpu() is the calling thread's CPU time in seconds
 * (CLOCK_THREAD_CPUTIME_ID), the bench's measure of main-thread time. A
 * roundTrip(w) shows what merely waiting w for a completion costs the main
 * thread (its sleep and wake-up), which is no call's own work;
 * roundTrip(w, buffer) what waiting costs while another core streams
 * memory through the caches the main thread shares with it.
 * Built by the Makefile for `make bench` only; built with BARE_CALLGRIND
 * (for make main-thread-ir), it also has dump(): callgrind's counts so far
 * written out and zeroed, so that a run under callgrind counts the
 * instructions of a window of its own (true; false where valgrind's
 * header was missing at build time, and it does nothing). */
#define _POSIX_C_SOURCE 200809L
#define NAPI_VERSION 8
#include <node_api.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#if defined(BARE_CALLGRIND) && defined(__has_include)
#if __has_include(<valgrind/callgrind.h>)
#include <valgrind/callgrind.h>
#define BARE_HAS_CALLGRIND 1
#endif
#endif

/* How much a read round reads between looks at the clock. */
#define BARE_CHUNK ((size_t)1 << 20)

typedef struct {
  napi_async_work work;
  napi_deferred deferred;
  double seconds;
  napi_ref buffer; /* the buffer to read, if given */
  const unsigned char *bytes;
  size_t len;             /* its whole 8-byte words, in bytes */
  double read;            /* bytes read */
  uint64_t sum;           /* of its words, from the first pass */
  volatile uint64_t sink; /* keeps the later passes' reads */
} bare_t;

static double bare_now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* The sum of the 8-byte words in [p, p + n), n a multiple of 8; any
 * alignment. */
static uint64_t bare_sum(const unsigned char *p, size_t n) {
  uint64_t sum = 0;
  for (size_t i = 0; i < n; i += 8) {
    uint64_t w;
    memcpy(&w, p + i, sizeof w);
    sum += w;
  }
  return sum;
}

/* Threadpool thread: no work at all, a sleep, or reads of the buffer. */
static void bare_execute(napi_env env, void *data) {
  bare_t *b = data;
  (void)env;
  if (b->buffer != NULL && b->len > 0) {
    double end = bare_now() + b->seconds;
    uint64_t sink = 0;
    size_t at = 0;
    b->sum = bare_sum(b->bytes, b->len);
    b->read = (double)b->len;
    while (bare_now() < end) {
      size_t n = b->len - at < BARE_CHUNK ? b->len - at : BARE_CHUNK;
      sink += bare_sum(b->bytes + at, n);
      b->read += (double)n;
      at = at + n == b->len ? 0 : at + n;
    }
    b->sink = sink;
  } else if (b->seconds > 0) {
    struct timespec ts;
    ts.tv_sec = (time_t)b->seconds;
    ts.tv_nsec = (long)((b->seconds - (double)ts.tv_sec) * 1e9);
    while (nanosleep(&ts, &ts) != 0) {
    }
  }
}

/* { bytes, sum } of a read round; NULL if it could not be made. */
static napi_value bare_result(napi_env env, const bare_t *b) {
  napi_value obj, bytes, sum;
  if (napi_create_object(env, &obj) != napi_ok ||
      napi_create_double(env, b->read, &bytes) != napi_ok ||
      napi_create_double(env, (double)(uint32_t)b->sum, &sum) != napi_ok ||
      napi_set_named_property(env, obj, "bytes", bytes) != napi_ok ||
      napi_set_named_property(env, obj, "sum", sum) != napi_ok)
    return NULL;
  return obj;
}

/* JS thread. */
static void bare_complete(napi_env env, napi_status status, void *data) {
  bare_t *b = data;
  napi_value value = b->buffer != NULL ? bare_result(env, b) : NULL;
  if (value == NULL) napi_get_undefined(env, &value);
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
  napi_valuetype type;
  bare_t *b;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok)
    return NULL;
  if (argc >= 1 && napi_get_value_double(env, argv[0], &seconds) != napi_ok)
    seconds = 0;
  if (argc >= 2 && napi_typeof(env, argv[1], &type) == napi_ok &&
      type != napi_undefined && type != napi_null) {
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
    b->bytes = data;
    b->len = data != NULL ? len - len % sizeof(uint64_t) : 0;
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
    /* The promise, if made, is dropped unsettled: nothing holds it. */
    if (b->work != NULL) napi_delete_async_work(env, b->work);
    if (b->buffer != NULL) napi_delete_reference(env, b->buffer);
    free(b);
    napi_throw_error(env, NULL, "could not queue the work");
    return NULL;
  }
  return promise;
}

#ifdef BARE_CALLGRIND
static napi_value bare_dump(napi_env env, napi_callback_info info) {
  napi_value done;
  (void)info;
#ifdef BARE_HAS_CALLGRIND
  CALLGRIND_DUMP_STATS;
  return napi_get_boolean(env, true, &done) == napi_ok ? done : NULL;
#else
  return napi_get_boolean(env, false, &done) == napi_ok ? done : NULL;
#endif
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
