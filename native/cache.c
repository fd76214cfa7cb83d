/* The buffer cache (cache.h). Every buffer carries its capacity in a
 * header just before the memory handed out, so that giving it back needs
 * no size. */
/* dladdr() and RTLD_NODELETE, beside POSIX (sync.h). */
#if !defined(_WIN32) && !defined(_GNU_SOURCE)
#define _GNU_SOURCE 1
#endif
#include "sync.h"

#include "cache.h"

#include <stdint.h>
#include <stdlib.h>
#ifdef _WIN32
#include <process.h>
#else
#include <dlfcn.h>
#endif
#ifdef __linux__
#include <sys/prctl.h>
#endif

typedef union tc_cache_hdr {
  struct {
    size_t cap;
    union tc_cache_hdr *next; /* on the list of buffers to free */
  } f;
  max_align_t align; /* keeps what follows as aligned as malloc()'s */
} tc_cache_hdr_t;

typedef struct {
  tc_cache_hdr_t *buf;    /* NULL: the slot is empty */
  unsigned long long seq; /* when it was given back: the oldest goes first */
  int used;               /* given back since the last trim */
} tc_cache_slot_t;

/* Statically initialized, so that no thread has to set it up first. */
static tc_lock_t tc_cache_lock_ = TC_LOCK_INIT;
static tc_cache_slot_t tc_cache_slots[TC_CACHE_SLOTS];
static size_t tc_cache_held;
static unsigned long long tc_cache_seq;
static int tc_cache_envs;
/* Buffers to free off the JS thread, and the thread that frees them: it
 * starts when there are some, and ends after TC_CACHE_REAPER_IDLE_NS
 * without any. */
static tc_cache_hdr_t *tc_cache_deferred;
static int tc_cache_reaper;
static int tc_cache_reaper_cv_ready;
static int tc_cache_pinned; /* 1: the module stays mapped; -1: it cannot */
static tc_cond_t tc_cache_reaper_cv;
#define TC_CACHE_REAPER_IDLE_NS 1000000000u
/* Smaller buffers are freed where they are let go of: freeing them takes
 * microseconds (glibc maps buffers of 32 MiB and up of their own; below
 * that, most go back to its heap). */
#define TC_CACHE_DEFER_MIN ((size_t)4 << 20)

static void tc_cache_lock(void) {
  tc_lock(&tc_cache_lock_);
}

static void tc_cache_unlock(void) {
  tc_unlock(&tc_cache_lock_);
}

/* Empty slot i into *out (freed after the lock is dropped). Lock held. */
static void tc_cache_evict(int i, tc_cache_hdr_t **out) {
  *out = tc_cache_slots[i].buf;
  tc_cache_held -= tc_cache_slots[i].buf->f.cap;
  tc_cache_slots[i].buf = NULL;
}

void *tc_cache_take(size_t bytes) {
  tc_cache_hdr_t *h = NULL;
  if (bytes >= TC_CACHE_MIN) {
    /* The smallest cached buffer that fits, if it is not over twice the
     * size: a small call should not pin a big buffer. */
    int best = -1;
    tc_cache_lock();
    for (int i = 0; i < TC_CACHE_SLOTS; i++) {
      tc_cache_hdr_t *b = tc_cache_slots[i].buf;
      if (b != NULL && b->f.cap >= bytes && b->f.cap - bytes <= bytes &&
          (best < 0 || b->f.cap < tc_cache_slots[best].buf->f.cap))
        best = i;
    }
    if (best >= 0) tc_cache_evict(best, &h);
    tc_cache_unlock();
    if (h != NULL) return h + 1;
  }
  if (bytes > SIZE_MAX - sizeof *h) return NULL;
  h = malloc(sizeof *h + bytes);
  if (h == NULL) return NULL;
  h->f.cap = bytes;
  return h + 1;
}

static void tc_cache_free_list(tc_cache_hdr_t *h) {
  while (h != NULL) {
    tc_cache_hdr_t *next = h->f.next;
    free(h);
    h = next;
  }
}

/* The reaper thread: frees what is put on the list to free as it comes,
 * and ends after TC_CACHE_REAPER_IDLE_NS with nothing to free. */
static void tc_cache_reap(void *arg) {
  (void)arg;
#ifdef __linux__
  /* Named, for whoever looks at the process's threads (and the tests). */
  prctl(PR_SET_NAME, "twincore-free", 0, 0, 0);
#endif
  tc_cache_lock();
  for (;;) {
    tc_cache_hdr_t *h = tc_cache_deferred;
    if (h == NULL) {
      uint64_t t0 = tc_now_ns();
      tc_cond_wait_ns(&tc_cache_reaper_cv, &tc_cache_lock_,
                      TC_CACHE_REAPER_IDLE_NS);
      if (tc_cache_deferred == NULL &&
          tc_now_ns() - t0 >= TC_CACHE_REAPER_IDLE_NS)
        break;
      continue;
    }
    tc_cache_deferred = NULL;
    tc_cache_unlock();
    tc_cache_free_list(h);
    tc_cache_lock();
  }
  tc_cache_reaper = 0;
  tc_cache_unlock();
}

/* Put h on the list of buffers to free off the JS thread. Lock held.
 * Returns 1 when a reaper thread must be started (tc_cache_reaper_start()
 * with the lock dropped). */
static int tc_cache_defer(tc_cache_hdr_t *h) {
  h->f.next = tc_cache_deferred;
  tc_cache_deferred = h;
  if (tc_cache_reaper) {
    tc_cond_broadcast(&tc_cache_reaper_cv);
    return 0;
  }
  if (!tc_cache_reaper_cv_ready) {
    tc_cond_init(&tc_cache_reaper_cv);
    tc_cache_reaper_cv_ready = 1;
  }
  tc_cache_reaper = 1;
  return 1;
}

#ifdef _WIN32
static unsigned __stdcall tc_cache_reaper_main(void *arg) {
  tc_cache_reap(arg);
  return 0;
}
#else
static void *tc_cache_reaper_main(void *arg) {
  tc_cache_reap(arg);
  return NULL;
}
#endif

/* Keep this module mapped for good: Node unloads an addon when the worker
 * that loaded it goes, and the reaper thread may still be running its
 * code then. Returns 0 on success. */
static int tc_cache_pin_module(void) {
#ifdef _WIN32
  HMODULE m;
  return GetModuleHandleExW(GET_MODULE_HANDLE_EX_FLAG_FROM_ADDRESS |
                                GET_MODULE_HANDLE_EX_FLAG_PIN,
                            (LPCWSTR)(const void *)&tc_cache_pinned, &m)
             ? 0
             : -1;
#else
  Dl_info info;
  /* Any address inside the module names it. */
  if (dladdr((const void *)&tc_cache_pinned, &info) == 0 ||
      info.dli_fname == NULL)
    return -1;
  /* A reference never dropped, on a module marked never to be unloaded. */
  return dlopen(info.dli_fname, RTLD_LAZY | RTLD_NOLOAD | RTLD_NODELETE) != NULL
             ? 0
             : -1;
#endif
}

/* Start the reaper thread, detached. Returns 0 on success. */
static int tc_cache_reaper_start(void) {
  int pinned;
  tc_cache_lock();
  pinned = tc_cache_pinned;
  tc_cache_unlock();
  if (pinned == 0) {
    /* Tried once: where it fails, it fails for good. */
    pinned = tc_cache_pin_module() == 0 ? 1 : -1;
    tc_cache_lock();
    tc_cache_pinned = pinned;
    tc_cache_unlock();
  }
  if (pinned < 0) return -1;
#ifdef _WIN32
  {
    uintptr_t h = _beginthreadex(NULL, 0, tc_cache_reaper_main, NULL, 0, NULL);
    if (h == 0) return -1;
    CloseHandle((HANDLE)h);
    return 0;
  }
#else
  {
    pthread_attr_t attr;
    pthread_t t;
    int err;
    if (pthread_attr_init(&attr) != 0) return -1;
    pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    err = pthread_create(&t, &attr, tc_cache_reaper_main, NULL);
    pthread_attr_destroy(&attr);
    return err != 0 ? -1 : 0;
  }
#endif
}

/* Let go of n buffers out of the cache: freed here, or, when deferred,
 * those of at least TC_CACHE_DEFER_MIN bytes on the reaper thread. Lock
 * not held. */
static void tc_cache_release(tc_cache_hdr_t **drop, int n, int deferred) {
  int kept = 0, start = 0;
  if (deferred) {
    tc_cache_lock();
    for (int i = 0; i < n; i++) {
      if (drop[i]->f.cap >= TC_CACHE_DEFER_MIN)
        start |= tc_cache_defer(drop[i]);
      else
        drop[kept++] = drop[i];
    }
    tc_cache_unlock();
    n = kept;
  }
  while (n > 0) free(drop[--n]);
  if (start && tc_cache_reaper_start() != 0) {
    /* No thread to be had (or no way to keep its code mapped): free them
     * here. */
    tc_cache_hdr_t *h;
    tc_cache_lock();
    h = tc_cache_deferred;
    tc_cache_deferred = NULL;
    tc_cache_reaper = 0;
    tc_cache_unlock();
    tc_cache_free_list(h);
  }
}

/* Into the cache, or freed: now, or, when deferred and of at least
 * TC_CACHE_DEFER_MIN bytes, on the reaper thread (and so are any buffers
 * evicted to make room). */
static void tc_cache_put(void *p, int deferred) {
  tc_cache_hdr_t *h, *drop[TC_CACHE_SLOTS + 1];
  int ndrop = 0;
  if (p == NULL) return;
  h = (tc_cache_hdr_t *)p - 1;
  if (h->f.cap < TC_CACHE_MIN) {
    free(h);
    return;
  }
  tc_cache_lock();
  /* No environment left to trim the cache: a job that outlived its
   * worker gives its memory straight back. A buffer over the bound is
   * never cached. */
  while (tc_cache_envs > 0 && h->f.cap <= TC_CACHE_MAX_BYTES) {
    /* Room for it: an empty slot and the bytes under the bound, making
     * room by giving back the buffers that came back longest ago. */
    int empty = -1, oldest = -1;
    for (int i = 0; i < TC_CACHE_SLOTS; i++) {
      if (tc_cache_slots[i].buf == NULL) {
        if (empty < 0) empty = i;
      } else if (oldest < 0 ||
                 tc_cache_slots[i].seq < tc_cache_slots[oldest].seq) {
        oldest = i;
      }
    }
    if (empty >= 0 && tc_cache_held + h->f.cap <= TC_CACHE_MAX_BYTES) {
      tc_cache_slots[empty].buf = h;
      tc_cache_slots[empty].seq = ++tc_cache_seq;
      tc_cache_slots[empty].used = 1;
      tc_cache_held += h->f.cap;
      h = NULL;
      break;
    }
    if (oldest < 0) break; /* cannot happen: h->f.cap <= the bound */
    tc_cache_evict(oldest, &drop[ndrop++]);
  }
  if (h != NULL) drop[ndrop++] = h;
  tc_cache_unlock();
  tc_cache_release(drop, ndrop, deferred);
}

void tc_cache_give(void *p) {
  tc_cache_put(p, 0);
}

void tc_cache_give_deferred(void *p) {
  tc_cache_put(p, 1);
}

void tc_cache_free_later(void *p) {
  tc_cache_hdr_t *h;
  if (p == NULL) return;
  h = (tc_cache_hdr_t *)p - 1;
  tc_cache_release(&h, 1, 1);
}

void *tc_cache_take_zeroed(size_t bytes) {
  tc_cache_hdr_t *h;
  if (bytes > SIZE_MAX - sizeof *h) return NULL;
  h = calloc(1, sizeof *h + bytes);
  if (h == NULL) return NULL;
  h->f.cap = bytes;
  return h + 1;
}

size_t tc_cache_trim(void) {
  tc_cache_hdr_t *drop[TC_CACHE_SLOTS];
  int ndrop = 0;
  size_t left;
  tc_cache_lock();
  for (int i = 0; i < TC_CACHE_SLOTS; i++) {
    if (tc_cache_slots[i].buf == NULL) continue;
    if (tc_cache_slots[i].used)
      tc_cache_slots[i].used = 0;
    else
      tc_cache_evict(i, &drop[ndrop++]);
  }
  left = tc_cache_held;
  tc_cache_unlock();
  tc_cache_release(drop, ndrop, 1);
  return left;
}

size_t tc_cache_bytes(void) {
  size_t held;
  tc_cache_lock();
  held = tc_cache_held;
  tc_cache_unlock();
  return held;
}

void tc_cache_env_enter(void) {
  tc_cache_lock();
  tc_cache_envs++;
  tc_cache_unlock();
}

void tc_cache_env_leave(void) {
  tc_cache_hdr_t *drop[TC_CACHE_SLOTS];
  int ndrop = 0;
  tc_cache_lock();
  /* The environment's trim timer is gone with it: give everything back
   * now rather than wait for another environment's next call. */
  tc_cache_envs--;
  for (int i = 0; i < TC_CACHE_SLOTS; i++)
    if (tc_cache_slots[i].buf != NULL) tc_cache_evict(i, &drop[ndrop++]);
  tc_cache_unlock();
  while (ndrop > 0) free(drop[--ndrop]);
}
