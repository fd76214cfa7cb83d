/* Status names, job validation and the one kernel table behind tc_run(). */
#include <string.h>

#include "tc_internal.h"

/* One kernel: how big its buffers are, what else its buffers must satisfy
 * (alignment, aliasing), and how to run it on a validated job. */
typedef struct {
  tc_status (*plan)(const tc_job *job, tc_plan_t *plan);
  tc_status (*check)(const tc_job *job);
  tc_status (*run)(tc_job *job);
  const tc__splitter_t *split; /* NULL: the kernel always runs whole */
} tc__kernel_t;

const char *tc_status_name(int status) {
  switch (status) {
#define TC__STATUS_NAME(name, msg) \
  case TC_##name:                  \
    return #name;
    TC_STATUS_MAP(TC__STATUS_NAME)
#undef TC__STATUS_NAME
    default:
      return "UNKNOWN";
  }
}

const char *tc_strerror(int status) {
  switch (status) {
#define TC__STATUS_MSG(name, msg) \
  case TC_##name:                 \
    return msg;
    TC_STATUS_MAP(TC__STATUS_MSG)
#undef TC__STATUS_MSG
    default:
      return "unknown status";
  }
}

const char *tc_kernel_name(int kernel) {
  switch (kernel) {
#define TC__KERNEL_NAME(id, name) \
  case TC_KERNEL_##id:            \
    return #name;
    TC_KERNEL_MAP(TC__KERNEL_NAME)
#undef TC__KERNEL_NAME
    default:
      return NULL;
  }
}

size_t tc_dtype_size(int dtype) {
  switch (dtype) {
#define TC__DTYPE_SIZE(name, size) \
  case TC_DTYPE_##name:            \
    return size;
    TC_DTYPE_MAP(TC__DTYPE_SIZE)
#undef TC__DTYPE_SIZE
    default:
      return 0;
  }
}

/* The instructions a vector of this many bytes runs on: the widths the
 * kernels pick from at run time (one element: scalar code). */
static const char *tc__vector_path(int bytes) {
  if (bytes == 64) return "avx512f";
  if (bytes == 32) return "avx2";
  if (bytes < 16) return "scalar";
  return TC__VEC16_PATH;
}

const char *tc_kernel_path(int kernel) {
  switch (kernel) {
    case TC_KERNEL_SHA256:
      return tc__sha256_path();
    case TC_KERNEL_STATS:
      return tc__vector_path(tc__stats_widest() * (int)sizeof(double));
    case TC_KERNEL_SORT:
      return "scalar";
    case TC_KERNEL_MATMUL:
      return tc__vector_path(tc__matmul_widest() * (int)sizeof(float));
    default:
      return NULL;
  }
}

void tc_job_init(tc_job *job) {
  memset(job, 0, sizeof *job);
  job->status = TC_PENDING;
}

void tc_job_cancel(tc_job *job) {
  TC__STORE_RELAXED(&job->cancel, 1);
}

/* ---- buffer checks ---- */

static int tc__misaligned(const void *p, size_t align) {
  return ((uintptr_t)p & (align - 1)) != 0;
}

static int tc__overlap(const void *a, size_t alen, const void *b, size_t blen) {
  uintptr_t ua = (uintptr_t)a, ub = (uintptr_t)b;
  return alen > 0 && blen > 0 && ua < ub + blen && ub < ua + alen;
}

/* A NULL pointer may only come with length 0, and no range may wrap. */
static tc_status tc__check_range(const void *p, size_t len) {
  if (p == NULL) return len == 0 ? TC_OK : TC_ENULL;
  if ((uintptr_t)p + len < (uintptr_t)p) return TC_EOVERFLOW;
  return TC_OK;
}

/* ---- sha256 ---- */

static tc_status tc__plan_sha256(const tc_job *job, tc_plan_t *plan) {
  if (job->in2_len != 0) return TC_ESIZE;
  if ((uint64_t)job->in_len > UINT64_MAX / 8) return TC_EOVERFLOW;
  plan->out_len = 32;
  plan->scratch_len = 0;
  return TC_OK;
}

/* The digest is written after the last input byte is read, so in and out
 * may overlap. */
static tc_status tc__check_sha256(const tc_job *job) {
  (void)job;
  return TC_OK;
}

static tc_status tc__run_sha256(tc_job *job) {
  return tc_sha256(job->in, job->in_len, job->out, &job->cancel);
}

/* ---- stats ---- */

static tc_status tc__plan_stats(const tc_job *job, tc_plan_t *plan) {
  if (job->dtype != TC_DTYPE_F64) return TC_EDTYPE;
  if (job->in2_len != 0 || job->in_len % sizeof(double) != 0) return TC_ESIZE;
  plan->out_len = sizeof(tc_stats_t);
  plan->scratch_len = 0;
  return TC_OK;
}

/* The result is written after the last input is read: overlap is fine. */
static tc_status tc__check_stats(const tc_job *job) {
  if (tc__misaligned(job->in, sizeof(double)) ||
      tc__misaligned(job->out, sizeof(double)))
    return TC_EALIGN;
  return TC_OK;
}

static tc_status tc__run_stats(tc_job *job) {
  return tc_stats_f64(job->in, job->in_len / sizeof(double), job->out,
                      &job->cancel);
}

/* ---- sort ---- */

static tc_status tc__plan_sort(const tc_job *job, tc_plan_t *plan) {
  size_t width = tc_dtype_size(job->dtype);
  if (job->dtype == TC_DTYPE_U8 || width == 0) return TC_EDTYPE;
  if (job->in2_len != 0 || job->in_len % width != 0) return TC_ESIZE;
  plan->out_len = job->in_len;
  return tc__sort_scratch(job->in_len / width, width, &plan->scratch_len);
}

/* in == out sorts in place; any other overlap would read moved data. */
static tc_status tc__check_sort(const tc_job *job) {
  size_t width = tc_dtype_size(job->dtype);
  if (tc__misaligned(job->in, width) || tc__misaligned(job->out, width))
    return TC_EALIGN;
  if (job->in != job->out &&
      tc__overlap(job->in, job->in_len, job->out, job->out_len))
    return TC_EALIAS;
  return TC_OK;
}

static tc_status tc__run_sort(tc_job *job) {
  return tc_sort((tc_dtype)job->dtype, job->in, job->out,
                 job->in_len / tc_dtype_size(job->dtype), job->scratch,
                 &job->cancel);
}

/* ---- matmul ---- */

static tc_status tc__plan_matmul(const tc_job *job, tc_plan_t *plan) {
  size_t m = job->dim[0], k = job->dim[1], n = job->dim[2];
  size_t a, b, c;
  if (job->dtype != TC_DTYPE_F32) return TC_EDTYPE;
  if (tc__mul_overflow(m, k, &a) || tc__mul_overflow(a, sizeof(float), &a) ||
      tc__mul_overflow(k, n, &b) || tc__mul_overflow(b, sizeof(float), &b) ||
      tc__mul_overflow(m, n, &c) || tc__mul_overflow(c, sizeof(float), &c))
    return TC_EOVERFLOW;
  if (job->in_len != a || job->in2_len != b) return TC_ESIZE;
  plan->out_len = c;
  return tc__matmul_scratch(k, n, &plan->scratch_len);
}

/* A and B may be the same matrix; C must be apart from both. */
static tc_status tc__check_matmul(const tc_job *job) {
  if (tc__misaligned(job->in, sizeof(float)) ||
      tc__misaligned(job->in2, sizeof(float)) ||
      tc__misaligned(job->out, sizeof(float)))
    return TC_EALIGN;
  if (tc__overlap(job->out, job->out_len, job->in, job->in_len) ||
      tc__overlap(job->out, job->out_len, job->in2, job->in2_len))
    return TC_EALIAS;
  return TC_OK;
}

static tc_status tc__run_matmul(tc_job *job) {
  return tc_matmul_f32(job->in, job->in2, job->out, job->dim[0], job->dim[1],
                       job->dim[2], job->scratch, &job->cancel);
}

/* ---- the table ---- */

/* sha256 is one chain of blocks, each needing the one before. */
#define tc__split_sha256 NULL
#define tc__split_stats (&tc__stats_splitter)
#define tc__split_sort (&tc__sort_splitter)
#define tc__split_matmul (&tc__matmul_splitter)

static const tc__kernel_t tc__kernels[TC_KERNEL_COUNT] = {
#define TC__KERNEL_ENTRY(id, name)                                       \
  [TC_KERNEL_##id] = {tc__plan_##name, tc__check_##name, tc__run_##name, \
                      tc__split_##name},
    TC_KERNEL_MAP(TC__KERNEL_ENTRY)
#undef TC__KERNEL_ENTRY
};

tc_status tc_plan(const tc_job *job, tc_plan_t *plan) {
  const tc__kernel_t *k;
  tc_status st;
  size_t want = job->parts, parts = 1, area = 0;
  if (job->kernel < 0 || job->kernel >= TC_KERNEL_COUNT) return TC_EKERNEL;
  if (job->dtype < 0 || job->dtype >= TC_DTYPE_COUNT) return TC_EDTYPE;
  k = &tc__kernels[job->kernel];
  plan->parts = 1;
  if ((st = k->plan(job, plan)) != TC_OK) return st;
  if (want > TC_MAX_PARTS) want = TC_MAX_PARTS;
  if (want < 2 || k->split == NULL) return TC_OK;
  if ((st = k->split->parts(job, want, &parts, &area)) != TC_OK) return st;
  if (parts < 2) return TC_OK;
  if (tc__add_overflow(area, TC__SPLIT_HEADER + TC__SCRATCH_ALIGN,
                       &plan->scratch_len))
    return TC_EOVERFLOW;
  plan->parts = parts;
  return TC_OK;
}

double tc_job_work(const tc_job *job) {
  if (job->kernel == TC_KERNEL_MATMUL)
    return (double)job->dim[0] * (double)job->dim[1] * (double)job->dim[2] / 4;
  return (double)job->in_len + (double)job->in2_len;
}

static tc_status tc__validate(const tc_job *job) {
  tc_plan_t plan;
  tc_status st = tc_plan(job, &plan);
  if (st != TC_OK) return st;
  if ((st = tc__check_range(job->in, job->in_len)) != TC_OK ||
      (st = tc__check_range(job->in2, job->in2_len)) != TC_OK ||
      (st = tc__check_range(job->out, job->out_len)) != TC_OK ||
      (st = tc__check_range(job->scratch, job->scratch_len)) != TC_OK)
    return st;
  if (job->out_len != plan.out_len) return TC_ESIZE;
  if (job->scratch_len < plan.scratch_len) return TC_ESCRATCH;
  if (tc__overlap(job->scratch, job->scratch_len, job->in, job->in_len) ||
      tc__overlap(job->scratch, job->scratch_len, job->in2, job->in2_len) ||
      tc__overlap(job->scratch, job->scratch_len, job->out, job->out_len))
    return TC_EALIAS;
  return tc__kernels[job->kernel].check(job);
}

static tc_status tc__finish(tc_job *job, tc_status st) {
  TC__STORE_RELEASE(&job->status, (int32_t)st);
  return st;
}

/* The split state of a job that tc_begin() found to split. */
static tc__split_t *tc__split_of(const tc_job *job) {
  return (tc__split_t *)tc__align_up(job->scratch, TC__SCRATCH_ALIGN);
}

tc_status tc_begin(tc_job *job) {
  tc_plan_t plan;
  tc_status st = tc__validate(job);
  if (st != TC_OK) return tc__finish(job, st);
  /* Validation planned the same job: this cannot fail. */
  (void)tc_plan(job, &plan);
  if (plan.parts < 2) return tc__finish(job, tc__kernels[job->kernel].run(job));
  tc__split_t *s = tc__split_of(job);
  s->parts = plan.parts;
  s->phase = 0;
  for (size_t p = 0; p < s->parts; p++) s->status[p] = TC_PENDING;
  if (tc__kernels[job->kernel].split->begin != NULL)
    st = tc__kernels[job->kernel].split->begin(job, s);
  else
    st = TC_PENDING;
  return st == TC_PENDING ? st : tc__finish(job, st);
}

tc_status tc_run_part(tc_job *job, size_t part) {
  tc__split_t *s = tc__split_of(job);
  tc_status st = part < s->parts
                     ? tc__kernels[job->kernel].split->part(job, s, part)
                     : TC_ESIZE;
  if (part < s->parts) s->status[part] = (int32_t)st;
  return st;
}

tc_status tc_next(tc_job *job) {
  tc__split_t *s = tc__split_of(job);
  tc_status st = tc__kernels[job->kernel].split->next(job, s);
  if (st == TC_PENDING) {
    for (size_t p = 0; p < s->parts; p++) s->status[p] = TC_PENDING;
    return st;
  }
  return tc__finish(job, st);
}

tc_status tc_run(tc_job *job) {
  tc_status st = tc_begin(job);
  while (st == TC_PENDING) {
    size_t parts = tc__split_of(job)->parts;
    for (size_t p = 0; p < parts; p++) tc_run_part(job, p);
    st = tc_next(job);
  }
  return st;
}
