/* The job descriptor, tc_plan(), tc_run()'s validation, and every status a
 * bad parameter gives. Each test starts from a valid job of each kernel and
 * breaks one thing. */
#include "../../core/tc_internal.h"
#include "harness.h"

/* Buffers for one small valid job of any kernel. double members keep every
 * buffer 8-byte aligned. */
typedef struct {
  tc_job job;
  double in[64];
  double in2[64];
  double out[64];
  double scratch[4096];
} tct_fix;

static void tct_fix_init(tct_fix *f, int kernel) {
  tc_plan_t plan;
  memset(f, 0, sizeof *f);
  for (int i = 0; i < 64; i++) {
    f->in[i] = (double)(64 - i);
    f->in2[i] = (double)i;
  }
  tc_job_init(&f->job);
  f->job.kernel = kernel;
  f->job.in = f->in;
  switch (kernel) {
    case TC_KERNEL_SHA256:
      f->job.dtype = TC_DTYPE_U8;
      f->job.in_len = 100;
      break;
    case TC_KERNEL_STATS:
      f->job.dtype = TC_DTYPE_F64;
      f->job.in_len = 16 * sizeof(double);
      break;
    case TC_KERNEL_SORT:
      f->job.dtype = TC_DTYPE_F64;
      f->job.in_len = 16 * sizeof(double);
      break;
    case TC_KERNEL_MATMUL:
      f->job.dtype = TC_DTYPE_F32;
      f->job.dim[0] = f->job.dim[1] = f->job.dim[2] = 4;
      f->job.in_len = 16 * sizeof(float);
      f->job.in2 = f->in2;
      f->job.in2_len = 16 * sizeof(float);
      break;
  }
  if (tc_plan(&f->job, &plan) != TC_OK) abort();
  f->job.out = f->out;
  f->job.out_len = plan.out_len;
  f->job.scratch = plan.scratch_len ? f->scratch : NULL;
  f->job.scratch_len = plan.scratch_len;
  if (plan.scratch_len > sizeof f->scratch) abort();
}

/* Run the fixture's job and check the status it returns and stores. */
static void tct_expect(tct_fix *f, tc_status want, const char *what) {
  f->job.status = TC_PENDING;
  tc_status got = tc_run(&f->job);
  CHECK(got == want, "%s (%s): %s, expected %s", what,
        tc_kernel_name(f->job.kernel) ? tc_kernel_name(f->job.kernel) : "?",
        tc_status_name((int)got), tc_status_name((int)want));
  CHECK(f->job.status == (int32_t)got, "stored status %d differs from %d",
        f->job.status, (int)got);
}

void test_status_names(void) {
  for (int s = 0; s < TC_STATUS_COUNT; s++) {
    const char *name = tc_status_name(s), *msg = tc_strerror(s);
    CHECK(name && *name && strcmp(name, "UNKNOWN") != 0, "name of %d", s);
    CHECK(msg && *msg, "message of %d is empty", s);
    for (int t = 0; t < s; t++) {
      CHECK(strcmp(name, tc_status_name(t)) != 0, "%s twice", name);
      CHECK(strcmp(msg, tc_strerror(t)) != 0, "message of %s twice", name);
    }
  }
  CHECK(strcmp(tc_status_name(TC_OK), "OK") == 0, "OK's name");
  CHECK(strcmp(tc_status_name(TC_EALIGN), "EALIGN") == 0, "EALIGN's name");
  CHECK(strcmp(tc_status_name(-1), "UNKNOWN") == 0, "-1");
  CHECK(strcmp(tc_status_name(TC_STATUS_COUNT), "UNKNOWN") == 0, "count");
  CHECK(*tc_strerror(-1) != '\0', "message of -1 is empty");
  CHECK(*tc_strerror(999) != '\0', "message of 999 is empty");
  CHECK(strcmp(tc_kernel_name(TC_KERNEL_MATMUL), "matmul") == 0, "matmul");
  CHECK(tc_kernel_name(TC_KERNEL_COUNT) == NULL, "kernel out of range");
  CHECK(tc_dtype_size(TC_DTYPE_F64) == 8 && tc_dtype_size(TC_DTYPE_U8) == 1,
        "dtype sizes");
  CHECK(tc_dtype_size(-1) == 0 && tc_dtype_size(TC_DTYPE_COUNT) == 0,
        "dtype out of range");
}

/* The path each kernel reports is the one this CPU runs. */
void test_kernel_paths(void) {
  static const char *const known[] = {"avx512f", "avx2",   "sse2",  "neon",
                                      "simd128", "sha-ni", "scalar"};
  for (int k = 0; k < TC_KERNEL_COUNT; k++) {
    const char *path = tc_kernel_path(k);
    int found = 0;
    CHECK(path != NULL, "kernel %d has no path", k);
    if (path == NULL) continue;
    for (size_t i = 0; i < sizeof known / sizeof *known; i++)
      found |= strcmp(path, known[i]) == 0;
    CHECK(found, "kernel %d: unknown path %s", k, path);
  }
  CHECK(tc_kernel_path(-1) == NULL && tc_kernel_path(TC_KERNEL_COUNT) == NULL,
        "kernel out of range");
  CHECK(strcmp(tc_kernel_path(TC_KERNEL_SORT), "scalar") == 0, "sort");
#if defined(__EMSCRIPTEN__)
  {
    /* The simd128 module, or the scalar one (built without -msimd128). */
#if defined(__wasm_simd128__)
    const char *vec = "simd128";
#else
    const char *vec = "scalar";
#endif
    CHECK(strcmp(tc_kernel_path(TC_KERNEL_MATMUL), vec) == 0, "matmul");
    CHECK(strcmp(tc_kernel_path(TC_KERNEL_STATS), vec) == 0, "stats");
    CHECK(strcmp(tc_kernel_path(TC_KERNEL_SHA256), "scalar") == 0, "sha256");
  }
#elif defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
  {
    /* The widest this CPU has, within the TWINCORE_SIMD cap. */
    int cap = tc__simd_cap_bytes();
    const char *widest = cap == 0 ? "scalar"
                         : cap >= 64 && __builtin_cpu_supports("avx512f")
                             ? "avx512f"
                         : cap >= 32 && __builtin_cpu_supports("avx2") ? "avx2"
                                                                       : "sse2";
    CHECK(strcmp(tc_kernel_path(TC_KERNEL_MATMUL), widest) == 0, "matmul: %s",
          tc_kernel_path(TC_KERNEL_MATMUL));
    CHECK(strcmp(tc_kernel_path(TC_KERNEL_STATS), widest) == 0, "stats: %s",
          tc_kernel_path(TC_KERNEL_STATS));
    CHECK(strcmp(tc_kernel_path(TC_KERNEL_SHA256),
                 cap > 0 && __builtin_cpu_supports("sha") ? "sha-ni"
                                                          : "scalar") == 0,
          "sha256: %s", tc_kernel_path(TC_KERNEL_SHA256));
  }
#endif
}

/* TWINCORE_SIMD: the four names, anything else no cap; the cap the core
 * read is what the environment says (WebAssembly builds read none). */
void test_simd_cap(void) {
  static const char *const names[] = {"scalar", "sse2", "avx2", "avx512"};
  static const int widths[] = {0, 16, 32, 64};
  const char *env = getenv("TWINCORE_SIMD");
  const char *cap = tc_simd_cap();
  for (int i = 0; i < 4; i++)
    CHECK(tc__simd_parse(names[i]) == i, "%s", names[i]);
  CHECK(tc__simd_parse(NULL) == -1 && tc__simd_parse("") == -1 &&
            tc__simd_parse("AVX2") == -1 && tc__simd_parse("avx") == -1 &&
            tc__simd_parse("sse2 ") == -1 && tc__simd_parse("neon") == -1,
        "invalid values are no cap");
#if defined(__EMSCRIPTEN__)
  (void)env;
  (void)widths;
  CHECK(cap == NULL, "wasm: cap %s", cap);
  CHECK(tc__simd_cap_bytes() == 64, "wasm: %d bytes", tc__simd_cap_bytes());
#else
  if (tc__simd_parse(env) < 0) {
    CHECK(cap == NULL, "TWINCORE_SIMD=%s: cap %s", env ? env : "(unset)", cap);
    CHECK(tc__simd_cap_bytes() == 64, "no cap: %d bytes", tc__simd_cap_bytes());
  } else {
    CHECK(cap != NULL && strcmp(cap, env) == 0, "TWINCORE_SIMD=%s: cap %s", env,
          cap);
    CHECK(tc__simd_cap_bytes() == widths[tc__simd_parse(env)],
          "TWINCORE_SIMD=%s: %d bytes", env, tc__simd_cap_bytes());
  }
#endif
}

void test_job_init_and_plan(void) {
  tc_job job;
  tc_plan_t plan;
  memset(&job, 0xA5, sizeof job);
  tc_job_init(&job);
  CHECK(job.status == TC_PENDING && job.cancel == 0 && job.in == NULL &&
            job.scratch_len == 0 && job.dim[2] == 0,
        "tc_job_init leaves a field set");

  job.kernel = TC_KERNEL_SHA256;
  job.in_len = 1000;
  CHECK_STATUS(tc_plan(&job, &plan), TC_OK);
  CHECK(plan.out_len == 32 && plan.scratch_len == 0, "sha256 plan");

  job.kernel = TC_KERNEL_STATS;
  job.dtype = TC_DTYPE_F64;
  job.in_len = 80;
  CHECK_STATUS(tc_plan(&job, &plan), TC_OK);
  CHECK(plan.out_len == sizeof(tc_stats_t) && plan.out_len == 48, "stats plan");

  job.kernel = TC_KERNEL_SORT;
  job.dtype = TC_DTYPE_I32;
  job.in_len = 400;
  CHECK_STATUS(tc_plan(&job, &plan), TC_OK);
  CHECK(plan.out_len == 400 && plan.scratch_len >= 400, "sort plan");

  job.kernel = TC_KERNEL_MATMUL;
  job.dtype = TC_DTYPE_F32;
  job.dim[0] = 3;
  job.dim[1] = 5;
  job.dim[2] = 7;
  job.in_len = 3 * 5 * 4;
  job.in2_len = 5 * 7 * 4;
  CHECK_STATUS(tc_plan(&job, &plan), TC_OK);
  CHECK(plan.out_len == 3 * 7 * 4 && plan.scratch_len > 0, "matmul plan");
  CHECK(tc_job_work(&job) == 3 * 5 * 7 / 4.0, "matmul's work: %g",
        tc_job_work(&job));
  job.kernel = TC_KERNEL_SORT;
  job.in_len = 400;
  job.in2_len = 0;
  CHECK(tc_job_work(&job) == 400, "sort's work: %g", tc_job_work(&job));
  job.kernel = TC_KERNEL_MATMUL;

  /* A valid job of every kernel runs. */
  for (int k = 0; k < TC_KERNEL_COUNT; k++) {
    tct_fix f;
    tct_fix_init(&f, k);
    tct_expect(&f, TC_OK, "valid job");
  }
}

void test_bad_kernel_and_dtype(void) {
  tct_fix f;
  int bad_kernels[] = {-1, TC_KERNEL_COUNT, 1000};
  for (size_t i = 0; i < sizeof bad_kernels / sizeof *bad_kernels; i++) {
    tct_fix_init(&f, TC_KERNEL_SHA256);
    f.job.kernel = bad_kernels[i];
    tct_expect(&f, TC_EKERNEL, "kernel out of range");
  }
  for (int k = 0; k < TC_KERNEL_COUNT; k++) {
    tct_fix_init(&f, k);
    f.job.dtype = TC_DTYPE_COUNT;
    tct_expect(&f, TC_EDTYPE, "dtype out of range");
    f.job.dtype = -1;
    tct_expect(&f, TC_EDTYPE, "negative dtype");
  }
  tct_fix_init(&f, TC_KERNEL_STATS);
  f.job.dtype = TC_DTYPE_F32;
  tct_expect(&f, TC_EDTYPE, "stats over float32");
  tct_fix_init(&f, TC_KERNEL_SORT);
  f.job.dtype = TC_DTYPE_U8;
  tct_expect(&f, TC_EDTYPE, "sort over bytes");
  tct_fix_init(&f, TC_KERNEL_MATMUL);
  f.job.dtype = TC_DTYPE_F64;
  tct_expect(&f, TC_EDTYPE, "matmul over float64");
  /* The kernels called directly refuse a dtype they do not sort. */
  CHECK_STATUS(tc_sort(TC_DTYPE_U8, f.in, f.out, 4, f.scratch, NULL),
               TC_EDTYPE);
}

void test_bad_ranges(void) {
  tct_fix f;
  const void *wrap = (const void *)(UINTPTR_MAX - 15);
  for (int k = 0; k < TC_KERNEL_COUNT; k++) {
    tct_fix_init(&f, k);
    f.job.in = NULL;
    tct_expect(&f, TC_ENULL, "NULL input with a length");
    tct_fix_init(&f, k);
    f.job.out = NULL;
    tct_expect(&f, TC_ENULL, "NULL output with a length");
    tct_fix_init(&f, k);
    f.job.scratch = NULL;
    f.job.scratch_len = 4096;
    tct_expect(&f, TC_ENULL, "NULL scratch with a length");
    tct_fix_init(&f, k);
    f.job.in = wrap;
    tct_expect(&f, TC_EOVERFLOW, "input range wraps around");
    tct_fix_init(&f, k);
    f.job.out = (void *)(uintptr_t)wrap;
    tct_expect(&f, TC_EOVERFLOW, "output range wraps around");
  }
  tct_fix_init(&f, TC_KERNEL_MATMUL);
  f.job.in2 = NULL;
  tct_expect(&f, TC_ENULL, "NULL B");

  /* Empty inputs may be NULL. */
  tct_fix_init(&f, TC_KERNEL_SHA256);
  f.job.in = NULL;
  f.job.in_len = 0;
  tct_expect(&f, TC_OK, "empty message at NULL");
  tct_fix_init(&f, TC_KERNEL_STATS);
  f.job.in = NULL;
  f.job.in_len = 0;
  tct_expect(&f, TC_OK, "empty stats at NULL");

#if SIZE_MAX > UINT32_MAX
  /* A message of 2^61 bytes or more has no 64-bit bit length. */
  tct_fix_init(&f, TC_KERNEL_SHA256);
  f.job.in_len = (size_t)1 << 61;
  tct_expect(&f, TC_EOVERFLOW, "message of 2^61 bytes");
  f.job.in_len = SIZE_MAX;
  tct_expect(&f, TC_EOVERFLOW, "message of SIZE_MAX bytes");
  f.job.in_len = ((size_t)1 << 61) - 1;
  tc_plan_t plan;
  CHECK_STATUS(tc_plan(&f.job, &plan), TC_OK);
#endif
}

void test_bad_sizes(void) {
  tct_fix f;
  for (int k = 0; k < TC_KERNEL_COUNT; k++) {
    tct_fix_init(&f, k);
    f.job.out_len--;
    tct_expect(&f, TC_ESIZE, "output one byte short");
    f.job.out_len += 2;
    tct_expect(&f, TC_ESIZE, "output one byte long");
  }
  for (int k = 0; k < TC_KERNEL_COUNT; k++) {
    if (k == TC_KERNEL_MATMUL) continue;
    tct_fix_init(&f, k);
    f.job.in2 = f.in2;
    f.job.in2_len = 8;
    tct_expect(&f, TC_ESIZE, "second input where none is taken");
  }
  tct_fix_init(&f, TC_KERNEL_STATS);
  f.job.in_len = 12;
  tct_expect(&f, TC_ESIZE, "stats over 1.5 doubles");
  tct_fix_init(&f, TC_KERNEL_SORT);
  f.job.in_len = 15;
  tct_expect(&f, TC_ESIZE, "sort over a partial element");

  tct_fix_init(&f, TC_KERNEL_MATMUL);
  f.job.dim[1] = 5; /* A would be 4 x 5 */
  tct_expect(&f, TC_ESIZE, "A's length does not match m x k");
  tct_fix_init(&f, TC_KERNEL_MATMUL);
  f.job.in2_len -= 4;
  tct_expect(&f, TC_ESIZE, "B's length does not match k x n");

  size_t big = SIZE_MAX / 2 + 1;
  size_t shapes[][3] = {{big, 2, 1},
                        {1, big, 2},
                        {2, 1, big},
                        {SIZE_MAX / 4 + 1, 1, 1},
                        {1, 1, SIZE_MAX / 4 + 1}};
  for (size_t i = 0; i < sizeof shapes / sizeof *shapes; i++) {
    tct_fix_init(&f, TC_KERNEL_MATMUL);
    memcpy(f.job.dim, shapes[i], sizeof shapes[i]);
    tct_expect(&f, TC_EOVERFLOW, "matmul shape overflows");
  }
  tct_fix_init(&f, TC_KERNEL_SORT);
  f.job.in_len = SIZE_MAX - 7;
  f.job.in = NULL;
  tct_expect(&f, TC_EOVERFLOW, "sort scratch size overflows");
}

void test_bad_alignment(void) {
  tct_fix f;
  const unsigned char *in = (const unsigned char *)f.in;
  unsigned char *out = (unsigned char *)f.out;
  for (int k = TC_KERNEL_STATS; k < TC_KERNEL_COUNT; k++) {
    tct_fix_init(&f, k);
    f.job.in = in + 2;
    tct_expect(&f, TC_EALIGN, "misaligned input");
    tct_fix_init(&f, k);
    f.job.out = out + 2;
    tct_expect(&f, TC_EALIGN, "misaligned output");
  }
  tct_fix_init(&f, TC_KERNEL_STATS);
  f.job.in = in + 4;
  tct_expect(&f, TC_EALIGN, "doubles at 4-byte alignment");
  tct_fix_init(&f, TC_KERNEL_SORT);
  f.job.dtype = TC_DTYPE_U32;
  f.job.in = in + 4;
  tct_expect(&f, TC_OK, "uint32 at 4-byte alignment");
  tct_fix_init(&f, TC_KERNEL_MATMUL);
  f.job.in2 = in + 1;
  tct_expect(&f, TC_EALIGN, "misaligned B");
}

void test_bad_aliasing(void) {
  tct_fix f;
  /* sort: the same buffer in place is fine, a shifted one is not. */
  tct_fix_init(&f, TC_KERNEL_SORT);
  f.job.out = f.in;
  tct_expect(&f, TC_OK, "sort in place");
  tct_fix_init(&f, TC_KERNEL_SORT);
  f.job.out = f.in + 1;
  tct_expect(&f, TC_EALIAS, "sort output shifted over its input");
  /* matmul: A and B may be one matrix, C may touch neither. */
  tct_fix_init(&f, TC_KERNEL_MATMUL);
  f.job.in2 = f.in;
  tct_expect(&f, TC_OK, "A == B");
  tct_fix_init(&f, TC_KERNEL_MATMUL);
  f.job.out = f.in + 4;
  tct_expect(&f, TC_EALIAS, "C overlaps A");
  tct_fix_init(&f, TC_KERNEL_MATMUL);
  f.job.out = f.in2;
  tct_expect(&f, TC_EALIAS, "C is B");
  /* sha256 and stats write their result last: overlap is allowed. */
  tct_fix_init(&f, TC_KERNEL_SHA256);
  f.job.out = f.in;
  tct_expect(&f, TC_OK, "digest over the message");
  tct_fix_init(&f, TC_KERNEL_STATS);
  f.job.out = f.in;
  tct_expect(&f, TC_OK, "stats over the data");
  /* Scratch may not overlap anything. */
  for (int k = TC_KERNEL_SORT; k < TC_KERNEL_COUNT; k++) {
    tct_fix_init(&f, k);
    f.job.scratch = f.in;
    tct_expect(&f, TC_EALIAS, "scratch over the input");
    tct_fix_init(&f, k);
    f.job.scratch = f.out;
    tct_expect(&f, TC_EALIAS, "scratch over the output");
  }
  tct_fix_init(&f, TC_KERNEL_MATMUL);
  f.job.scratch = f.in2;
  tct_expect(&f, TC_EALIAS, "scratch over B");
}

void test_bad_scratch(void) {
  tct_fix f;
  for (int k = TC_KERNEL_SORT; k < TC_KERNEL_COUNT; k++) {
    tct_fix_init(&f, k);
    f.job.scratch_len--;
    tct_expect(&f, TC_ESCRATCH, "scratch one byte short");
    f.job.scratch = NULL;
    f.job.scratch_len = 0;
    tct_expect(&f, TC_ESCRATCH, "no scratch");
    tct_fix_init(&f, k);
    f.job.scratch = (unsigned char *)f.scratch + 1;
    tct_expect(&f, TC_OK, "misaligned scratch is aligned inside");
  }
}

void test_cancel_before_start(void) {
  /* Inputs large enough to span several chunks of every kernel. */
  size_t n = (size_t)1 << 20;
  double *d = tct_xmalloc(n * sizeof *d);
  float *a = tct_xmalloc(256 * 256 * sizeof *a);
  tct_rng r = {1};
  void *out;
  for (size_t i = 0; i < n; i++) d[i] = (double)tct_next(&r);
  for (size_t i = 0; i < 256 * 256; i++) a[i] = (float)i;
  for (int k = 0; k < TC_KERNEL_COUNT; k++) {
    tc_job job;
    tc_job_init(&job);
    job.kernel = k;
    job.cancel = 1;
    job.in = k == TC_KERNEL_MATMUL ? (const void *)a : (const void *)d;
    job.in_len = n * sizeof *d;
    job.dtype = k == TC_KERNEL_SHA256 ? TC_DTYPE_U8 : TC_DTYPE_F64;
    if (k == TC_KERNEL_MATMUL) {
      job.dtype = TC_DTYPE_F32;
      job.in2 = a;
      job.in_len = job.in2_len = 256 * 256 * sizeof *a;
      job.dim[0] = job.dim[1] = job.dim[2] = 256;
    }
    CHECK(tct_run(&job, &out) == TC_CANCELED, "%s ignored cancel",
          tc_kernel_name(k));
    CHECK_STATUS(job.status, TC_CANCELED);
    free(out);
  }
  /* A cancelled sort in place leaves its data unchanged when cancelled
   * before it starts. */
  double *copy = tct_xmalloc(n * sizeof *d);
  memcpy(copy, d, n * sizeof *d);
  tc_job job;
  tc_plan_t plan;
  tc_job_init(&job);
  job.kernel = TC_KERNEL_SORT;
  job.dtype = TC_DTYPE_F64;
  job.in = job.out = d;
  job.in_len = job.out_len = n * sizeof *d;
  job.cancel = 1;
  tc_plan(&job, &plan);
  job.scratch = tct_xmalloc(plan.scratch_len);
  job.scratch_len = plan.scratch_len;
  CHECK_STATUS(tc_run(&job), TC_CANCELED);
  CHECK(memcmp(copy, d, n * sizeof *d) == 0, "data changed");
  free(job.scratch);
  free(copy);
  free(d);
  free(a);
}
