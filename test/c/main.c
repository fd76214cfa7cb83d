/* Runner of the core's C tests.
 *
 *   test_core FIXTURE_DIR [NAME...]   run every test, or the named ones
 *   test_core --digest                print digests of kernel outputs on
 *                                     fixed inputs (compared across builds)
 *
 * Prints one "ok"/"not ok" line per test, then "N passed, N failed"; exits
 * non-zero if any test failed. */
#include "harness.h"

int tct_failures;
const char *tct_fixture_dir = "test/fixtures";

void tct_print_digests(void);

typedef struct {
  const char *name;
  void (*fn)(void);
} tct_test;

static const tct_test tct_all[] = {
#define TCT_ENTRY(name) {#name, test_##name},
    TCT_TESTS(TCT_ENTRY)
#undef TCT_ENTRY
};

tc_status tct_run(tc_job *job, void **out) {
  tc_plan_t plan;
  tc_status st = tc_plan(job, &plan);
  *out = NULL;
  if (st != TC_OK) return st;
  *out = tct_xmalloc(plan.out_len);
  job->out = *out;
  job->out_len = plan.out_len;
  job->scratch = plan.scratch_len ? tct_xmalloc(plan.scratch_len) : NULL;
  job->scratch_len = plan.scratch_len;
  st = tc_run(job);
  free(job->scratch);
  job->scratch = NULL;
  return st;
}

void tct_hex(const uint8_t *d, size_t n, char *hex) {
  static const char digits[] = "0123456789abcdef";
  for (size_t i = 0; i < n; i++) {
    hex[2 * i] = digits[d[i] >> 4];
    hex[2 * i + 1] = digits[d[i] & 15];
  }
  hex[2 * n] = '\0';
}

static int tct_selected(const char *name, int argc, char **argv) {
  if (argc <= 2) return 1;
  for (int i = 2; i < argc; i++)
    if (strcmp(argv[i], name) == 0) return 1;
  return 0;
}

int main(int argc, char **argv) {
  size_t count = sizeof tct_all / sizeof tct_all[0];
  int passed = 0, failed = 0;

  if (argc >= 2 && strcmp(argv[1], "--digest") == 0) {
    tct_print_digests();
    return 0;
  }
  if (argc >= 2) tct_fixture_dir = argv[1];

  for (size_t i = 0; i < count; i++) {
    if (!tct_selected(tct_all[i].name, argc, argv)) continue;
    tct_failures = 0;
    tct_all[i].fn();
    if (tct_failures == 0) {
      passed++;
      printf("ok %d %s\n", passed + failed, tct_all[i].name);
    } else {
      failed++;
      printf("not ok %d %s (%d failed checks)\n", passed + failed,
             tct_all[i].name, tct_failures);
    }
    fflush(stdout);
  }
  printf("%d passed, %d failed\n", passed, failed);
  return failed == 0 ? 0 : 1;
}
