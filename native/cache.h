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
 * on an unref'd timer while the cache holds anything, gives back every
 * buffer no call has used since the trim before: an addon that sits idle
 * holds nothing after two periods. Large buffers that the JS thread lets
 * go of while calls run (a trim, a call's copies, alloc()ed arrays) are
 * freed on a thread of the cache's own, which ends after a second with
 * nothing to free (tc_cache_give_deferred()); when an environment goes,
 * the cache is emptied on its thread.
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

/** Give back what tc_cache_take() or tc_cache_take_zeroed() returned
 * (NULL is ignored): into the cache, or freed, with any buffers evicted
 * to make room. Any thread. */
void tc_cache_give(void *p);

/** tc_cache_give(), except that what it would free, from 4 MiB up, is
 * freed on a thread of the cache's own (or here, if no thread can be
 * had): unmapping a few hundred megabytes takes milliseconds, which the
 * JS thread should not spend. Any thread. */
void tc_cache_give_deferred(void *p);

/** At least bytes bytes of zeros, 16-byte aligned, never from the cache;
 * NULL if the memory cannot be had. Any thread. */
void *tc_cache_take_zeroed(size_t bytes);

/** Free what tc_cache_take_zeroed() (or tc_cache_take()) returned, not
 * into the cache: from 4 MiB up on the cache's own thread, as
 * tc_cache_give_deferred() does. NULL is ignored. Any thread. */
void tc_cache_free_later(void *p);

/** Give back every cached buffer not taken since the last trim, freed on
 * the cache's own thread from 4 MiB up (or here, if no thread can be
 * had).
 * @return the bytes the cache still holds. Any thread. */
size_t tc_cache_trim(void);

/** @return the bytes the cache holds now. Any thread. */
size_t tc_cache_bytes(void);

/** An environment loaded the addon / let it go. When one goes, so does
 * its trim timer, so the cache is emptied; with none left, buffers given
 * back later are freed at once. */
void tc_cache_env_enter(void);
void tc_cache_env_leave(void);

#endif /* TC_NATIVE_CACHE_H */
