/* A lock, a condition variable, a yield and a clock for the binding, on
 * POSIX threads or Windows: the buffer cache (cache.c) and each
 * environment's job queue (addon.c) are shared between the JS thread and
 * the threadpool. */
#ifndef TC_NATIVE_SYNC_H
#define TC_NATIVE_SYNC_H

#if !defined(_WIN32) && !defined(_POSIX_C_SOURCE)
#define _POSIX_C_SOURCE 200809L
#endif
/* With _POSIX_C_SOURCE, macOS hides its own extensions, such as
 * pthread_cond_timedwait_relative_np() below. */
#if defined(__APPLE__) && !defined(_DARWIN_C_SOURCE)
#define _DARWIN_C_SOURCE 1
#endif

#include <stdint.h>
#ifdef _WIN32
#include <windows.h>
#else
#include <pthread.h>
#include <sched.h>
#include <time.h>
#endif

#ifdef _WIN32
typedef SRWLOCK tc_lock_t;
#define TC_LOCK_INIT SRWLOCK_INIT
static inline void tc_lock_init(tc_lock_t *l) {
  InitializeSRWLock(l);
}
static inline void tc_lock_destroy(tc_lock_t *l) {
  (void)l;
}
static inline void tc_lock(tc_lock_t *l) {
  AcquireSRWLockExclusive(l);
}
static inline void tc_unlock(tc_lock_t *l) {
  ReleaseSRWLockExclusive(l);
}
typedef CONDITION_VARIABLE tc_cond_t;
static inline void tc_cond_init(tc_cond_t *c) {
  InitializeConditionVariable(c);
}
static inline void tc_cond_destroy(tc_cond_t *c) {
  (void)c;
}
/* Wait for a broadcast, for ns at most (rounded up to a millisecond), or
 * wake for no reason: check again. l is held. */
static inline void tc_cond_wait_ns(tc_cond_t *c, tc_lock_t *l, uint64_t ns) {
  SleepConditionVariableSRW(c, l, (DWORD)((ns + 999999u) / 1000000u), 0);
}
static inline void tc_cond_broadcast(tc_cond_t *c) {
  WakeAllConditionVariable(c);
}
#else
typedef pthread_mutex_t tc_lock_t;
#define TC_LOCK_INIT PTHREAD_MUTEX_INITIALIZER
static inline void tc_lock_init(tc_lock_t *l) {
  pthread_mutex_init(l, NULL);
}
static inline void tc_lock_destroy(tc_lock_t *l) {
  pthread_mutex_destroy(l);
}
static inline void tc_lock(tc_lock_t *l) {
  pthread_mutex_lock(l);
}
static inline void tc_unlock(tc_lock_t *l) {
  pthread_mutex_unlock(l);
}
typedef pthread_cond_t tc_cond_t;
/* Timed waits count on the monotonic clock where it can be chosen (a
 * wall clock set back would stretch them), on their own on macOS. */
static inline void tc_cond_init(tc_cond_t *c) {
#ifdef __APPLE__
  pthread_cond_init(c, NULL);
#else
  pthread_condattr_t a;
  pthread_condattr_init(&a);
  pthread_condattr_setclock(&a, CLOCK_MONOTONIC);
  pthread_cond_init(c, &a);
  pthread_condattr_destroy(&a);
#endif
}
static inline void tc_cond_destroy(tc_cond_t *c) {
  pthread_cond_destroy(c);
}
/* Wait for a broadcast, for ns at most, or wake for no reason: check
 * again. l is held. */
static inline void tc_cond_wait_ns(tc_cond_t *c, tc_lock_t *l, uint64_t ns) {
  struct timespec ts;
#ifdef __APPLE__
  ts.tv_sec = (time_t)(ns / 1000000000u);
  ts.tv_nsec = (long)(ns % 1000000000u);
  pthread_cond_timedwait_relative_np(c, l, &ts);
#else
  clock_gettime(CLOCK_MONOTONIC, &ts);
  ts.tv_sec += (time_t)(ns / 1000000000u);
  ts.tv_nsec += (long)(ns % 1000000000u);
  if (ts.tv_nsec >= 1000000000L) {
    ts.tv_sec++;
    ts.tv_nsec -= 1000000000L;
  }
  pthread_cond_timedwait(c, l, &ts);
#endif
}
static inline void tc_cond_broadcast(tc_cond_t *c) {
  pthread_cond_broadcast(c);
}
#endif

/* Give the CPU to another thread that is ready to run on it, if any: a
 * thread that waits by polling must not keep the one it waits for (which
 * the scheduler may have put on the same CPU) from running. */
static inline void tc_yield(void) {
#ifdef _WIN32
  SwitchToThread();
#else
  sched_yield();
#endif
}

/* A monotonic clock in nanoseconds, for measuring spans only. */
static inline uint64_t tc_now_ns(void) {
#ifdef _WIN32
  LARGE_INTEGER f, t;
  QueryPerformanceFrequency(&f);
  QueryPerformanceCounter(&t);
  return (uint64_t)((double)t.QuadPart * 1e9 / (double)f.QuadPart);
#else
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
#endif
}

#endif
