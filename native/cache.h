/* Large buffers kept for reuse: the copies of copy mode and the kernels'
 * scratch.
 *
 * A fresh malloc() of many megabytes is a fresh mapping, and the first
 * write to each of its pages faults: copying 64 MiB into one costs about
 * five times a copy into memory already touched. So buffers from
 * TC_CACHE_MIN bytes up go back to a small process-wide cache when a call
 * is done with them, and the next call of a similar size takes one from
 * there. What the cache holds is bounded (TC_CACHE_MAX_BYTES, at most
 * TC_CACHE_SLOTS buffers), and tc_cache_trim(), which the JS side calls
 * on an unref'd timer while the cache holds anything, takes out every
 * buffer no call has used since the trim before, for the threadpool to
 * free: an addon that sits idle holds nothing after two periods.
 *
 * Thread-safe: jobs take and give scratch on the threadpool, calls take
 * and give copies on the JS thread of any environment. */
#ifndef TC_NATIVE_CACHE_H
#define TC_NATIVE_CACHE_H

#include <stddef.h>

/* Smaller buffers come from and go straight back to malloc(). */
#define TC_CACHE_MIN ((size_t)256 << 10)
#define TC_CACHE_MAX_BYTES ((size_t)256 << 20)
#define TC_CACHE_SLOTS 8

/** At least bytes bytes, 16-byte aligned, contents undefined; NULL if the
 * memory cannot be had. Any thread. */
void *tc_cache_take(size_t bytes);

/** Give back what tc_cache_take() returned (NULL is ignored). Any
 * thread. */
void tc_cache_give(void *p);

/** Buffers a trim took out of the cache, to be freed by
 * tc_cache_drop_free(). */
typedef struct {
  void *bufs[TC_CACHE_SLOTS];
  int n;
} tc_cache_drop_t;

/** Take out every cached buffer not taken since the last trim into
 * *drop, without freeing them: unmapping a few hundred megabytes takes
 * milliseconds, which the caller may want spent on another thread.
 * @return the bytes the cache still holds. Any thread. */
size_t tc_cache_trim(tc_cache_drop_t *drop);

/** Free what tc_cache_trim() took out (drop->n is 0 after). Any thread. */
void tc_cache_drop_free(tc_cache_drop_t *drop);

/** @return the bytes the cache holds now. Any thread. */
size_t tc_cache_bytes(void);

/** An environment loaded the addon / let it go. When one goes, so does
 * its trim timer, so the cache is emptied; with none left, buffers given
 * back later are freed at once. */
void tc_cache_env_enter(void);
void tc_cache_env_leave(void);

#endif /* TC_NATIVE_CACHE_H */
