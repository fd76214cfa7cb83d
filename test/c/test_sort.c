/* sort: every dtype, in place and out of place, against qsort() with a
 * comparator that spells out TypedArray.prototype.sort()'s order: numeric,
 * -0 before +0, NaN last. NaNs compare by their bits so that the reference
 * is a total order; the kernel must keep every NaN's bits. */
#include <math.h>

#ifndef __EMSCRIPTEN__
#include <pthread.h>
#include <time.h>
#endif

#include "harness.h"
#include "ref.h"

static const int dtypes[] = {TC_DTYPE_F64, TC_DTYPE_F32, TC_DTYPE_I32,
                             TC_DTYPE_U32};

/* The result against the reference, byte for byte: the order and every
 * bit, NaNs in the order the README gives them included. */
static void check_sorted(int dtype, const void *in, size_t n, int in_place,
                         const char *what) {
  size_t width = tc_dtype_size(dtype), bytes = n * width;
  void *want = tct_xmalloc(bytes);
  void *got = NULL;
  tc_job job;
  tc_status st;
  memcpy(want, in, bytes);
  tct_ref_sort(dtype, want, n);
  tc_job_init(&job);
  job.kernel = TC_KERNEL_SORT;
  job.dtype = dtype;
  job.in_len = bytes;
  if (in_place) {
    tc_plan_t plan;
    got = tct_xmalloc(bytes);
    memcpy(got, in, bytes);
    job.in = job.out = got;
    job.out_len = bytes;
    tc_plan(&job, &plan);
    job.scratch = tct_xmalloc(plan.scratch_len);
    job.scratch_len = plan.scratch_len;
    st = tc_run(&job);
    free(job.scratch);
  } else {
    job.in = in;
    st = tct_run(&job, &got);
  }
  CHECK_STATUS(st, TC_OK);
  CHECK(got && memcmp(got, want, bytes) == 0, "%s: dtype %d n %zu %s", what,
        dtype, n, in_place ? "in place" : "out of place");
  free(want);
  free(got);
}

/* Fill n elements of dtype from a list of 64-bit patterns. */
static void fill(int dtype, void *out, size_t n, tct_rng *r,
                 uint64_t (*gen)(int dtype, tct_rng *r, size_t i)) {
  for (size_t i = 0; i < n; i++) {
    uint64_t v = gen(dtype, r, i);
    if (tc_dtype_size(dtype) == 8) {
      memcpy((uint8_t *)out + 8 * i, &v, 8);
    } else {
      uint32_t w = (uint32_t)v;
      memcpy((uint8_t *)out + 4 * i, &w, 4);
    }
  }
}

static uint64_t gen_random_bits(int dtype, tct_rng *r, size_t i) {
  (void)dtype;
  (void)i;
  return tct_next(r);
}

/* Specials of each type, mixed with random values. */
static uint64_t gen_specials(int dtype, tct_rng *r, size_t i) {
  static const uint64_t f64[] = {
      0x0000000000000000ull, 0x8000000000000000ull, /* +0, -0 */
      0x7FF0000000000000ull, 0xFFF0000000000000ull, /* +Inf, -Inf */
      0x7FF8000000000000ull, 0xFFF8000000000000ull, /* NaN, -NaN */
      0x7FF0000000000001ull, 0xFFFFFFFFFFFFFFFFull, /* sNaN, NaN payload */
      0x0000000000000001ull, 0x8000000000000001ull, /* denormals */
      0x7FEFFFFFFFFFFFFFull, 0xFFEFFFFFFFFFFFFFull, /* +-max */
      0x3FF0000000000000ull, 0xBFF0000000000000ull};
  static const uint32_t f32[] = {
      0x00000000, 0x80000000, 0x7F800000, 0xFF800000, 0x7FC00000, 0xFFC00000,
      0x7F800001, 0xFFFFFFFF, 0x00000001, 0x80000001, 0x7F7FFFFF, 0xFF7FFFFF};
  static const uint32_t i32[] = {0x80000000, 0x7FFFFFFF, 0,
                                 0xFFFFFFFF, 1,          0x80000001};
  static const uint32_t u32[] = {0, 0xFFFFFFFF, 0x80000000, 0x7FFFFFFF, 1};
  uint64_t pick = tct_next(r);
  (void)i;
  if (pick % 3 == 0) return tct_next(r);
  pick >>= 8;
  switch (dtype) {
    case TC_DTYPE_F64:
      return f64[pick % (sizeof f64 / sizeof *f64)];
    case TC_DTYPE_F32:
      return f32[pick % (sizeof f32 / sizeof *f32)];
    case TC_DTYPE_I32:
      return i32[pick % (sizeof i32 / sizeof *i32)];
    default:
      return u32[pick % (sizeof u32 / sizeof *u32)];
  }
}

/* Small numbers, so that high digits are all equal and passes skip. */
static uint64_t gen_small(int dtype, tct_rng *r, size_t i) {
  uint64_t v = tct_below(r, 1000);
  (void)i;
  if (dtype == TC_DTYPE_F64) return tct_bits64((double)v - 500);
  if (dtype == TC_DTYPE_F32) return tct_bits32((float)v - 500);
  return v;
}

/* Mostly small values with a few random ones: on large inputs the top
 * digit splits off many tiny buckets. */
static uint64_t gen_sparse_top(int dtype, tct_rng *r, size_t i) {
  return i % 1000 == 0 ? tct_next(r) : gen_small(dtype, r, i);
}

/* A few hundred narrow clusters: the top digits crowd into few buckets,
 * large ones, that are split again on lower digits. */
static uint64_t gen_clustered(int dtype, tct_rng *r, size_t i) {
  uint64_t c = tct_below(r, 300) * 0x9E3779B97F4A7C15ull;
  (void)i;
  if (dtype == TC_DTYPE_F64)
    return tct_bits64((double)(c >> 44) - 5e5 +
                      (double)tct_below(r, 1000) * 1e-6);
  if (dtype == TC_DTYPE_F32)
    return tct_bits32((float)(c >> 50) - 5e3f +
                      (float)tct_below(r, 1000) * 1e-3f);
  return (c >> 32) + tct_below(r, 4096);
}

/* Values of one scale, spread evenly over +-5e5 (floats: a few exponents
 * crowd the top digit into four buckets, two of them with 37% of the keys
 * each, so that the sort splits on 16 bits in runs; tc__wide_cut), with a
 * NaN, an infinity and a -0 now and then. Integers: the same range. */
static uint64_t gen_one_scale(int dtype, tct_rng *r, size_t i) {
  double x = ((double)(tct_next(r) >> 11) * 0x1p-53 - 0.5) * 1e6;
  if (i % 7919 == 3) x = NAN;
  if (i % 7919 == 5) x = i % 2 ? INFINITY : -INFINITY;
  if (i % 7919 == 7) x = -0.0;
  if (dtype == TC_DTYPE_F64) return tct_bits64(x);
  if (dtype == TC_DTYPE_F32) return tct_bits32((float)x);
  return (uint64_t)(uint32_t)(int32_t)(isfinite(x) ? x : 0);
}

/* A few dozen clusters of doubles spread evenly over +-1 around centres
 * in +-5e5: a cluster's keys vary over their low 36 bits, so once split
 * off they fall into ranges of a few thousand keys above the low three
 * digits, which end in tc__tail(). Other types take gen_clustered(). */
static uint64_t gen_narrow_clusters(int dtype, tct_rng *r, size_t i) {
  uint64_t c = tct_below(r, 32) * 0x9E3779B97F4A7C15ull;
  if (dtype != TC_DTYPE_F64) return gen_clustered(dtype, r, i);
  return tct_bits64((double)(c >> 44) - 5e5 +
                    (double)(tct_next(r) >> 11) * 0x1p-52 - 1.0);
}

/* Keys that differ only in their low five bits (values of one sign and
 * exponent, for floats): on large inputs the sort counts again on the low
 * digit, which holds every bit that varies. */
static uint64_t gen_low_bits(int dtype, tct_rng *r, size_t i) {
  uint64_t v = tct_below(r, 24);
  (void)i;
  if (dtype == TC_DTYPE_F64) return 0x3FF0000000000000ull | v;
  if (dtype == TC_DTYPE_F32) return 0x3F800000u | v;
  return v;
}

/* Keys that vary over their low 26 bits (floats: positive values of one
 * exponent, varying over the low 26 or 20 bits). Integer keys differ in
 * two bits of their top digit: its four large buckets would have to be
 * split again, and the sort counts again below the highest bit that
 * varies. Float keys share their top digit and are counted again there. */
static uint64_t gen_wide_low(int dtype, tct_rng *r, size_t i) {
  uint64_t v = tct_next(r) >> 38;
  (void)i;
  if (dtype == TC_DTYPE_F64) return 0x4000000000000000ull | v;
  if (dtype == TC_DTYPE_F32) return 0x40000000u | (v >> 6);
  return v;
}

/* 64-bit keys in 64 buckets of a split on bits 30-37, each of which fits
 * the leaf and varies over its low 20 bits only, but for the input's last
 * key, in the last bucket, which differs from the rest of it at bit 26: a
 * sample of the bucket's keys (tc__range) says it fits the leaf, a look at
 * every key says otherwise. last_at: the input's length. Other types take
 * gen_small(). */
static size_t last_at;
static uint64_t gen_bucket_outlier(int dtype, tct_rng *r, size_t i) {
  if (dtype != TC_DTYPE_F64) return gen_small(dtype, r, i);
  if (i + 1 == last_at) return (uint64_t)63 << 32 | (uint64_t)1 << 26;
  return (uint64_t)(i % 64) << 32 | tct_below(r, 1 << 20);
}

/* Small numbers but for the input's last key, which differs from them in
 * the top bit: alone in its bucket of the first split, which a sample of
 * the keys would put further down. last_at: the input's length. */
static uint64_t gen_last_large(int dtype, tct_rng *r, size_t i) {
  if (i + 1 < last_at) return gen_small(dtype, r, i);
  return dtype == TC_DTYPE_F64 ? tct_bits64(-1e300) : 0xC0000000u;
}

static uint64_t gen_equal(int dtype, tct_rng *r, size_t i) {
  (void)r;
  (void)i;
  return dtype == TC_DTYPE_F64 ? tct_bits64(-2.5) : 0xC0200000u;
}

static uint64_t gen_ascending(int dtype, tct_rng *r, size_t i) {
  (void)r;
  if (dtype == TC_DTYPE_F64) return tct_bits64((double)i - 1e5);
  if (dtype == TC_DTYPE_F32) return tct_bits32((float)i - 1e5f);
  return (uint64_t)i;
}

static uint64_t gen_descending(int dtype, tct_rng *r, size_t i) {
  (void)r;
  if (dtype == TC_DTYPE_F64) return tct_bits64(1e5 - (double)i);
  if (dtype == TC_DTYPE_F32) return tct_bits32(1e5f - (float)i);
  return (uint64_t)(0xFFFFFFFFu - i);
}

static void check_gen(const size_t *sizes, size_t count,
                      uint64_t (*gen)(int, tct_rng *, size_t), const char *what,
                      uint64_t seed) {
  tct_rng r = {seed};
  for (size_t c = 0; c < count; c++) {
    for (size_t d = 0; d < sizeof dtypes / sizeof *dtypes; d++) {
      size_t n = sizes[c];
      void *x = tct_xmalloc(n * 8);
      fill(dtypes[d], x, n, &r, gen);
      check_sorted(dtypes[d], x, n, 0, what);
      check_sorted(dtypes[d], x, n, 1, what);
      free(x);
    }
  }
}

void test_sort_known_answers(void) {
  double f[] = {3, -1, NAN, -0.0, 0.0, -INFINITY, 2.5, INFINITY, -0.0, 1};
  double fw[] = {-INFINITY, -1, -0.0, -0.0, 0.0, 1, 2.5, 3, INFINITY, NAN};
  int32_t i[] = {5, INT32_MIN, -1, INT32_MAX, 0, -1};
  int32_t iw[] = {INT32_MIN, -1, -1, 0, 5, INT32_MAX};
  uint32_t u[] = {UINT32_MAX, 0, 0x80000000u, 7, 0x7FFFFFFFu};
  uint32_t uw[] = {0, 7, 0x7FFFFFFFu, 0x80000000u, UINT32_MAX};
  void *out;
  tc_job job;

  tc_job_init(&job);
  job.kernel = TC_KERNEL_SORT;
  job.dtype = TC_DTYPE_F64;
  job.in = f;
  job.in_len = sizeof f;
  CHECK_STATUS(tct_run(&job, &out), TC_OK);
  CHECK(out && memcmp(out, fw, sizeof fw - 8) == 0 && isnan(((double *)out)[9]),
        "float64 specials");
  free(out);
  tc_job_init(&job);
  job.kernel = TC_KERNEL_SORT;
  job.dtype = TC_DTYPE_I32;
  job.in = i;
  job.in_len = sizeof i;
  CHECK_STATUS(tct_run(&job, &out), TC_OK);
  CHECK(out && memcmp(out, iw, sizeof iw) == 0, "int32 extremes");
  free(out);
  tc_job_init(&job);
  job.kernel = TC_KERNEL_SORT;
  job.dtype = TC_DTYPE_U32;
  job.in = u;
  job.in_len = sizeof u;
  CHECK_STATUS(tct_run(&job, &out), TC_OK);
  CHECK(out && memcmp(out, uw, sizeof uw) == 0, "uint32 extremes");
  free(out);
  /* Empty input: nothing to do, no pointer needed. */
  tc_job_init(&job);
  job.kernel = TC_KERNEL_SORT;
  job.dtype = TC_DTYPE_F32;
  CHECK_STATUS(tct_run(&job, &out), TC_OK);
  free(out);
}

void test_sort_special_values(void) {
  size_t sizes[] = {2, 17, 64, 65, 1000, 70000};
  check_gen(sizes, sizeof sizes / sizeof *sizes, gen_specials, "specials", 5);
}

void test_sort_random_vs_ref(void) {
  /* 300001 and up split on the top digit first; 2^20 + 5 also sorts its
   * buckets by LSD passes (32-bit) or splits them again (64-bit). */
  size_t sizes[] = {0,
                    1,
                    2,
                    3,
                    63,
                    64,
                    65,
                    127,
                    1000,
                    65535,
                    65537,
                    300001,
                    ((size_t)1 << 20) + 5};
  check_gen(sizes, sizeof sizes / sizeof *sizes, gen_random_bits, "random", 6);
}

void test_sort_patterns(void) {
  /* 300007 takes the path that first splits on the top digit. */
  size_t sizes[] = {5, 100, 4097, 200000, 300007};
  check_gen(sizes, 5, gen_small, "small values", 7);
  check_gen(sizes, 5, gen_sparse_top, "sparse top digit", 15);
  check_gen(sizes, 5, gen_low_bits, "low bits", 20);
  check_gen(sizes, 5, gen_equal, "all equal", 8);
  check_gen(sizes, 5, gen_ascending, "ascending", 9);
  check_gen(sizes, 5, gen_descending, "descending", 10);
  /* Large inputs whose buckets are uneven: constant top digits, buckets
   * larger than the cache split again (staged lines), crowded small
   * ranges, runs of equal keys. */
  {
    size_t big[] = {((size_t)1 << 20) + 3};
    check_gen(big, 1, gen_small, "small values", 16);
    check_gen(big, 1, gen_sparse_top, "sparse top digit", 17);
    check_gen(big, 1, gen_clustered, "clustered", 18);
    check_gen(big, 1, gen_narrow_clusters, "narrow clusters", 19);
    check_gen(big, 1, gen_low_bits, "low bits", 21);
    check_gen(big, 1, gen_wide_low, "low 26 bits", 22);
    check_gen(big, 1, gen_one_scale, "one scale", 23);
    last_at = big[0];
    check_gen(big, 1, gen_last_large, "one large key last", 25);
  }
  {
    size_t n[] = {800003};
    last_at = n[0];
    check_gen(n, 1, gen_bucket_outlier, "a bucket's outlier", 24);
  }
}

#ifndef __EMSCRIPTEN__
typedef struct {
  int32_t *flag;
  long delay_ns;
} canceller;

static void *cancel_later(void *arg) {
  canceller *c = arg;
  struct timespec ts = {0, c->delay_ns};
  nanosleep(&ts, NULL);
  __atomic_store_n(c->flag, 1, __ATOMIC_RELAXED);
  return NULL;
}
#endif

#ifndef __EMSCRIPTEN__
typedef struct {
  uint64_t *words;
  size_t n;
  int stop;
} racer;

/* Writes the array over and over, runs of equal values and random ones,
 * until told to stop. */
static void *race_writes(void *arg) {
  racer *w = arg;
  tct_rng r = {21};
  for (uint64_t k = 0; !__atomic_load_n(&w->stop, __ATOMIC_RELAXED); k++) {
    uint64_t v = k % 3 == 0 ? tct_next(&r) : (k % 3 == 1 ? 0 : ~(uint64_t)0);
    for (size_t i = 0; i < w->n; i++) {
      __atomic_store_n(&w->words[i], k % 3 == 0 ? tct_next(&r) : v,
                       __ATOMIC_RELAXED);
    }
  }
  return NULL;
}

/* Another thread writing the array while it is sorted in place: the
 * result is garbage, but the sort ends and writes nothing outside it. */
static void check_racing_writer(int dtype) {
  size_t n = ((size_t)1 << 20) + 7, width = tc_dtype_size(dtype);
  size_t words = n * width / 8 + 16;
  uint64_t *guarded = calloc(words + 16, 8);
  uint8_t *a = (uint8_t *)(guarded + 8);
  tct_rng r = {22};
  racer w = {(uint64_t *)(void *)a, n * width / 8, 0};
  tc_job job;
  tc_plan_t plan;
  pthread_t t;
  CHECK(guarded != NULL, "racing writer: allocation");
  if (guarded == NULL) return;
  fill(dtype, a, n, &r, gen_random_bits);
  tc_job_init(&job);
  job.kernel = TC_KERNEL_SORT;
  job.dtype = dtype;
  job.in = job.out = a;
  job.in_len = job.out_len = n * width;
  tc_plan(&job, &plan);
  job.scratch = tct_xmalloc(plan.scratch_len);
  job.scratch_len = plan.scratch_len;
  pthread_create(&t, NULL, race_writes, &w);
  for (int i = 0; i < 6; i++) {
    job.status = TC_PENDING;
    CHECK_STATUS(tc_run(&job), TC_OK);
  }
  __atomic_store_n(&w.stop, 1, __ATOMIC_RELAXED);
  pthread_join(t, NULL);
  for (size_t i = 0; i < 8; i++)
    CHECK(guarded[i] == 0, "racing writer: a write before the array");
  for (size_t i = 8 + n * width / 8 + (n * width % 8 != 0); i < words + 16; i++)
    CHECK(guarded[i] == 0, "racing writer: a write after the array");
  free(job.scratch);
  free(guarded);
}
#endif

/* A sort cancelled from another thread at any point leaves its output a
 * permutation of its input. The cancel times are fractions of an
 * uncancelled run, so every phase is hit on fast and slow (sanitized)
 * builds alike. (Native builds: the wasm tests run without threads.) */
void test_sort_cancel_midway(void) {
#ifndef __EMSCRIPTEN__
  size_t n = (size_t)1 << 20;
  const double fractions[] = {0, 0.05, 0.15, 0.3, 0.45, 0.6, 0.75, 0.9};
  tct_rng r = {11};
  double *orig = tct_xmalloc(n * 8), *data = tct_xmalloc(n * 8);
  double *out = tct_xmalloc(n * 8);
  int canceled = 0;
  tc_job job;
  tc_plan_t plan;
  struct timespec t0, t1;

  fill(TC_DTYPE_F64, orig, n, &r, gen_random_bits);
  tc_job_init(&job);
  job.kernel = TC_KERNEL_SORT;
  job.dtype = TC_DTYPE_F64;
  job.in_len = job.out_len = n * 8;
  tc_plan(&job, &plan);
  job.scratch = tct_xmalloc(plan.scratch_len);
  job.scratch_len = plan.scratch_len;
  job.in = orig;
  job.out = out;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  CHECK_STATUS(tc_run(&job), TC_OK);
  clock_gettime(CLOCK_MONOTONIC, &t1);
  double run_ns =
      (double)(t1.tv_sec - t0.tv_sec) * 1e9 + (double)(t1.tv_nsec - t0.tv_nsec);
  tct_ref_sort(TC_DTYPE_F64, orig, n);

  for (size_t f = 0; f < sizeof fractions / sizeof *fractions; f++) {
    for (int in_place = 0; in_place < 2; in_place++) {
      pthread_t t;
      memcpy(data, orig, n * 8);
      for (size_t i = n - 1; i > 0; i--) {
        size_t j = tct_below(&r, i + 1);
        double tmp = data[i];
        data[i] = data[j];
        data[j] = tmp;
      }
      job.status = TC_PENDING;
      job.cancel = 0;
      job.in = data;
      job.out = in_place ? data : out;
      canceller c = {&job.cancel, (long)(fractions[f] * run_ns)};
      pthread_create(&t, NULL, cancel_later, &c);
      tc_status st = tc_run(&job);
      pthread_join(t, NULL);
      CHECK(st == TC_OK || st == TC_CANCELED, "status %s",
            tc_status_name((int)st));
      canceled += st == TC_CANCELED;
      tct_ref_sort(TC_DTYPE_F64, job.out, n);
      CHECK(memcmp(job.out, orig, n * 8) == 0,
            "cancel at %.0f%% %s: output is not a permutation of the input",
            fractions[f] * 100, in_place ? "in place" : "out of place");
    }
  }
  CHECK(canceled >= 4, "only %d of 16 runs were cancelled", canceled);
  /* Racing writes from another thread: also a matter of the kernel's
   * bounds, checked here with the other test that needs threads. */
  check_racing_writer(TC_DTYPE_F64);
  check_racing_writer(TC_DTYPE_U32);
  free(job.scratch);
  free(orig);
  free(data);
  free(out);
#endif
}
