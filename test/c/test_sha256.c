/* sha256: the NIST vectors, known answers, and random messages against a
 * plain reference written from FIPS 180-4 without the core's shortcuts
 * (it pads the whole message in one buffer and rotates the working
 * variables by moves). */
#include "harness.h"

static uint32_t ref_rotr(uint32_t x, int n) {
  return (x >> n) | (x << (32 - n));
}

static void ref_sha256(const uint8_t *msg, size_t len, uint8_t out[32]) {
  static const uint32_t k[64] = {
      0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1,
      0x923f82a4, 0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3,
      0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786,
      0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
      0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147,
      0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13,
      0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b,
      0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
      0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a,
      0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208,
      0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2};
  uint32_t h[8] = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
                   0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};
  size_t total = (len + 9 + 63) / 64 * 64;
  uint8_t *m = tct_xmalloc(total);
  uint64_t bits = (uint64_t)len * 8;
  memcpy(m, msg, len);
  memset(m + len, 0, total - len);
  m[len] = 0x80;
  for (size_t i = 0; i < 8; i++) m[total - 1 - i] = (uint8_t)(bits >> (8 * i));

  for (size_t off = 0; off < total; off += 64) {
    uint32_t w[64], v[8];
    for (int t = 0; t < 64; t++) {
      if (t < 16) {
        const uint8_t *p = m + off + 4 * t;
        w[t] = (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
               (uint32_t)p[2] << 8 | p[3];
      } else {
        uint32_t s0 =
            ref_rotr(w[t - 15], 7) ^ ref_rotr(w[t - 15], 18) ^ (w[t - 15] >> 3);
        uint32_t s1 =
            ref_rotr(w[t - 2], 17) ^ ref_rotr(w[t - 2], 19) ^ (w[t - 2] >> 10);
        w[t] = s1 + w[t - 7] + s0 + w[t - 16];
      }
    }
    memcpy(v, h, sizeof v);
    for (int t = 0; t < 64; t++) {
      uint32_t e = v[4], a = v[0];
      uint32_t ch = (e & v[5]) ^ (~e & v[6]);
      uint32_t maj = (a & v[1]) ^ (a & v[2]) ^ (v[1] & v[2]);
      uint32_t t1 = v[7] +
                    (ref_rotr(e, 6) ^ ref_rotr(e, 11) ^ ref_rotr(e, 25)) + ch +
                    k[t] + w[t];
      uint32_t t2 = (ref_rotr(a, 2) ^ ref_rotr(a, 13) ^ ref_rotr(a, 22)) + maj;
      memmove(v + 1, v, 7 * sizeof *v);
      v[4] += t1;
      v[0] = t1 + t2;
    }
    for (int i = 0; i < 8; i++) h[i] += v[i];
  }
  for (int i = 0; i < 8; i++) {
    out[4 * i] = (uint8_t)(h[i] >> 24);
    out[4 * i + 1] = (uint8_t)(h[i] >> 16);
    out[4 * i + 2] = (uint8_t)(h[i] >> 8);
    out[4 * i + 3] = (uint8_t)h[i];
  }
  free(m);
}

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
    ref_sha256(msg, lens[c], want);
    CHECK(memcmp(got, want, 32) == 0, "length %zu", lens[c]);
    free(msg);
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
      ref_sha256(buf + off, lens[i], want);
      CHECK(memcmp(got, want, 32) == 0, "offset %zu length %zu", off, lens[i]);
    }
  }
  free(buf);
}

void test_sha256_in_place(void) {
  /* The digest may overwrite the start of its own message. */
  uint8_t msg[100], want[32];
  tc_job job;
  for (int i = 0; i < 100; i++) msg[i] = (uint8_t)(i * 7);
  ref_sha256(msg, sizeof msg, want);
  tc_job_init(&job);
  job.kernel = TC_KERNEL_SHA256;
  job.in = msg;
  job.in_len = sizeof msg;
  job.out = msg + 10;
  job.out_len = 32;
  CHECK_STATUS(tc_run(&job), TC_OK);
  CHECK(memcmp(msg + 10, want, 32) == 0, "digest over its message");
}
