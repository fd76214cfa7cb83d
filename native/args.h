/* The Node-API binding's one argument-parsing layer: checked napi calls,
 * typed errors with stable codes, and typed-array access without copying. */
#ifndef TC_NATIVE_ARGS_H
#define TC_NATIVE_ARGS_H

#define NAPI_VERSION 8
#include <node_api.h>
#include <stddef.h>
#include <stdint.h>

#include "../core/tc.h"

/* Check a napi call; on failure throw (unless an exception is already
 * pending) and return ret from the calling function. */
#define TC_NAPI_CALL(env, call, ret)                     \
  do {                                                   \
    napi_status tc_napi_status_ = (call);                \
    if (tc_napi_status_ != napi_ok) {                    \
      tc_napi_throw_last((env), tc_napi_status_, #call); \
      return ret;                                        \
    }                                                    \
  } while (0)

/** Throw an Error for a failed napi call, unless one is already pending.
 * The message is napi's own when it has one, else the call's text. */
void tc_napi_throw_last(napi_env env, napi_status status, const char *call);

/** Throw a RangeError with the given code. */
void tc_throw_range_code(napi_env env, const char *code, const char *msg);

/** Throw a TypeError with code ERR_INVALID_ARG_TYPE. */
void tc_throw_type(napi_env env, const char *msg);

/** Throw a RangeError with code ERR_OUT_OF_RANGE. */
void tc_throw_range(napi_env env, const char *msg);

/** An error for a core status: code "ERR_TC_<NAME>", tc_strerror()'s
 * message; a RangeError for ESIZE and EOVERFLOW, a TypeError for EDTYPE,
 * else an Error. NULL if even that could not be made. */
napi_value tc_status_error(napi_env env, tc_status st);

/** Throw tc_status_error(). */
void tc_throw_status(napi_env env, tc_status st);

/** An Error with the given code and message; NULL if it could not be
 * made. */
napi_value tc_code_error(napi_env env, const char *code, const char *msg);

/* A typed array's memory, as the binding sees it. */
typedef struct {
  napi_value value;  /**< the typed array; NULL when absent. */
  napi_value buffer; /**< its ArrayBuffer or SharedArrayBuffer. */
  tc_dtype dtype;
  void *data;
  size_t bytes;
} tc_view_t;

/** Read argument argv as a typed array of element type dtype (any integer
 * or float typed array for TC_DTYPE_U8 means raw bytes: only Uint8Array is
 * accepted, the facade makes that view). optional lets null/undefined
 * through as an empty view.
 * @return 1 on success, 0 with an exception pending. */
int tc_get_view(napi_env env, napi_value argv, tc_dtype dtype, int optional,
                const char *name, tc_view_t *view);

/** Read a non-negative integer argument that fits size_t.
 * @return 1 on success, 0 with an exception pending. */
int tc_get_size(napi_env env, napi_value v, const char *name, size_t *out);

/** Read an int32 argument. @return 1, or 0 with an exception pending. */
int tc_get_int(napi_env env, napi_value v, const char *name, int32_t *out);

#endif /* TC_NATIVE_ARGS_H */
