/* Argument parsing and errors for the Node-API binding. Runs on the JS
 * thread only. */
#include "args.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

/* Make an error of the given constructor with a code; NULL on failure. */
static napi_value tc_make_error(napi_env env,
                                napi_status (*make)(napi_env, napi_value,
                                                    napi_value, napi_value *),
                                const char *code, const char *msg) {
  napi_value jcode, jmsg, err;
  if (napi_create_string_utf8(env, code, NAPI_AUTO_LENGTH, &jcode) != napi_ok ||
      napi_create_string_utf8(env, msg, NAPI_AUTO_LENGTH, &jmsg) != napi_ok ||
      make(env, jcode, jmsg, &err) != napi_ok)
    return NULL;
  return err;
}

static void tc_throw_made(napi_env env, napi_value err, const char *code,
                          const char *msg) {
  bool pending = false;
  napi_is_exception_pending(env, &pending);
  if (pending) return;
  if (err == NULL || napi_throw(env, err) != napi_ok)
    napi_throw_error(env, code, msg);
}

void tc_napi_throw_last(napi_env env, napi_status status, const char *call) {
  const napi_extended_error_info *info = NULL;
  char msg[256];
  bool pending = false;
  napi_is_exception_pending(env, &pending);
  if (pending) return;
  napi_get_last_error_info(env, &info);
  snprintf(msg, sizeof msg, "twincore: N-API call failed (%s, status %d): %s",
           call, (int)status,
           info && info->error_message ? info->error_message : "no details");
  napi_throw_error(env, "ERR_TC_NAPI", msg);
}

napi_value tc_code_error(napi_env env, const char *code, const char *msg) {
  return tc_make_error(env, napi_create_error, code, msg);
}

void tc_throw_type(napi_env env, const char *msg) {
  tc_throw_made(
      env,
      tc_make_error(env, napi_create_type_error, "ERR_INVALID_ARG_TYPE", msg),
      "ERR_INVALID_ARG_TYPE", msg);
}

void tc_throw_range_code(napi_env env, const char *code, const char *msg) {
  tc_throw_made(env, tc_make_error(env, napi_create_range_error, code, msg),
                code, msg);
}

void tc_throw_range(napi_env env, const char *msg) {
  tc_throw_range_code(env, "ERR_OUT_OF_RANGE", msg);
}

napi_value tc_status_error(napi_env env, tc_status st) {
  char code[64];
  snprintf(code, sizeof code, "ERR_TC_%s", tc_status_name((int)st));
  /* Sizes, shapes and memory are RangeErrors, element types TypeErrors, as
   * the facade's own checks throw them. */
  switch (st) {
    case TC_ESIZE:
    case TC_EOVERFLOW:
    case TC_ENOMEM:
      return tc_make_error(env, napi_create_range_error, code,
                           tc_strerror((int)st));
    case TC_EDTYPE:
      return tc_make_error(env, napi_create_type_error, code,
                           tc_strerror((int)st));
    default:
      return tc_make_error(env, napi_create_error, code, tc_strerror((int)st));
  }
}

void tc_throw_status(napi_env env, tc_status st) {
  char code[64];
  snprintf(code, sizeof code, "ERR_TC_%s", tc_status_name((int)st));
  tc_throw_made(env, tc_status_error(env, st), code, tc_strerror((int)st));
}

static int tc_dtype_of(napi_typedarray_type t, tc_dtype *out) {
  switch (t) {
    case napi_uint8_array:
      *out = TC_DTYPE_U8;
      return 1;
    case napi_int32_array:
      *out = TC_DTYPE_I32;
      return 1;
    case napi_uint32_array:
      *out = TC_DTYPE_U32;
      return 1;
    case napi_float32_array:
      *out = TC_DTYPE_F32;
      return 1;
    case napi_float64_array:
      *out = TC_DTYPE_F64;
      return 1;
    default:
      return 0;
  }
}

int tc_get_view(napi_env env, napi_value v, tc_dtype dtype, int optional,
                const char *name, tc_view_t *view) {
  napi_valuetype type;
  bool is_typed = false, detached = false;
  napi_typedarray_type ttype;
  size_t length, offset;
  napi_value ab;
  char msg[160];

  memset(view, 0, sizeof *view);
  TC_NAPI_CALL(env, napi_typeof(env, v, &type), 0);
  if (optional && (type == napi_undefined || type == napi_null)) return 1;
  TC_NAPI_CALL(env, napi_is_typedarray(env, v, &is_typed), 0);
  if (!is_typed) {
    snprintf(msg, sizeof msg, "%s must be a typed array", name);
    tc_throw_type(env, msg);
    return 0;
  }
  TC_NAPI_CALL(env,
               napi_get_typedarray_info(env, v, &ttype, &length, &view->data,
                                        &ab, &offset),
               0);
  TC_NAPI_CALL(env, napi_is_detached_arraybuffer(env, ab, &detached), 0);
  if (detached) {
    snprintf(msg, sizeof msg, "%s is detached", name);
    tc_throw_made(env,
                  tc_make_error(env, napi_create_error, "ERR_TC_DETACHED", msg),
                  "ERR_TC_DETACHED", msg);
    return 0;
  }
  if (!tc_dtype_of(ttype, &view->dtype) || view->dtype != dtype) {
    snprintf(msg, sizeof msg, "%s has the wrong element type for this call",
             name);
    tc_throw_type(env, msg);
    return 0;
  }
  view->value = v;
  view->buffer = ab;
  view->bytes = length * tc_dtype_size((int)dtype);
  return 1;
}

/* 1 if v is a number, else 0 with a TypeError naming the argument. */
static int tc_expect_number(napi_env env, napi_value v, const char *name) {
  napi_valuetype type;
  char msg[160];
  TC_NAPI_CALL(env, napi_typeof(env, v, &type), 0);
  if (type == napi_number) return 1;
  snprintf(msg, sizeof msg, "%s must be a number", name);
  tc_throw_type(env, msg);
  return 0;
}

int tc_get_size(napi_env env, napi_value v, const char *name, size_t *out) {
  double d;
  char msg[160];
  if (!tc_expect_number(env, v, name)) return 0;
  TC_NAPI_CALL(env, napi_get_value_double(env, v, &d), 0);
  /* 2^53: every integer below it is exact in a double. */
  if (!(d >= 0) || d != floor(d) || d > 9007199254740991.0 ||
      d > (double)SIZE_MAX) {
    snprintf(msg, sizeof msg, "%s must be a non-negative integer", name);
    tc_throw_range(env, msg);
    return 0;
  }
  *out = (size_t)d;
  return 1;
}

int tc_get_int(napi_env env, napi_value v, const char *name, int32_t *out) {
  if (!tc_expect_number(env, v, name)) return 0;
  TC_NAPI_CALL(env, napi_get_value_int32(env, v, out), 0);
  return 1;
}
