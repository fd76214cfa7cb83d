/* The floor twincore's async path is measured against: a bare Node-API
 * async work item that does nothing. roundTrip() queues one and returns a
 * Promise that settles when it completes; nothing is parsed, copied or
 * converted. Built by the Makefile for `make bench` only. */
#define NAPI_VERSION 8
#include <node_api.h>
#include <stdlib.h>

typedef struct {
  napi_async_work work;
  napi_deferred deferred;
} bare_t;

/* Threadpool thread: no work at all. */
static void bare_execute(napi_env env, void *data) {
  (void)env;
  (void)data;
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
  napi_value promise, name;
  bare_t *b = malloc(sizeof *b);
  (void)info;
  if (b == NULL) {
    napi_throw_error(env, NULL, "out of memory");
    return NULL;
  }
  if (napi_create_promise(env, &b->deferred, &promise) != napi_ok ||
      napi_create_string_utf8(env, "bare", NAPI_AUTO_LENGTH, &name) != napi_ok ||
      napi_create_async_work(env, NULL, name, bare_execute, bare_complete, b,
                             &b->work) != napi_ok ||
      napi_queue_async_work(env, b->work) != napi_ok) {
    free(b);
    napi_throw_error(env, NULL, "could not queue the work");
    return NULL;
  }
  return promise;
}

NAPI_MODULE_INIT(/* napi_env env, napi_value exports */) {
  napi_value fn;
  if (napi_create_function(env, "roundTrip", NAPI_AUTO_LENGTH, bare_round_trip,
                           NULL, &fn) != napi_ok ||
      napi_set_named_property(env, exports, "roundTrip", fn) != napi_ok)
    return NULL;
  return exports;
}
