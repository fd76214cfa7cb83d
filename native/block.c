/* Reference-counted memory behind external ArrayBuffers (see block.h). */
#include "block.h"

#include <stdlib.h>
#include <string.h>

/* Marks the ArrayBuffers the addon made, so that a borrowed buffer can be
 * recognised without trusting the caller. */
static const napi_type_tag tc_block_tag = {0x7477696e636f7265ull,
                                           0x626c6f636b000001ull};

/* 64-byte alignment: a cache line, and enough for any SIMD load. */
#define TC_BLOCK_ALIGN 64

void tc_block_ref(tc_block_t *b) {
  __atomic_add_fetch(&b->refs, 1, __ATOMIC_RELAXED);
}

void tc_block_unref(tc_block_t *b) {
  if (__atomic_sub_fetch(&b->refs, 1, __ATOMIC_ACQ_REL) == 0) {
    free(b->data);
    free(b);
  }
}

/* V8 released the ArrayBuffer's backing store. */
static void tc_block_finalize(napi_env env, void *data, void *hint) {
  (void)env;
  (void)data;
  tc_block_unref(hint);
}

napi_value tc_block_new(napi_env env, size_t bytes, tc_block_t **out) {
  napi_value ab;
  napi_status status;
  size_t rounded =
      (bytes + TC_BLOCK_ALIGN - 1) / TC_BLOCK_ALIGN * TC_BLOCK_ALIGN;
  tc_block_t *b = malloc(sizeof *b);
  if (b == NULL || rounded < bytes) {
    free(b);
    tc_throw_status(env, TC_ENOMEM);
    return NULL;
  }
  b->bytes = bytes;
  /* One reference for the ArrayBuffer (its finalizer drops it), one held
   * here until the call below returns. */
  b->refs = 2;
  b->data = aligned_alloc(TC_BLOCK_ALIGN, rounded ? rounded : TC_BLOCK_ALIGN);
  if (b->data == NULL) {
    free(b);
    tc_throw_status(env, TC_ENOMEM);
    return NULL;
  }
  status = napi_create_external_arraybuffer(env, b->data, bytes,
                                            tc_block_finalize, b, &ab);
  if (status != napi_ok) {
    /* When Node refuses the buffer it may already have run the finalizer
     * (a size over buffer.constants.MAX_LENGTH), or run it later (a failure
     * after it took the memory), or never (no external buffers at all):
     * drop the finalizer's reference only where it can never come, and a
     * rare early failure leaks the block rather than free it twice. */
    if (status == napi_no_external_buffers_allowed) tc_block_unref(b);
    tc_block_unref(b);
    tc_napi_throw_last(env, status, "napi_create_external_arraybuffer");
    return NULL;
  }
  tc_block_unref(b);
  memset(b->data, 0, bytes);
  /* From here on the ArrayBuffer owns b: its finalizer frees it. */
  TC_NAPI_CALL(env, napi_type_tag_object(env, ab, &tc_block_tag), NULL);
  TC_NAPI_CALL(env, napi_wrap(env, ab, b, NULL, NULL, NULL), NULL);
  *out = b;
  return ab;
}

int tc_block_of(napi_env env, napi_value arraybuffer, tc_block_t **out) {
  bool tagged = false;
  void *b = NULL;
  napi_valuetype type;
  TC_NAPI_CALL(env, napi_typeof(env, arraybuffer, &type), -1);
  if (type != napi_object) return 0;
  TC_NAPI_CALL(
      env, napi_check_object_type_tag(env, arraybuffer, &tc_block_tag, &tagged),
      -1);
  if (!tagged) return 0;
  TC_NAPI_CALL(env, napi_unwrap(env, arraybuffer, &b), -1);
  *out = b;
  return 1;
}
