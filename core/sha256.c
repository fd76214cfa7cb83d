/* SHA-256 as specified by FIPS 180-4, portable C over bytes (any alignment,
 * any endianness). */
#include <string.h>

#include "tc_internal.h"

/* Blocks hashed between two looks at the cancel flag: 256 KiB. */
#define TC__SHA256_CHUNK_BLOCKS 4096

static const uint32_t tc__sha256_k[64] = {
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

static inline uint32_t tc__rotr(uint32_t x, unsigned n) {
  return (x >> n) | (x << (32u - n));
}

static inline uint32_t tc__load_be32(const uint8_t *p) {
  return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 |
         (uint32_t)p[3];
}

static inline void tc__store_be32(uint8_t *p, uint32_t v) {
  p[0] = (uint8_t)(v >> 24);
  p[1] = (uint8_t)(v >> 16);
  p[2] = (uint8_t)(v >> 8);
  p[3] = (uint8_t)v;
}

/* One round: t1 and t2 as in FIPS 180-4 section 6.2.2, with the working
 * variables rotated by renaming instead of by moves. */
#define TC__SHA256_ROUND(a, b, c, d, e, f, g, h, i)                          \
  do {                                                                       \
    uint32_t t1 = h + (tc__rotr(e, 6) ^ tc__rotr(e, 11) ^ tc__rotr(e, 25)) + \
                  ((e & f) ^ (~e & g)) + tc__sha256_k[i] + w[i];             \
    uint32_t t2 = (tc__rotr(a, 2) ^ tc__rotr(a, 13) ^ tc__rotr(a, 22)) +     \
                  ((a & b) ^ (a & c) ^ (b & c));                             \
    d += t1;                                                                 \
    h = t1 + t2;                                                             \
  } while (0)

/* Hash nblocks 64-byte blocks into state. */
static void tc__sha256_blocks(uint32_t state[8], const uint8_t *p,
                              size_t nblocks) {
  uint32_t w[64];
  while (nblocks-- > 0) {
    for (int i = 0; i < 16; i++) w[i] = tc__load_be32(p + 4 * i);
    for (int i = 16; i < 64; i++) {
      uint32_t s0 =
          tc__rotr(w[i - 15], 7) ^ tc__rotr(w[i - 15], 18) ^ (w[i - 15] >> 3);
      uint32_t s1 =
          tc__rotr(w[i - 2], 17) ^ tc__rotr(w[i - 2], 19) ^ (w[i - 2] >> 10);
      w[i] = w[i - 16] + s0 + w[i - 7] + s1;
    }
    uint32_t a = state[0], b = state[1], c = state[2], d = state[3];
    uint32_t e = state[4], f = state[5], g = state[6], h = state[7];
    for (int i = 0; i < 64; i += 8) {
      TC__SHA256_ROUND(a, b, c, d, e, f, g, h, i);
      TC__SHA256_ROUND(h, a, b, c, d, e, f, g, i + 1);
      TC__SHA256_ROUND(g, h, a, b, c, d, e, f, i + 2);
      TC__SHA256_ROUND(f, g, h, a, b, c, d, e, i + 3);
      TC__SHA256_ROUND(e, f, g, h, a, b, c, d, i + 4);
      TC__SHA256_ROUND(d, e, f, g, h, a, b, c, i + 5);
      TC__SHA256_ROUND(c, d, e, f, g, h, a, b, i + 6);
      TC__SHA256_ROUND(b, c, d, e, f, g, h, a, i + 7);
    }
    state[0] += a;
    state[1] += b;
    state[2] += c;
    state[3] += d;
    state[4] += e;
    state[5] += f;
    state[6] += g;
    state[7] += h;
    p += 64;
  }
}

tc_status tc_sha256(const uint8_t *in, size_t len, uint8_t out[32],
                    const int32_t *cancel) {
  uint32_t state[8] = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
                       0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};
  size_t full = len / 64;
  size_t done = 0;
  uint8_t tail[128];
  size_t rest, padded;
  uint64_t bits;

  /* The message length in bits must fit the 64-bit length field. */
  if ((uint64_t)len > UINT64_MAX / 8) return TC_EOVERFLOW;
  bits = (uint64_t)len * 8;

  while (done < full) {
    size_t n = full - done;
    if (n > TC__SHA256_CHUNK_BLOCKS) n = TC__SHA256_CHUNK_BLOCKS;
    if (tc__cancelled(cancel)) return TC_CANCELED;
    tc__sha256_blocks(state, in + done * 64, n);
    done += n;
  }

  /* Padding: the remaining bytes, 0x80, zeros, the 64-bit big-endian length;
   * one block if it fits in 56 bytes, two otherwise. */
  rest = len - full * 64;
  if (rest > 0) memcpy(tail, in + full * 64, rest);
  tail[rest] = 0x80;
  padded = rest < 56 ? 64 : 128;
  memset(tail + rest + 1, 0, padded - rest - 1 - 8);
  tc__store_be32(tail + padded - 8, (uint32_t)(bits >> 32));
  tc__store_be32(tail + padded - 4, (uint32_t)bits);
  tc__sha256_blocks(state, tail, padded / 64);

  for (int i = 0; i < 8; i++) tc__store_be32(out + 4 * i, state[i]);
  return TC_OK;
}
