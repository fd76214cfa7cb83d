/* The buffer cache (cache.h). Every buffer carries its capacity in a
 * header just before the memory handed out, so that giving it back needs
 * no size. */
#include "sync.h"

#include "cache.h"

#include <stdint.h>
#include <stdlib.h>

typedef union {
  size_t cap;
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

static void tc_cache_lock(void) {
  tc_lock(&tc_cache_lock_);
}

static void tc_cache_unlock(void) {
  tc_unlock(&tc_cache_lock_);
}

/* Empty slot i into *out (freed after the lock is dropped). Lock held. */
static void tc_cache_evict(int i, tc_cache_hdr_t **out) {
  *out = tc_cache_slots[i].buf;
  tc_cache_held -= tc_cache_slots[i].buf->cap;
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
      if (b != NULL && b->cap >= bytes && b->cap - bytes <= bytes &&
          (best < 0 || b->cap < tc_cache_slots[best].buf->cap))
        best = i;
    }
    if (best >= 0) tc_cache_evict(best, &h);
    tc_cache_unlock();
    if (h != NULL) return h + 1;
  }
  if (bytes > SIZE_MAX - sizeof *h) return NULL;
  h = malloc(sizeof *h + bytes);
  if (h == NULL) return NULL;
  h->cap = bytes;
  return h + 1;
}

void tc_cache_give(void *p) {
  tc_cache_hdr_t *h, *drop[TC_CACHE_SLOTS + 1];
  int ndrop = 0;
  if (p == NULL) return;
  h = (tc_cache_hdr_t *)p - 1;
  if (h->cap < TC_CACHE_MIN || h->cap > TC_CACHE_MAX_BYTES) {
    free(h);
    return;
  }
  tc_cache_lock();
  /* No environment left to trim the cache: a job that outlived its
   * worker gives its memory straight back. */
  while (tc_cache_envs > 0) {
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
    if (empty >= 0 && tc_cache_held + h->cap <= TC_CACHE_MAX_BYTES) {
      tc_cache_slots[empty].buf = h;
      tc_cache_slots[empty].seq = ++tc_cache_seq;
      tc_cache_slots[empty].used = 1;
      tc_cache_held += h->cap;
      h = NULL;
      break;
    }
    if (oldest < 0) break; /* cannot happen: h->cap <= the bound */
    tc_cache_evict(oldest, &drop[ndrop++]);
  }
  tc_cache_unlock();
  if (h != NULL) free(h);
  while (ndrop > 0) free(drop[--ndrop]);
}

size_t tc_cache_trim(tc_cache_drop_t *drop) {
  size_t left;
  drop->n = 0;
  tc_cache_lock();
  for (int i = 0; i < TC_CACHE_SLOTS; i++) {
    tc_cache_hdr_t *h;
    if (tc_cache_slots[i].buf == NULL) continue;
    if (tc_cache_slots[i].used) {
      tc_cache_slots[i].used = 0;
    } else {
      tc_cache_evict(i, &h);
      drop->bufs[drop->n++] = h;
    }
  }
  left = tc_cache_held;
  tc_cache_unlock();
  return left;
}

void tc_cache_drop_free(tc_cache_drop_t *drop) {
  while (drop->n > 0) free(drop->bufs[--drop->n]);
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
