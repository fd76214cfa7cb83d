/* sha256: the NIST vectors, known answers, and random messages against a
 * plain reference written from FIPS 180-4 without the core's shortcuts
 * (it pads the whole message in one buffer and rotates the working
 * variables by moves). */
#include "harness.h"
#include "../../core/tc_internal.h"
#include "ref.h"

/* Hash through a job, as a binding would. */
static tc_status job_sha256(const void *msg, size_t len, uint8_t out[32]) {
  tc_job job;
  void *digest;
  tc_job_init(&job);
  job.kernel = TC_KERNEL_SHA256;
  job.in = msg;
  job.in_len = len;
  tc_status st = tct_run(&job, &digest);
  if (digest) memcpy(out, digest, 32);
  free(digest);
  return st;
}

static int from_hex(const char *hex, uint8_t *out, size_t max) {
  size_t n = 0;
  while (hex[0] && hex[1] && hex[0] != '\n' && hex[0] != '\r' && n < max) {
    unsigned v;
    if (sscanf(hex, "%2x", &v) != 1) return -1;
    out[n++] = (uint8_t)v;
    hex += 2;
  }
  return (int)n;
}

void test_sha256_nist_vectors(void) {
  char path[1024], line[4096];
  uint8_t msg[2048], md[32], got[32];
  long len_bits = -1;
  int vectors = 0;
  snprintf(path, sizeof path, "%s/SHA256ShortMsg.rsp", tct_fixture_dir);
  FILE *f = fopen(path, "r");
  CHECK(f != NULL, "cannot open %s", path);
  if (f == NULL) return;
  while (fgets(line, sizeof line, f)) {
    if (sscanf(line, "Len = %ld", &len_bits) == 1) continue;
    if (strncmp(line, "Msg = ", 6) == 0) {
      int n = from_hex(line + 6, msg, sizeof msg);
      CHECK(n >= 0 && len_bits >= 0 && (long)n * 8 >= len_bits, "bad Msg line");
    } else if (strncmp(line, "MD = ", 5) == 0) {
      size_t len = (size_t)len_bits / 8;
      CHECK(from_hex(line + 5, md, sizeof md) == 32, "bad MD line");
      CHECK_STATUS(job_sha256(msg, len, got), TC_OK);
      CHECK(memcmp(got, md, 32) == 0, "NIST vector of %zu bytes", len);
      CHECK_STATUS(tc__sha256_portable(msg, len, got, NULL), TC_OK);
      CHECK(memcmp(got, md, 32) == 0, "NIST vector of %zu bytes, portable",
            len);
      vectors++;
    }
  }
  fclose(f);
  CHECK(vectors == 65, "read %d vectors, the file has 65", vectors);
}

void test_sha256_known_answers(void) {
  static const struct {
    const char *msg;
    size_t repeat;
    const char *hex;
  } cases[] = {
      {"", 1,
       "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"},
      {"abc", 1,
       "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"},
      {"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", 1,
       "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"},
      {"a", 1000000,
       "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0"},
  };
  for (size_t c = 0; c < sizeof cases / sizeof *cases; c++) {
    size_t one = strlen(cases[c].msg), len = one * cases[c].repeat;
    uint8_t *msg = tct_xmalloc(len);
    uint8_t got[32];
    char hex[65];
    for (size_t i = 0; i < cases[c].repeat; i++)
      memcpy(msg + i * one, cases[c].msg, one);
    CHECK_STATUS(tc_sha256(msg, len, got, NULL), TC_OK);
    tct_hex(got, 32, hex);
    CHECK(strcmp(hex, cases[c].hex) == 0, "case %zu: %s", c, hex);
    free(msg);
  }
}

void test_sha256_random_vs_ref(void) {
  tct_rng r = {2};
  /* Every length around the padding edges, random ones, and lengths on
   * either side of the kernel's cancel chunk (256 KiB). */
  size_t lens[300], count = 0;
  for (size_t l = 0; l <= 200; l++) lens[count++] = l;
  while (count < 290) lens[count++] = tct_below(&r, 20000);
  lens[count++] = 262143;
  lens[count++] = 262144;
  lens[count++] = 262145;
  lens[count++] = 262144 * 3 + 55;
  lens[count++] = 1 << 21;
  for (size_t c = 0; c < count; c++) {
    uint8_t *msg = tct_xmalloc(lens[c]);
    uint8_t got[32], want[32];
    for (size_t i = 0; i < lens[c]; i++) msg[i] = (uint8_t)tct_next(&r);
    CHECK_STATUS(job_sha256(msg, lens[c], got), TC_OK);
    tct_ref_sha256(msg, lens[c], want);
    CHECK(memcmp(got, want, 32) == 0, "length %zu", lens[c]);
    CHECK_STATUS(tc__sha256_portable(msg, lens[c], got, NULL), TC_OK);
    CHECK(memcmp(got, want, 32) == 0, "length %zu, portable", lens[c]);
    free(msg);
  }
  /* The portable entry looks at the cancel flag as tc_sha256() does. */
  {
    int32_t flag = 1;
    uint8_t msg[64] = {0}, got[32];
    CHECK_STATUS(tc__sha256_portable(msg, sizeof msg, got, &flag), TC_CANCELED);
  }
}

void test_sha256_unaligned(void) {
  tct_rng r = {3};
  uint8_t *buf = tct_xmalloc(5000 + 8);
  for (size_t i = 0; i < 5008; i++) buf[i] = (uint8_t)tct_next(&r);
  for (size_t off = 0; off < 8; off++) {
    size_t lens[] = {0, 1, 63, 64, 65, 1000, 4999};
    for (size_t i = 0; i < sizeof lens / sizeof *lens; i++) {
      uint8_t got[32], want[32];
      CHECK_STATUS(job_sha256(buf + off, lens[i], got), TC_OK);
      tct_ref_sha256(buf + off, lens[i], want);
      CHECK(memcmp(got, want, 32) == 0, "offset %zu length %zu", off, lens[i]);
      CHECK_STATUS(tc__sha256_portable(buf + off, lens[i], got, NULL), TC_OK);
      CHECK(memcmp(got, want, 32) == 0, "offset %zu length %zu, portable", off,
            lens[i]);
    }
  }
  free(buf);
}

void test_sha256_in_place(void) {
  /* The digest may overwrite the start of its own message. */
  uint8_t msg[100], want[32];
  tc_job job;
  for (int i = 0; i < 100; i++) msg[i] = (uint8_t)(i * 7);
  tct_ref_sha256(msg, sizeof msg, want);
  tc_job_init(&job);
  job.kernel = TC_KERNEL_SHA256;
  job.in = msg;
  job.in_len = sizeof msg;
  job.out = msg + 10;
  job.out_len = 32;
  CHECK_STATUS(tc_run(&job), TC_OK);
  CHECK(memcmp(msg + 10, want, 32) == 0, "digest over its message");
}
