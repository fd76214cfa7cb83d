/* Floors the bench measures twincore's async path against.
 * roundTrip(seconds = 0) queues a bare Node-API async work item that does
 * nothing (or sleeps that long on the pool) and returns a Promise that
 * settles when it completes; nothing is parsed, copied or converted.
 * threadCpu() is the calling thread's CPU time in seconds
 * (CLOCK_THREAD_CPUTIME_ID), the bench's measure of main-thread time. A
 * roundTrip(w) shows what merely waiting w for a completion costs the main
 * thread (its sleep and wake-up), which is no call's own work. Built by the
 * Makefile for `make bench` only. */
#define _POSIX_C_SOURCE 200809L
#define NAPI_VERSION 8
#include <node_api.h>
#include <stdlib.h>
#include <time.h>

typedef struct {
  napi_async_work work;
  napi_deferred deferred;
  double seconds;
} bare_t;

/* Threadpool thread: no work at all, or a sleep. */
static void bare_execute(napi_env env, void *data) {
  bare_t *b = data;
  (void)env;
  if (b->seconds > 0) {
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
  napi_value undefined;
  napi_get_undefined(env, &undefined);
  if (status == napi_ok)
    napi_resolve_deferred(env, b->deferred, undefined);
  else
    napi_reject_deferred(env, b->deferred, undefined);
  napi_delete_async_work(env, b->work);
  free(b);
}

static napi_value bare_round_trip(napi_env env, napi_callback_info info) {
  napi_value promise, name, arg;
  size_t argc = 1;
  double seconds = 0;
  bare_t *b;
  if (napi_get_cb_info(env, info, &argc, &arg, NULL, NULL) != napi_ok)
    return NULL;
  if (argc >= 1 && napi_get_value_double(env, arg, &seconds) != napi_ok)
    seconds = 0;
  b = malloc(sizeof *b);
  if (b == NULL) {
    napi_throw_error(env, NULL, "out of memory");
    return NULL;
  }
  b->seconds = seconds > 0 && seconds < 10 ? seconds : 0;
  if (napi_create_promise(env, &b->deferred, &promise) != napi_ok ||
      napi_create_string_utf8(env, "bare", NAPI_AUTO_LENGTH, &name) !=
          napi_ok ||
      napi_create_async_work(env, NULL, name, bare_execute, bare_complete, b,
                             &b->work) != napi_ok ||
      napi_queue_async_work(env, b->work) != napi_ok) {
    free(b);
    napi_throw_error(env, NULL, "could not queue the work");
    return NULL;
  }
  return promise;
}

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
  return exports;
}
