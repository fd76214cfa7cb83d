/* Jobs split into parts (tc_begin, tc_run_part, tc_next): the same bits as
 * the whole job for any number of parts, with the parts run in turn and,
 * natively, on threads of their own; what plan() says about parts; and
 * what a cancel at each phase leaves. */
#include <math.h>

#ifndef __EMSCRIPTEN__
#include <pthread.h>
#endif

#include "../../core/tc_internal.h"
#include "harness.h"
#include "ref.h"

static const size_t part_counts[] = {2, 3, 4, 7};

/* A copy of job with its own output and scratch for the given parts. */
typedef struct {
  tc_job job;
  tc_plan_t plan;
} split_job;

static void prepare(split_job *sj, const tc_job *src, size_t parts) {
  sj->job = *src;
  sj->job.parts = parts;
  CHECK_STATUS(tc_plan(&sj->job, &sj->plan), TC_OK);
  sj->job.out = tct_xmalloc(sj->plan.out_len ? sj->plan.out_len : 1);
  sj->job.out_len = sj->plan.out_len;
  sj->job.scratch =
      tct_xmalloc(sj->plan.scratch_len ? sj->plan.scratch_len : 1);
  sj->job.scratch_len = sj->plan.scratch_len;
}

static void release(split_job *sj) {
  free(sj->job.out);
  free(sj->job.scratch);
}

#ifndef __EMSCRIPTEN__
typedef struct {
  tc_job *job;
  size_t part;
} part_arg;

static void *run_part_thread(void *arg) {
  part_arg *a = arg;
  tc_run_part(a->job, a->part);
  return NULL;
}

/* The phases with every part of one on a thread of its own, at once. */
static tc_status run_threads(tc_job *job, size_t parts) {
  pthread_t th[TC_MAX_PARTS];
  part_arg args[TC_MAX_PARTS];
  tc_status st = tc_begin(job);
  while (st == TC_PENDING) {
    for (size_t p = 0; p < parts; p++) {
      args[p].job = job;
      args[p].part = p;
      if (pthread_create(&th[p], NULL, run_part_thread, &args[p]) != 0) {
        CHECK(0, "pthread_create");
        return TC_ENOMEM;
      }
    }
    for (size_t p = 0; p < parts; p++) pthread_join(th[p], NULL);
    st = tc_next(job);
  }
  return st;
}
#endif

/* The job whole, then in every count of parts, in turn and on threads:
 * status and output byte for byte the same. min_parts: how many parts a
 * request of 2 or more must give at least. */
static void check_split(const tc_job *src, size_t min_parts, const char *what) {
  split_job whole, sj;
  prepare(&whole, src, 1);
  CHECK(whole.plan.parts == 1, "%s: whole plan has %zu parts", what,
        whole.plan.parts);
  tc_status want = tc_run(&whole.job);
  for (size_t i = 0; i < sizeof part_counts / sizeof *part_counts; i++) {
    size_t parts = part_counts[i];
    prepare(&sj, src, parts);
    CHECK(sj.plan.parts <= parts, "%s: %zu parts for a request of %zu", what,
          sj.plan.parts, parts);
    CHECK(sj.plan.parts >= (min_parts < parts ? min_parts : parts),
          "%s: only %zu parts for a request of %zu", what, sj.plan.parts,
          parts);
    CHECK_STATUS(tc_run(&sj.job), want);
    CHECK(sj.job.status == (int32_t)want, "%s: status word %d", what,
          sj.job.status);
    CHECK(memcmp(sj.job.out, whole.job.out, whole.plan.out_len) == 0,
          "%s: %zu parts in turn differ from the whole job", what, parts);
    release(&sj);
#ifndef __EMSCRIPTEN__
    prepare(&sj, src, parts);
    CHECK_STATUS(run_threads(&sj.job, sj.plan.parts), want);
    CHECK(memcmp(sj.job.out, whole.job.out, whole.plan.out_len) == 0,
          "%s: %zu parts on threads differ from the whole job", what, parts);
    release(&sj);
#endif
  }
  release(&whole);
}

static double rand_f64(tct_rng *r) {
  double u = (double)(tct_next(r) >> 11) / 9007199254740992.0;
  return ldexp(u - 0.5, (int)tct_below(r, 40) - 20);
}

void test_split_stats(void) {
  /* 3.5 blocks of 1 MiB, with the cases that search after a chunk: NaN
   * and zero signs, an infinity; and data whose sum overflows. */
  size_t n = 131072 * 3 + 65536 + 17;
  double *x = tct_xmalloc(n * sizeof *x);
  tct_rng r = {7};
  tc_job job;
  for (int round = 0; round < 5; round++) {
    for (size_t i = 0; i < n; i++) x[i] = rand_f64(&r) + 10.0;
    if (round == 1) {
      /* Zeros of both signs at the minimum, the -0 in the last block. */
      for (size_t i = 0; i < n; i++) x[i] = i % 3 ? x[i] : 0.0;
      x[n - 3] = -0.0;
    }
    if (round == 2) x[300001] = NAN, x[5] = INFINITY;
    /* A sum that overflows, then squared deviations that do: both take
     * another pass over the data (a phase of its own). */
    if (round == 3)
      for (size_t i = 0; i < n; i++) x[i] = (i % 2 ? 1.7e308 : 1.6e308);
    if (round == 4)
      for (size_t i = 0; i < n; i++) x[i] = (i % 2 ? 1e308 : -1e308);
    tc_job_init(&job);
    job.kernel = TC_KERNEL_STATS;
    job.dtype = TC_DTYPE_F64;
    job.in = x;
    job.in_len = n * sizeof *x;
    check_split(&job, 4, "stats");
  }
  /* Under a block: one part, whatever the request. */
  split_job sj;
  job.in_len = 1000 * sizeof *x;
  prepare(&sj, &job, 4);
  CHECK(sj.plan.parts == 1, "stats of 1000: %zu parts", sj.plan.parts);
  release(&sj);
  free(x);
}

void test_split_matmul(void) {
  static const size_t shapes[][3] = {{100, 70, 50}, {24, 3, 5}, {97, 300, 31}};
  tct_rng r = {9};
  for (size_t s = 0; s < sizeof shapes / sizeof *shapes; s++) {
    size_t m = shapes[s][0], k = shapes[s][1], n = shapes[s][2];
    float *a = tct_xmalloc(m * k * 4), *b = tct_xmalloc(k * n * 4);
    tc_job job;
    for (size_t i = 0; i < m * k; i++) a[i] = (float)rand_f64(&r);
    for (size_t i = 0; i < k * n; i++) b[i] = (float)rand_f64(&r);
    tct_matmul_job(&job, a, b, m, k, n);
    check_split(&job, (m + 23) / 24, "matmul");
    free(a);
    free(b);
  }
}

/* Sort inputs that take every way through the split: random keys, keys
 * that share their top digits (counted again lower down), all equal,
 * one huge bucket (floats: split on 16 bits in runs), values of one scale
 * (floats: the same, their top digit crowded by the exponent), small keys
 * but for the last one, which differs from them in the top bit, and NaNs
 * and zeros of both signs. */
static void fill_sort(int dtype, void *out, size_t n, int pattern, tct_rng *r) {
  size_t w = tc_dtype_size(dtype);
  for (size_t i = 0; i < n; i++) {
    uint64_t v = tct_next(r);
    if (pattern == 1) v = 0x4000000000000000ull | (v & 0xFFFFFF);
    if (pattern == 2) v = 12345;
    if (pattern == 3)
      v = i % 1000 == 0 ? v : 0x3FF0000000000000ull + (v & 0xFF);
    if (pattern == 5) v = i + 1 == n ? 0xC000000000000000ull : v & 0xFF;
    if (pattern == 4) {
      double x = ((double)(v >> 11) * 0x1p-53 - 0.5) * 1e6;
      float f = (float)x;
      uint32_t u;
      memcpy(&u, &f, 4);
      memcpy(&v, &x, 8);
      if (w == 4) v = dtype == TC_DTYPE_F32 ? u : (uint32_t)(int32_t)x;
    }
    if (w == 4) {
      uint32_t u = (uint32_t)(pattern == 1   ? (v & 0xFFFFF) | 0x40000000u
                              : pattern == 3 ? (uint32_t)(v >> 32) % 7u
                              : pattern == 5 ? (uint32_t)(v >> 32) | (uint32_t)v
                                             : (uint32_t)v);
      if (pattern == 2) u = 12345;
      memcpy((char *)out + i * 4, &u, 4);
    } else {
      if (pattern != 5 && i % 4999 == 1) v = 0x7FF8000000000001ull; /* NaN */
      if (pattern != 5 && i % 5003 == 2) v = 0x8000000000000000ull; /* -0 */
      memcpy((char *)out + i * 8, &v, 8);
    }
  }
}

void test_split_sort(void) {
  static const int dtypes[] = {TC_DTYPE_F64, TC_DTYPE_F32, TC_DTYPE_I32,
                               TC_DTYPE_U32};
  size_t n = ((size_t)1 << 18) + 4099;
  tct_rng r = {11};
  void *in = tct_xmalloc(n * 8);
  for (size_t d = 0; d < 4; d++) {
    for (int pattern = 0; pattern < 6; pattern++) {
      tc_job job;
      char what[64];
      fill_sort(dtypes[d], in, n, pattern, &r);
      tc_job_init(&job);
      job.kernel = TC_KERNEL_SORT;
      job.dtype = dtypes[d];
      job.in = in;
      job.in_len = n * tc_dtype_size(dtypes[d]);
      snprintf(what, sizeof what, "sort dtype %d pattern %d", dtypes[d],
               pattern);
      check_split(&job, 4, what);
      /* The whole job, which the parts matched, against the reference. */
      {
        void *out = NULL, *want = tct_xmalloc(job.in_len);
        memcpy(want, in, job.in_len);
        tct_ref_sort(dtypes[d], want, n);
        CHECK_STATUS(tct_run(&job, &out), TC_OK);
        CHECK(out && memcmp(out, want, job.in_len) == 0,
              "%s: not the reference's order", what);
        free(out);
        free(want);
      }
    }
  }
  /* Below 2^18 elements a sort runs whole. */
  {
    split_job sj;
    tc_job job;
    tc_job_init(&job);
    job.kernel = TC_KERNEL_SORT;
    job.dtype = TC_DTYPE_U32;
    job.in = in;
    job.in_len = 1000 * 4;
    prepare(&sj, &job, 4);
    CHECK(sj.plan.parts == 1, "sort of 1000: %zu parts", sj.plan.parts);
    release(&sj);
  }
  free(in);
}

void test_split_plan(void) {
  uint8_t buf[64] = {0};
  tc_job job;
  tc_plan_t plan, whole;
  /* sha256 never splits. */
  tc_job_init(&job);
  job.kernel = TC_KERNEL_SHA256;
  job.in = buf;
  job.in_len = sizeof buf;
  job.parts = 8;
  CHECK_STATUS(tc_plan(&job, &plan), TC_OK);
  CHECK(plan.parts == 1, "sha256: %zu parts", plan.parts);
  /* A request above TC_MAX_PARTS is capped; a split needs more scratch. */
  size_t n = (size_t)131072 * 100;
  tc_job_init(&job);
  job.kernel = TC_KERNEL_STATS;
  job.dtype = TC_DTYPE_F64;
  job.in_len = n * 8;
  CHECK_STATUS(tc_plan(&job, &whole), TC_OK);
  job.parts = 1000;
  CHECK_STATUS(tc_plan(&job, &plan), TC_OK);
  CHECK(plan.parts == TC_MAX_PARTS, "stats: %zu parts", plan.parts);
  CHECK(plan.scratch_len > whole.scratch_len, "split scratch %zu <= %zu",
        plan.scratch_len, whole.scratch_len);
  /* Too little scratch for the split is refused, as for any job. */
  job.in = tct_xmalloc(job.in_len);
  job.out = tct_xmalloc(sizeof(tc_stats_t));
  job.out_len = sizeof(tc_stats_t);
  job.scratch = tct_xmalloc(plan.scratch_len);
  job.scratch_len = plan.scratch_len - 1;
  CHECK_STATUS(tc_begin(&job), TC_ESCRATCH);
  CHECK(job.status == TC_ESCRATCH, "status word %d", job.status);
  free((void *)job.in);
  free(job.out);
  free(job.scratch);
}

/* How tc__part_range() cuts n items into parts of whole units: the parts
 * follow each other from 0 to n, none empty while there are units enough,
 * each starting on a unit, no two more than a unit apart; the units left
 * over go to the last parts, so that the short last unit evens them out
 * (1024 matmul rows in bands of 24: 504 and 520). */
void test_split_ranges(void) {
  static const size_t ns[] = {
      0,       1,    23,   24,   25,   48,       97,
      100,     1000, 1024, 4099, 9999, 1u << 16, 3u << 16 | 5u,
      1u << 24};
  static const size_t units[] = {1, 7, 24, 65536};
  size_t first, end;
  for (size_t i = 0; i < sizeof ns / sizeof *ns; i++)
    for (size_t u = 0; u < sizeof units / sizeof *units; u++)
      for (size_t parts = 1; parts <= TC_MAX_PARTS; parts++) {
        size_t n = ns[i], unit = units[u], have = (n + unit - 1) / unit;
        size_t at = 0, most = 0, least = SIZE_MAX;
        /* More parts than units: contiguous still, the first ones
         * empty. */
        int spare = parts > have;
        for (size_t p = 0; p < parts; p++) {
          tc__part_range(n, unit, parts, p, &first, &end);
          CHECK(first == at && end >= first && first % unit == 0,
                "n %zu unit %zu parts %zu: part %zu is [%zu, %zu) after %zu", n,
                unit, parts, p, first, end, at);
          CHECK(n == 0 || spare || end > first,
                "n %zu unit %zu parts %zu: part %zu empty", n, unit, parts, p);
          at = end;
          if (end - first > most) most = end - first;
          if (end - first < least) least = end - first;
        }
        CHECK(at == n, "n %zu unit %zu parts %zu: ends at %zu", n, unit, parts,
              at);
        CHECK(spare || most - least <= unit,
              "n %zu unit %zu parts %zu: %zu to %zu", n, unit, parts, least,
              most);
      }
  tc__part_range(1024, 24, 2, 0, &first, &end);
  CHECK(first == 0 && end == 504, "[%zu, %zu)", first, end);
  tc__part_range(1024, 24, 2, 1, &first, &end);
  CHECK(first == 504 && end == 1024, "[%zu, %zu)", first, end);
  /* 10 units of 24 (the last one 16 rows) in 4 parts: 2, 2, 3, 3. */
  tc__part_range(232, 24, 4, 1, &first, &end);
  CHECK(first == 48 && end == 96, "[%zu, %zu)", first, end);
  tc__part_range(232, 24, 4, 2, &first, &end);
  CHECK(first == 96 && end == 168, "[%zu, %zu)", first, end);
  tc__part_range(232, 24, 4, 3, &first, &end);
  CHECK(first == 168 && end == 232, "[%zu, %zu)", first, end);
}

/* A sort in place in 4 parts, cancelled before each phase in turn: it
 * ends TC_CANCELED holding a permutation of its input. uint32 keys take
 * three phases (count, scatter, buckets); float64 values of one scale
 * four (count, count on 16 bits, scatter, buckets). */
void test_split_cancel(void) {
  size_t n = ((size_t)1 << 18) + 77;
  tct_rng r = {13};
  char *in = tct_xmalloc(n * 8), *want = tct_xmalloc(n * 8);
  for (int wide = 0; wide < 2; wide++) {
    int dtype = wide ? TC_DTYPE_F64 : TC_DTYPE_U32, phases = wide ? 4 : 3;
    size_t bytes = n * tc_dtype_size(dtype);
    for (int at = 0; at <= phases; at++) {
      split_job sj;
      tc_job job;
      int phase = 0;
      tc_status st;
      fill_sort(dtype, in, n, wide ? 4 : 0, &r);
      memcpy(want, in, bytes);
      tct_ref_sort(dtype, want, n);
      tc_job_init(&job);
      job.kernel = TC_KERNEL_SORT;
      job.dtype = dtype;
      job.in_len = bytes;
      prepare(&sj, &job, 4);
      memcpy(sj.job.out, in, bytes);
      sj.job.in = sj.job.out; /* in place */
      st = tc_begin(&sj.job);
      while (st == TC_PENDING) {
        if (phase++ == at) tc_job_cancel(&sj.job);
        for (size_t p = 0; p < sj.plan.parts; p++) tc_run_part(&sj.job, p);
        st = tc_next(&sj.job);
      }
      CHECK(phase == (at < phases ? at + 1 : phases), "dtype %d: %d phases",
            dtype, phase);
      CHECK_STATUS(st, at < phases ? TC_CANCELED : TC_OK);
      tct_ref_sort(dtype, sj.job.out, n);
      CHECK(memcmp(sj.job.out, want, bytes) == 0,
            "dtype %d, cancel before phase %d: not a permutation of the input",
            dtype, at);
      release(&sj);
    }
  }
  free(in);
  free(want);
}
