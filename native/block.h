/* Memory the addon owns and lends to JS as an external ArrayBuffer:
 * alloc()'d arrays and the outputs of async zero-copy calls.
 *
 * A block lives while anyone holds a reference: the ArrayBuffer holds one
 * until V8 releases its backing store (after collection, or after a detach
 * or transfer once the new owner goes), and every job that borrows it
 * holds one until it completes. So no detach, transfer or collection can
 * free memory a job is still using. */
#ifndef TC_NATIVE_BLOCK_H
#define TC_NATIVE_BLOCK_H

#include "args.h"

typedef struct {
  void *data; /* 64-byte aligned, inside raw */
  void *raw;  /* what the buffer cache (cache.h) gave */
  int cached; /* raw goes back into the buffer cache */
  size_t bytes;
  int32_t refs; /* changed atomically: V8 may release on another thread */
} tc_block_t;

/** A new block and the external ArrayBuffer over it, or NULL with an
 * exception pending (ERR_TC_ENOMEM, a RangeError, where the memory cannot
 * be had or Node refuses a buffer that large). zeroed: filled with zeros
 * (alloc()); else its contents are undefined, for a result the job
 * writes whole before anyone sees it, and it may be memory an earlier
 * result gave back to the buffer cache. */
napi_value tc_block_new(napi_env env, size_t bytes, int zeroed,
                        tc_block_t **out);

/** The block behind an ArrayBuffer, if the addon made it.
 * @return 1 and *out set if it is one of ours, 0 if not; -1 with an
 * exception pending on failure. */
int tc_block_of(napi_env env, napi_value arraybuffer, tc_block_t **out);

void tc_block_ref(tc_block_t *b);
/** Drop a reference; the last one gives the memory back, freed off the
 * calling thread from 4 MiB up (tc_cache_give_deferred()). */
void tc_block_unref(tc_block_t *b);

/** free() of an alloc()'d array: detach its ArrayBuffer and, unless a job
 * still holds the block, give its memory back now rather than when the
 * collector gets to the ArrayBuffer. JS thread.
 * @return 0 with an exception pending on failure. */
int tc_block_release(napi_env env, napi_value arraybuffer);

#endif /* TC_NATIVE_BLOCK_H */
