/* Reference-counted memory behind external ArrayBuffers (see block.h). */
#include "block.h"

#include "cache.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Marks the ArrayBuffers the addon made, so that a borrowed buffer can be
 * recognised without trusting the caller. */
static const napi_type_tag tc_block_tag = {0x7477696e636f7265ull,
                                           0x626c6f636b000001ull};

/* 64-byte alignment: a cache line, and enough for any SIMD load. */
#define TC_BLOCK_ALIGN 64

static void *tc_block_align(void *p) {
  uintptr_t u = (uintptr_t)p;
  return p == NULL ? NULL
                   : (void *)((u + (TC_BLOCK_ALIGN - 1)) &
                              ~(uintptr_t)(TC_BLOCK_ALIGN - 1));
}

void tc_block_ref(tc_block_t *b) {
  __atomic_add_fetch(&b->refs, 1, __ATOMIC_RELAXED);
}

static void tc_block_free_memory(tc_block_t *b) {
  if (b->cached)
    tc_cache_give_deferred(b->raw);
  else
    tc_cache_free_later(b->raw);
  b->raw = b->data = NULL;
}

void tc_block_unref(tc_block_t *b) {
  if (__atomic_sub_fetch(&b->refs, 1, __ATOMIC_ACQ_REL) == 0) {
    tc_block_free_memory(b);
    free(b);
  }
}

/* V8 released the ArrayBuffer's backing store. JS thread.
 *
 * No napi_adjust_external_memory() for blocks: V8 counts the bytes of
 * every ArrayBuffer's backing store, external ones included, in the
 * external memory that schedules its collections. Reporting them again
 * made it collect twice as often: a full collection (4-5 ms of the JS
 * thread) every 8 results of 4 MiB, against every 17 without
 * (node --trace-gc over 120 async matmuls of 1024², Node 20), with the
 * resident set still bounded (89 against 121 MiB). */
static void tc_block_finalize(napi_env env, void *data, void *hint) {
  (void)env;
  (void)data;
  tc_block_unref(hint);
}

napi_value tc_block_new(napi_env env, size_t bytes, int zeroed,
                        tc_block_t **out) {
  napi_value ab;
  napi_status status;
  /* The memory is a plain calloc() or malloc() (the buffer cache's)
   * aligned by hand: after free() the same request fits the chunk it left
   * exactly, where aligned_alloc() asks for more than it gave back, so
   * that each free()d block stayed behind as a hole (RSS grew by every
   * block until the heap was trimmed). */
  size_t padded = bytes + TC_BLOCK_ALIGN;
  tc_block_t *b = malloc(sizeof *b);
  if (b == NULL || padded < bytes) {
    free(b);
    tc_throw_status(env, TC_ENOMEM);
    return NULL;
  }
  b->bytes = bytes;
  /* One reference for the ArrayBuffer (its finalizer drops it), one held
   * here until the call below returns. */
  b->refs = 2;
  /* Zeroed: calloc(), not malloc() and memset(): a large block comes as
   * fresh pages the system zeroes when first touched, which costs the JS
   * thread nothing (memset took over a millisecond of it per 4 MiB). A
   * result's block comes from the buffer cache, and goes back there: the
   * pages an earlier result touched are written again without faults.
   * What the cache frees, and a zeroed block, are freed on the cache's
   * own thread, not in the collector's finalizer on the JS thread. */
  b->cached = !zeroed;
  b->raw = zeroed ? tc_cache_take_zeroed(padded) : tc_cache_take(padded);
  b->data = tc_block_align(b->raw);
  if (b->raw == NULL) {
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
    napi_value pending;
    char msg[200];
    if (status == napi_no_external_buffers_allowed) tc_block_unref(b);
    tc_block_unref(b);
    if (status == napi_no_external_buffers_allowed) {
      tc_napi_throw_last(env, status, "napi_create_external_arraybuffer");
      return NULL;
    }
    /* Whatever Node threw, the caller sees one code for memory it cannot
     * have. */
    napi_get_and_clear_last_exception(env, &pending);
    snprintf(msg, sizeof msg,
             "twincore: cannot allocate %zu bytes: Node refuses a buffer "
             "that large here",
             bytes);
    tc_throw_range_code(env, "ERR_TC_ENOMEM", msg);
    return NULL;
  }
  tc_block_unref(b);
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

int tc_block_release(napi_env env, napi_value arraybuffer) {
  tc_block_t *b = NULL;
  int ours = tc_block_of(env, arraybuffer, &b);
  if (ours < 0) return 0;
  TC_NAPI_CALL(env, napi_detach_arraybuffer(env, arraybuffer), 0);
  /* Detached, the ArrayBuffer views nothing; only a job could still use
   * the memory, and then holds a reference of its own. */
  if (ours && __atomic_load_n(&b->refs, __ATOMIC_ACQUIRE) == 1) {
    tc_block_free_memory(b);
  }
  return 1;
}
