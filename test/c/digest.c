/* Digests of every kernel's output on fixed inputs, printed one line per
 * kernel and size. The Makefile runs this in the native and the wasm build
 * and fails on any difference: the core promises the same bits everywhere.
 * NaN results of float arithmetic are folded to one pattern first, since
 * the hardware picks their payload; sort moves NaNs without arithmetic and
 * keeps their bits, so its output is hashed as it is. */
#include <math.h>

#include "harness.h"

static void print_digest(const char *what, size_t size, tc_status st,
                         const void *data, size_t len) {
  uint8_t d[32];
  char hex[65];
  tc_sha256(data, len, d, NULL);
  tct_hex(d, 32, hex);
  printf("%s %zu %s %s\n", what, size, tc_status_name((int)st), hex);
}

static void fold_nan_f32(float *x, size_t n) {
  for (size_t i = 0; i < n; i++)
    if (isnan(x[i])) x[i] = NAN;
}

static void fold_nan_f64(double *x, size_t n) {
  for (size_t i = 0; i < n; i++)
    if (isnan(x[i])) x[i] = NAN;
}

/* Random bytes. */
static void fill_bits(void *out, size_t bytes, tct_rng *r) {
  uint8_t *p = out;
  for (size_t i = 0; i < bytes; i++) p[i] = (uint8_t)tct_next(r);
}

static double finite_f64(tct_rng *r) {
  double u = (double)(tct_next(r) >> 11) / 9007199254740992.0;
  return ldexp(u - 0.5, (int)tct_below(r, 60) - 30);
}

/* Every kernel that splits runs whole, in 2 parts and in 4 (tc_run()
 * runs the parts in turn): the lines of a split say "name/parts". */
static const size_t parts[] = {1, 2, 4};

static const char *parted(const char *name, size_t parts) {
  static char buf[64];
  if (parts < 2) return name;
  snprintf(buf, sizeof buf, "%s/%zu", name, parts);
  return buf;
}

void tct_print_digests(void) {
  static const size_t sizes[] = {0, 1, 3, 64, 1000, 65537, 1 << 20};
  tct_rng r = {42};
  for (size_t s = 0; s < sizeof sizes / sizeof *sizes; s++) {
    size_t n = sizes[s];
    uint8_t *bytes = tct_xmalloc(n * 8);
    double *f = tct_xmalloc(n * 8);
    void *out;
    tc_job job;
    tc_status st;

    fill_bits(bytes, n * 8, &r);
    tc_job_init(&job);
    job.kernel = TC_KERNEL_SHA256;
    job.in = bytes;
    job.in_len = n;
    st = tct_run(&job, &out);
    print_digest("sha256", n, st, out, 32);
    free(out);

    for (size_t i = 0; i < n; i++)
      f[i] = i % 17 == 5 ? (i % 3 ? -0.0 : INFINITY) : finite_f64(&r);
    tc_job_init(&job);
    job.kernel = TC_KERNEL_STATS;
    job.dtype = TC_DTYPE_F64;
    job.in = f;
    job.in_len = n * 8;
    for (size_t p = 0; p < 3; p++) {
      job.parts = parts[p];
      st = tct_run(&job, &out);
      fold_nan_f64(out, 6);
      print_digest(parted("stats", parts[p]), n, st, out, sizeof(tc_stats_t));
      free(out);
    }
    for (size_t i = 0; i < n; i++) f[i] = finite_f64(&r);
    for (size_t p = 0; p < 3; p++) {
      job.parts = parts[p];
      st = tct_run(&job, &out);
      print_digest(parted("stats-finite", parts[p]), n, st, out,
                   sizeof(tc_stats_t));
      free(out);
    }

    static const int dtypes[] = {TC_DTYPE_F64, TC_DTYPE_F32, TC_DTYPE_I32,
                                 TC_DTYPE_U32};
    static const char *names[] = {"sort-f64", "sort-f32", "sort-i32",
                                  "sort-u32"};
    for (size_t d = 0; d < 4; d++) {
      size_t len = n * tc_dtype_size(dtypes[d]);
      fill_bits(bytes, len, &r);
      tc_job_init(&job);
      job.kernel = TC_KERNEL_SORT;
      job.dtype = dtypes[d];
      job.in = bytes;
      job.in_len = len;
      for (size_t p = 0; p < 3; p++) {
        job.parts = parts[p];
        st = tct_run(&job, &out);
        print_digest(parted(names[d], parts[p]), n, st, out, len);
        free(out);
      }
    }
    free(bytes);
    free(f);
  }

  static const size_t shapes[][3] = {
      {1, 1, 1}, {3, 5, 7}, {17, 257, 33}, {64, 300, 520}, {128, 128, 128}};
  for (size_t s = 0; s < sizeof shapes / sizeof *shapes; s++) {
    size_t m = shapes[s][0], k = shapes[s][1], n = shapes[s][2];
    float *a = tct_xmalloc(m * k * 4), *b = tct_xmalloc(k * n * 4);
    void *out;
    tc_job job;
    for (size_t i = 0; i < m * k; i++) a[i] = (float)finite_f64(&r);
    for (size_t i = 0; i < k * n; i++)
      b[i] = i % 101 == 7 ? INFINITY : (float)finite_f64(&r);
    tct_matmul_job(&job, a, b, m, k, n);
    for (size_t p = 0; p < 3; p++) {
      job.parts = parts[p];
      tc_status st = tct_run(&job, &out);
      fold_nan_f32(out, m * n);
      print_digest(parted("matmul", parts[p]), m * 1000000 + k * 1000 + n, st,
                   out, m * n * 4);
      free(out);
    }
    free(a);
    free(b);
  }
}
